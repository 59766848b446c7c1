"""Expense writes and who may make them (R5). Which records is ``org.visibility``."""

from salescope.org.choices import Role
from salescope.org.permissions import EVERY_ROLE, declare

APPROVERS = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER, Role.FINANCE}
)
FINANCE = frozenset({Role.FINANCE, Role.ADMINISTRATOR})
CATEGORY_EDITORS = frozenset(
    {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.FINANCE}
)

RECORD = declare("expenses.record.create", roles=EVERY_ROLE)
RECORD_CHANGE = declare("expenses.record.change", roles=EVERY_ROLE, scoped=True)
CLAIM = declare("expenses.claim.create", roles=EVERY_ROLE)
CLAIM_SUBMIT = declare("expenses.claim.submit", roles=EVERY_ROLE, scoped=True)
CLAIM_APPROVE = declare("expenses.claim.approve", roles=APPROVERS, scoped=True)
CLAIM_REJECT = declare("expenses.claim.reject", roles=APPROVERS, scoped=True)
CLAIM_PAY = declare("expenses.claim.pay", roles=FINANCE, scoped=True)
CLAIM_STEP = declare("expenses.claim.step", roles=EVERY_ROLE, scoped=True)
CATEGORY_EDIT = declare("expenses.category.edit", roles=CATEGORY_EDITORS)
