"""Forecasting's writes and who may make them (R5). Which records is ``org.visibility``."""

from salescope.org.choices import Role
from salescope.org.permissions import declare

PLANNERS = frozenset({Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR, Role.MARKETING})

RUN = declare("forecasting.run", roles=PLANNERS)
