"""The writes of plans, targets and tracking, declared for the role × action table (R5).

A permission says which roles may make a kind of write at all; which records they may make it
on is decided by ``org.visibility`` and the checks in the services (the manager of the unit,
the person asked, …), hence ``scoped=True`` where the record decides.
"""

from salescope.org.choices import Role
from salescope.org.permissions import EVERY_ROLE, declare

PLANNERS = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER})
APPROVERS = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR})
SALES = PLANNERS | {Role.SALESPERSON}

PLAN_CREATE = declare("plans.plan.create", roles=PLANNERS, scoped=True)
PLAN_CHANGE = declare("plans.plan.change", roles=PLANNERS, scoped=True)
PLAN_APPROVE = declare("plans.plan.approve", roles=APPROVERS)
TARGET_PLAN = declare("plans.target.plan", roles=PLANNERS, scoped=True)
TARGET_DRAFT = declare("plans.target.draft", roles=SALES, scoped=True)
ACKNOWLEDGE = declare("plans.acknowledgement.give", roles=EVERY_ROLE, scoped=True)
STEP_CREATE = declare("plans.step.create", roles=PLANNERS, scoped=True)
STEP_CHANGE = declare("plans.step.change", roles=EVERY_ROLE, scoped=True)
