"""Manual actuals (实绩录入) in the leak and permission matrices (tests/visibility).

A figure belongs to its person: 张伟 must not reach 陈静's, and each role enters figures only
for the people it may change."""

import datetime as dt

from salescope.analytics.models import ManualActual
from tests.visibility.registry import Target, register


@register(
    "analytics:manual-entry",
    "analytics:manual-delete",
    "/api/v1/manual-actuals/{actual_id}",
)
def manual_actual(personas, owner):
    made = ManualActual.objects.create(
        metric="market_share",
        month=dt.date(2026, 3, 1),
        person=owner,
        value=1250,
        entered_by=owner,
    )
    return Target(params={"actual_id": made.pk}, obj=made, bodies={"PATCH": {"version": 1}})
