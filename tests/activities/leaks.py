"""Field activity's routes in the leak matrix (R1) and the permission matrix (R5): a
colleague's visit, photo and report are missing to everyone outside the owner's line."""

import datetime as dt
import io
import itertools

from django.utils import timezone
from PIL import Image

from salescope.activities import services
from salescope.activities.models import ChecklistItem, Visit, WorkReport
from salescope.customers.models import Customer
from tests.visibility.registry import Target, exempt, register

_serial = itertools.count(1)


def _customer(owner):  # noqa: ANN001, ANN202
    return Customer.objects.create(
        code=f"LEAK-ACT{next(_serial)}", name="拜访测试客户", owner=owner
    )


def _visit(owner, *, started=False):  # noqa: ANN001, ANN202
    # Made directly: the permission matrix builds one for finance and marketing too, who may
    # not plan visits themselves.
    return Visit.objects.create(
        owner=owner,
        customer=_customer(owner),
        planned_date=timezone.localdate(),
        status="in_progress" if started else "planned",
        checked_in_at=timezone.now() if started else None,
    )


def _item():  # noqa: ANN202
    template = services.save_checklist_template(
        actor=None, visit_type="routine", name="例行拜访清单", items=[("张贴海报", "check")]
    )
    return ChecklistItem.objects.unrestricted().get(template=template)


@register(
    "activities:visit",
    "activities:check-in",
    "activities:cancel",
    "/api/v1/visits/{visit_id}",
    "/api/v1/visits/{visit_id}/check-in",
)
def visit(personas, owner):
    made = _visit(owner)
    return Target(
        params={"pk": made.pk, "visit_id": made.pk},
        obj=made,
        bodies={"POST": {}},
    )


@register("activities:check-out", "/api/v1/visits/{visit_id}/check-out")
def started_visit(personas, owner):
    made = _visit(owner, started=True)
    return Target(
        params={"pk": made.pk, "visit_id": made.pk},
        obj=made,
        bodies={"POST": {"outcome": "follow_up"}},
    )


@register(
    "activities:answer",
    "activities:add-photo",
    "/api/v1/visits/{visit_id}/checklist",
    "/api/v1/visits/{visit_id}/checklist/{item_id}",
)
def checklist(personas, owner):
    made = _visit(owner, started=True)
    item = _item()
    return Target(
        params={"pk": made.pk, "visit_id": made.pk, "item_id": item.pk},
        obj=made,
        bodies={"POST": {"done": True}},
    )


@register("activities:photo")
def photo(personas, owner):
    made = _visit(owner, started=True)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "PNG")
    stored = services.add_photo(actor=made.owner, visit=made, data=out.getvalue())
    return Target(params={"pk": stored.pk}, obj=stored)


@register(
    "activities:report",
    "activities:review",
    "/api/v1/work-reports/{report_id}",
    "/api/v1/work-reports/{report_id}/review",
)
def report(personas, owner):
    day = timezone.localdate() - dt.timedelta(days=next(_serial))
    made = WorkReport.objects.create(
        author=owner,
        kind="daily",
        period_start=day,
        period_end=day,
        status="submitted",
        submitted_at=timezone.now(),
    )
    return Target(
        params={"pk": made.pk, "report_id": made.pk},
        obj=made,
        bodies={
            "POST": {"version": made.version, "comment": "好", "rating": 4},
            "PATCH": {"version": made.version, "summary": "改"},
        },
    )


exempt(
    "activities:feed",
    "the address itself is the secret (no id to guess); an unknown token is the missing page "
    "(tests/activities/test_pages.py)",
)
