"""The pipeline's writes and the roles that may make them (R5); which opportunities a person
may change is still the one rule (``action="change"``)."""

from salescope.core.roles import Role
from salescope.org.permissions import declare

SALES_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER, Role.SALESPERSON}
)
MANAGER_ROLES = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER})
CONFIGURERS = frozenset({Role.ADMINISTRATOR, Role.SALES_DIRECTOR})

# Marketing converts qualified leads into opportunities (C2) for the salesperson they go to.
OPPORTUNITY_CREATE = declare("pipeline.opportunity.create", roles=SALES_ROLES | {Role.MARKETING})
OPPORTUNITY_CHANGE = declare("pipeline.opportunity.change", roles=SALES_ROLES, scoped=True)
OPPORTUNITY_MOVE = declare("pipeline.opportunity.move", roles=SALES_ROLES, scoped=True)
OPPORTUNITY_NOTE = declare("pipeline.opportunity.note", roles=SALES_ROLES, scoped=True)
GATE_OVERRIDE = declare("pipeline.gate.override", roles=MANAGER_ROLES)
FORECAST_ADJUST = declare("pipeline.forecast.adjust", roles=MANAGER_ROLES)
PIPELINE_CONFIGURE = declare("pipeline.pipeline.configure", roles=CONFIGURERS)
# Importing deals from another CRM's export (owners as the file says): a manager's act.
OPPORTUNITY_IMPORT = declare("pipeline.opportunity.import", roles=MANAGER_ROLES)
