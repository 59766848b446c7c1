"""Commissions' writes and who may make them (R5). Which records is ``org.visibility``."""

from salescope.org.choices import Role
from salescope.org.permissions import declare

PLANNERS = frozenset({Role.ADMINISTRATOR, Role.SALES_DIRECTOR, Role.FINANCE})
APPROVERS = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR})
PAYERS = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.FINANCE})

PLAN_CREATE = declare("commissions.plan.create", roles=PLANNERS)
PLAN_CHANGE = declare("commissions.plan.change", roles=PLANNERS)
PLAN_APPROVE = declare("commissions.plan.approve", roles=APPROVERS)
PLAN_ASSIGN = declare("commissions.plan.assign", roles=PLANNERS)
STATEMENT_COMPUTE = declare("commissions.statement.compute", roles=PAYERS)
STATEMENT_APPROVE = declare("commissions.statement.approve", roles=PAYERS)
