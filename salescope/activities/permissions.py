"""Field activity's writes and who may make them (R5). Records are still checked through the
one rule: a salesperson acts on their own visits and reports, a manager on the team's."""

from salescope.core.permissions import EVERY_ROLE, declare
from salescope.core.roles import Role

FIELD_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER, Role.SALESPERSON}
)
MANAGER_ROLES = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER})
SETUP_ROLES = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR})

VISIT_PLAN = declare("activities.visit.plan", roles=FIELD_ROLES, scoped=True)
VISIT_CHANGE = declare("activities.visit.change", roles=FIELD_ROLES, scoped=True)
VISIT_RECORD = declare("activities.visit.record", roles=FIELD_ROLES, scoped=True)
CHECKLIST_ANSWER = declare("activities.checklist.answer", roles=FIELD_ROLES, scoped=True)
REPORT_WRITE = declare("activities.report.write", roles=FIELD_ROLES, scoped=True)
REPORT_REVIEW = declare("activities.report.review", roles=MANAGER_ROLES, scoped=True)
SETUP_CHANGE = declare("activities.setup.change", roles=SETUP_ROLES)
FEED_RENEW = declare("activities.feed.renew", roles=EVERY_ROLE, scoped=True)


def can_set_up(actor: object) -> bool:
    from salescope.core.permissions import allows

    return allows(actor, SETUP_CHANGE.code)
