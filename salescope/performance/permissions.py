"""Evaluation's writes and who may make them (R5). Which records is ``org.visibility``."""

from salescope.org.choices import Role
from salescope.org.permissions import EVERY_ROLE, declare

COMPANY = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR})
COACHES = COMPANY | {Role.MANAGER}

CRITERION_MANAGE = declare("performance.criterion.manage", roles=COMPANY)
TEMPLATE_MANAGE = declare("performance.template.manage", roles=COMPANY)
SCORECARD_COMPUTE = declare("performance.scorecard.compute", roles=COMPANY)
RATE = declare("performance.rating.give", roles=COACHES)
SCORECARD_REVIEW = declare("performance.scorecard.review", roles=COACHES)
SCORECARD_RESPOND = declare("performance.scorecard.respond", roles=EVERY_ROLE, scoped=True)
IMPROVEMENT_MANAGE = declare("performance.improvement.manage", roles=COACHES)
IMPROVEMENT_FOLLOW = declare("performance.improvement.follow", roles=EVERY_ROLE, scoped=True)
