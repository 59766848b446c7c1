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


def _tracking_view(owner):
    from salescope.analytics.models import SavedView

    return SavedView.objects.unrestricted().create(
        owner=owner, name=f"LEAK-T{owner.pk}", metric="sales_amount", group_by="person"
    )


@register("analytics:delete-view")
def tracking_view_page(personas, owner):
    view = _tracking_view(owner)
    return Target(params={"pk": view.pk}, obj=view)


@register("/api/v1/tracking-views/{view_id}")
def tracking_view_api(personas, owner):
    view = _tracking_view(owner)
    return Target(params={"view_id": view.pk}, obj=view)
