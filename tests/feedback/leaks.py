"""The feedback routes in the leak and permission matrices (tests/visibility)."""

import datetime as dt

from django.utils import timezone

from salescope.feedback.models import CaseReview, Guidance, Intelligence, Problem
from tests.visibility.registry import Target, register


def make_intelligence(author, **fields):
    fields.setdefault("kind", "competitor")
    fields.setdefault("observed_on", timezone.localdate())
    fields.setdefault("region", author.unit)
    return Intelligence.objects.create(
        author=author, title=f"{author.username} 的市场信息", **fields
    )


def make_problem(raised_by, **fields):
    fields.setdefault("owner", raised_by)
    return Problem.objects.create(
        raised_by=raised_by,
        unit=raised_by.unit,
        title=f"{raised_by.username} 的问题",
        **{"due_on": timezone.localdate() + dt.timedelta(days=3), **fields},
    )


def make_guidance(person, author, **fields):
    return Guidance.objects.create(author=author, person=person, body="多拜访 A 类客户", **fields)


@register("feedback:intelligence-detail", "/api/v1/feedback/intelligence/{entry_id}")
def intelligence(personas, owner):
    entry = make_intelligence(owner)
    return Target(params={"pk": entry.pk, "entry_id": entry.pk}, obj=entry)


@register(
    "feedback:problem",
    "/api/v1/feedback/problems/{problem_id}",
    "/api/v1/feedback/problems/{problem_id}/resolve",
)
def problem(personas, owner):
    made = make_problem(owner)
    return Target(
        params={"pk": made.pk, "problem_id": made.pk},
        obj=made,
        bodies={"POST": {"version": made.version, "resolution": "已解决"}},
    )


@register(
    "feedback:guidance-detail",
    "feedback:guidance-acknowledge",
    "feedback:guidance-follow-up",
    "/api/v1/feedback/guidance/{guidance_id}",
    "/api/v1/feedback/guidance/{guidance_id}/acknowledge",
    "/api/v1/feedback/guidance/{guidance_id}/follow-up",
)
def guidance(personas, owner):
    made = make_guidance(owner, personas["admin"])
    return Target(
        params={"pk": made.pk, "guidance_id": made.pk},
        obj=made,
        bodies={"POST": {"version": made.version, "note": "已跟进"}},
    )


@register(
    "feedback:case",
    "feedback:case-lesson",
    "/api/v1/feedback/cases/{case_id}",
    "/api/v1/feedback/cases/{case_id}/lesson",
)
def case_review(personas, owner):
    made = CaseReview.objects.create(author=owner, unit=owner.unit, outcome="success", title="复盘")
    return Target(
        params={"pk": made.pk, "case_id": made.pk},
        obj=made,
        bodies={"POST": {"version": made.version, "is_lesson": True}},
    )
