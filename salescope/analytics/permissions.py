"""The writes of analytics, declared for the role × action table (R5).

Manual actuals (实绩录入): who may enter them; which people and units each may enter them for
is ``org.visibility`` on :class:`~salescope.analytics.models.ManualActual`. Early warnings:
anyone may resolve one routed to them (the record decides, ``scoped``); approvers check them
all at once."""

from salescope.org.choices import Role
from salescope.org.permissions import EVERY_ROLE, declare
from salescope.plans.permissions import APPROVERS

# Managers measure their teams; finance enters expense spending, marketing market share.
ENTERERS = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.EXECUTIVE,
        Role.SALES_DIRECTOR,
        Role.MANAGER,
        Role.FINANCE,
        Role.MARKETING,
    }
)

MANUAL_CREATE = declare("analytics.manual_actual.create", roles=ENTERERS)
MANUAL_CHANGE = declare("analytics.manual_actual.change", roles=ENTERERS)
MANUAL_DELETE = declare("analytics.manual_actual.delete", roles=ENTERERS)

ALERT_RESOLVE = declare("analytics.alert.resolve", roles=EVERY_ROLE, scoped=True)
ALERT_EVALUATE = declare("analytics.alert.evaluate", roles=APPROVERS)

# Everyone keeps their own tracking views (the record decides whose: ``scoped``).
SAVED_VIEW = declare("analytics.saved_view.save", roles=EVERY_ROLE, scoped=True)
