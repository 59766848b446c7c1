"""The leads writes and the roles that may make them (R5); records are still checked through
``org.visibility`` (``scoped``: on records the actor may change)."""

from salescope.core.permissions import EVERY_ROLE, declare
from salescope.core.roles import Role

MARKETING_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MARKETING}
)
MANAGER_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER, Role.MARKETING}
)
SALES_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER, Role.SALESPERSON}
)
# Who may hold leads (a rule's members, a claim, a reassignment's new owner).
OWNER_ROLES = frozenset({Role.SALESPERSON, Role.MANAGER})

CAMPAIGN_CREATE = declare("leads.campaign.create", roles=MARKETING_ROLES)
CAMPAIGN_CHANGE = declare("leads.campaign.change", roles=MARKETING_ROLES)
MODEL_CREATE = declare("leads.model.create", roles=MARKETING_ROLES)
RULE_CREATE = declare("leads.rule.create", roles=MARKETING_ROLES)
FORM_KEY_CREATE = declare("leads.formkey.create", roles=MARKETING_ROLES)
LEAD_CREATE = declare("leads.lead.create", roles=MARKETING_ROLES | SALES_ROLES)
LEAD_IMPORT = declare("leads.lead.import", roles=MARKETING_ROLES)
LEAD_EVALUATE = declare("leads.lead.evaluate", roles=MANAGER_ROLES | SALES_ROLES, scoped=True)
LEAD_DISTRIBUTE = declare("leads.lead.distribute", roles=MANAGER_ROLES)
LEAD_REASSIGN = declare("leads.lead.reassign", roles=MANAGER_ROLES)
LEAD_CONTACT = declare("leads.lead.contact", roles=SALES_ROLES, scoped=True)
LEAD_CONVERT = declare("leads.lead.convert", roles=SALES_ROLES, scoped=True)
LEAD_CLAIM = declare("leads.lead.claim", roles=OWNER_ROLES)
POOL_RECYCLE = declare("leads.pool.recycle", roles=frozenset({Role.ADMINISTRATOR}))
# A public web form posts leads with a form key (the key is the credential, not a person).
LEAD_CAPTURE = declare(
    "leads.lead.capture",
    roles=EVERY_ROLE,
    scoped=True,
    description="Posted by a web form holding a form key; people's tokens are not accepted.",
)
