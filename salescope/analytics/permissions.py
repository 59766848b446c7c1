"""Manual actuals (实绩录入): who may enter them (R5). Which people and units each may enter
them for is ``org.visibility`` on :class:`~salescope.analytics.models.ManualActual`."""

from salescope.org.choices import Role
from salescope.org.permissions import declare

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
