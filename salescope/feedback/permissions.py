"""Feedback's writes and who may make them (R5). Which records is ``org.visibility``."""

from salescope.org.choices import Role
from salescope.org.permissions import EVERY_ROLE, declare

COACHES = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MANAGER})

INTEL_CREATE = declare("feedback.intelligence.create", roles=EVERY_ROLE)
PROBLEM_CREATE = declare("feedback.problem.create", roles=EVERY_ROLE)
PROBLEM_RESOLVE = declare("feedback.problem.resolve", roles=EVERY_ROLE, scoped=True)
GUIDANCE_CREATE = declare("feedback.guidance.create", roles=COACHES)
GUIDANCE_ACKNOWLEDGE = declare("feedback.guidance.acknowledge", roles=EVERY_ROLE, scoped=True)
GUIDANCE_FOLLOW_UP = declare("feedback.guidance.follow_up", roles=COACHES)
CASE_CREATE = declare("feedback.case.create", roles=EVERY_ROLE)
CASE_MARK_LESSON = declare("feedback.case.mark_lesson", roles=COACHES)
