"""Reads of field activity, always for a viewer through the one rule: a salesperson sees their
own visits and reports, a manager the team's (the units they manage and below), the company
roles everything."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, NamedTuple

from django.db.models import Count, QuerySet
from django.utils import timezone

from salescope.activities import rules
from salescope.activities.choices import ReportStatus, VisitStatus
from salescope.activities.models import (
    CalendarFeed,
    ChecklistAnswer,
    ChecklistItem,
    CoverageRule,
    Visit,
    VisitPhoto,
    WorkReport,
    far_from_customer,
)
from salescope.core.errors import NotFound
from salescope.core.roles import Role
from salescope.customers.models import Customer
from salescope.org.models import User
from salescope.org.visibility import get_visible, own_records, visible

FIELD_ROLES = (Role.SALESPERSON, Role.MANAGER)


# --- visits ----------------------------------------------------------------------------------


def list_visits(
    *,
    viewer: Any,
    start: dt.date | None = None,
    end: dt.date | None = None,
    owner: int | None = None,
    customer: int | None = None,
) -> QuerySet[Visit]:
    visits = visible(Visit.objects.all(), viewer=viewer)
    if start:
        visits = visits.filter(planned_date__gte=start)
    if end:
        visits = visits.filter(planned_date__lte=end)
    if owner:
        visits = visits.filter(owner_id=owner)
    if customer:
        visits = visits.filter(customer_id=customer)
    return visits.select_related("customer", "owner").order_by("planned_date", "planned_time", "pk")


def get_visit(*, viewer: Any, pk: Any, action: str = "view") -> Visit:
    return get_visible(
        Visit.objects.select_related("customer", "owner"), viewer=viewer, pk=pk, action=action
    )


def my_visits(*, viewer: Any, day: dt.date) -> list[Visit]:
    return list(
        own_records(Visit.objects.filter(planned_date=day), viewer=viewer)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("customer")
        .order_by("planned_time", "pk")
    )


def get_photo(*, viewer: Any, pk: Any) -> VisitPhoto:
    """A visit's photo, to whoever may see the visit (others get the missing page)."""
    return get_visible(VisitPhoto.objects.all(), viewer=viewer, pk=pk)


def photos_of(*, viewer: Any, visit: Visit) -> list[VisitPhoto]:
    return list(visible(VisitPhoto.objects.filter(visit=visit), viewer=viewer))


# --- checklists ------------------------------------------------------------------------------


def checklist_of(*, viewer: Any, visit: Visit) -> list[dict[str, Any]]:
    """The visit type's checklist items with this visit's answers (the visit already read
    through the rule)."""
    items = visible(
        ChecklistItem.objects.filter(template__visit_type=visit.visit_type, active=True),
        viewer=viewer,
    )
    answers = {
        a.item_id: a for a in visible(ChecklistAnswer.objects.filter(visit=visit), viewer=viewer)
    }
    return [{"item": item, "answer": answers.get(item.pk)} for item in items]


def completion(*, viewer: Any, start: dt.date, end: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Checklist completion per person and per item over the visible visits in the period:
    each item of each done visit counts, answered done or not (an unanswered one is not
    done)."""
    visits = list(
        list_visits(viewer=viewer, start=start, end=end)
        .filter(status=VisitStatus.DONE)
        .values_list("pk", "owner_id", "visit_type")
    )
    items = defaultdict(list)
    for item in visible(ChecklistItem.objects.filter(active=True), viewer=viewer).select_related(
        "template"
    ):
        items[item.template.visit_type].append(item)
    done = set(
        visible(ChecklistAnswer.objects.all(), viewer=viewer)
        .filter(visit_id__in=[v for v, _o, _t in visits], done=True)
        .values_list("visit_id", "item_id")
    )
    by_person, by_item = [], []
    item_names: dict[int, str] = {}
    for visit_id, owner_id, visit_type in visits:
        for item in items.get(visit_type, []):
            item_names[item.pk] = item.text
            by_person.append((owner_id, (visit_id, item.pk) in done))
            by_item.append((item.pk, (visit_id, item.pk) in done))
    people = dict(User.objects.visible_to(viewer).values_list("pk", "full_name"))

    def rows(rates: dict, names: dict) -> list[dict[str, Any]]:
        return sorted(
            (
                {
                    "key": key,
                    "name": names.get(key, str(key)),
                    "done": d,
                    "total": t,
                    "percent": rules.percent(d, t),
                }
                for key, (d, t) in rates.items()
            ),
            key=lambda r: (r["percent"] or 0, r["name"]),
        )

    return {
        "people": rows(rules.completion_rates(by_person), people),
        "items": rows(rules.completion_rates(by_item), item_names),
    }


# --- the team --------------------------------------------------------------------------------


def team_of(*, viewer: Any) -> list[User]:
    """The people in the field the viewer oversees (not themselves): a manager's team, all
    of them for the company roles, nobody for a salesperson."""
    return list(
        User.objects.visible_to(viewer)
        .filter(is_active=True, role__in=FIELD_ROLES)
        .exclude(pk=viewer.pk)
        .select_related("unit")
        .order_by("unit__path", "full_name", "username")
    )


class CalendarVisit(NamedTuple):
    """What a calendar cell shows of a visit: a month of a team of 50 is thousands of visits,
    and building model objects for them was most of the calendar's time."""

    pk: int
    customer_name: str
    status: str
    distance_m: int | None

    @property
    def is_far(self) -> bool:
        return far_from_customer(self.distance_m)


def team_calendar(*, viewer: Any, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Person × day: the visible visits of the team between ``start`` and ``end``."""
    team = team_of(viewer=viewer)
    cells: dict[tuple[int, dt.date], list[CalendarVisit]] = defaultdict(list)
    visits = (
        list_visits(viewer=viewer, start=start, end=end)
        .filter(owner_id__in=[p.pk for p in team])
        .exclude(status=VisitStatus.CANCELLED)
        .values_list("owner_id", "planned_date", "pk", "customer__name", "status", "distance_m")
    )
    for owner_id, day, pk, customer_name, status, distance_m in visits:
        cells[(owner_id, day)].append(CalendarVisit(pk, customer_name, status, distance_m))
    days = rules.days(start, end)
    rows = [{"person": p, "days": [cells.get((p.pk, d), []) for d in days]} for p in team]
    return {"days": days, "rows": rows}


def uncovered_customers(*, viewer: Any, day: dt.date, limit: int = 200) -> list[dict[str, Any]]:
    """Visible customers whose tier rule asks for more visits in its period (the week or
    month holding ``day``) than are planned or made."""
    coverage = {r.tier: r for r in visible(CoverageRule.objects.all(), viewer=viewer)}
    found: list[dict[str, Any]] = []
    for tier, rule in sorted(coverage.items()):
        start, end = rules.period_of(day, rule.period)
        customers = list(
            visible(Customer.live.filter(tier=tier, status="active"), viewer=viewer)
            .select_related("owner")
            .order_by("code")[:5000]
        )
        if not customers:
            continue
        counted = dict(
            Visit.objects.visible_to(viewer)
            .filter(
                customer_id__in=[c.pk for c in customers],
                planned_date__gte=start,
                planned_date__lte=end,
            )
            .exclude(status=VisitStatus.CANCELLED)
            .values_list("customer_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        by_id = {c.pk: c for c in customers}
        for gap in rules.coverage_gaps(
            [(c.pk, tier) for c in customers], {tier: rule.visits}, counted
        ):
            found.append(
                {
                    "customer": by_id[gap.customer_id],
                    "tier": tier,
                    "required": gap.required,
                    "planned": gap.planned,
                    "period": (start, end),
                }
            )
    return found[:limit]


# --- reports ---------------------------------------------------------------------------------


def list_reports(
    *, viewer: Any, kind: str | None = None, author: int | None = None
) -> QuerySet[WorkReport]:
    reports = visible(WorkReport.objects.all(), viewer=viewer).select_related("author", "reviewer")
    if kind:
        reports = reports.filter(kind=kind)
    if author:
        reports = reports.filter(author_id=author)
    return reports.order_by("-period_start", "author__username", "kind")


def get_report(*, viewer: Any, pk: Any, action: str = "view") -> WorkReport:
    return get_visible(
        WorkReport.objects.select_related("author", "reviewer"), viewer=viewer, pk=pk, action=action
    )


def not_submitted(*, viewer: Any, kind: str, start: dt.date) -> list[User]:
    """The team members who have not submitted their ``kind`` report for the period that
    starts on ``start``."""
    team = team_of(viewer=viewer)
    submitted = set(
        list_reports(viewer=viewer, kind=kind)
        .filter(period_start=start, author_id__in=[p.pk for p in team])
        .exclude(status=ReportStatus.DRAFT)
        .values_list("author_id", flat=True)
    )
    return [p for p in team if p.pk not in submitted]


def to_review(*, viewer: Any) -> QuerySet[WorkReport]:
    return list_reports(viewer=viewer).filter(status=ReportStatus.SUBMITTED).exclude(author=viewer)


# --- the calendar feed -----------------------------------------------------------------------


def own_feed(*, viewer: Any) -> CalendarFeed | None:
    return own_records(CalendarFeed.objects.all(), viewer=viewer).first()


def feed_visits(*, token: str) -> tuple[User, list[Visit]]:
    """The person a secret calendar address belongs to and their visits from a month back
    on; an unknown address is missing."""
    if not token or len(token) > 64:
        raise NotFound()
    # visibility: the secret address stands for its person, who reads their own visits
    feed = CalendarFeed.objects.unrestricted().filter(token=token).select_related("person").first()
    if feed is None or not feed.person.is_active:
        raise NotFound()
    since = timezone.localdate() - dt.timedelta(days=31)
    visits = list(
        own_records(Visit.objects.filter(planned_date__gte=since), viewer=feed.person)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("customer")
        .order_by("planned_date", "planned_time")[:2000]
    )
    return feed.person, visits


# --- the work surface ------------------------------------------------------------------------


def my_day(viewer: Any) -> dict[str, Any] | None:
    """The home page's block for someone in the field: today's visits with their checklist
    progress, and the reports to write."""
    if viewer.role not in FIELD_ROLES:
        return None
    today = timezone.localdate()
    visits = my_visits(viewer=viewer, day=today)
    per_type = dict(
        visible(ChecklistItem.objects.filter(active=True), viewer=viewer)
        .values_list("template__visit_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    answered = dict(
        own_records(ChecklistAnswer.objects.filter(visit__in=visits, done=True), viewer=viewer)
        .values_list("visit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        {"visit": v, "items": per_type.get(v.visit_type, 0), "done": answered.get(v.pk, 0)}
        for v in visits
    ]
    yesterday = today - dt.timedelta(days=1)
    written = set(
        own_records(
            WorkReport.objects.filter(period_start__gte=yesterday - dt.timedelta(days=7)),
            viewer=viewer,
        )
        .exclude(status=ReportStatus.DRAFT)
        .values_list("kind", "period_start")
    )
    to_write = [("daily", d) for d in (yesterday, today) if ("daily", d) not in written]
    monday = rules.week_of(today)[0]
    if ("weekly", monday) not in written and today.weekday() >= 4:
        to_write.append(("weekly", monday))
    first, last = rules.month_of(today)
    if ("monthly", first) not in written and (last - today).days < 3:  # the month's last days
        to_write.append(("monthly", first))
    return {"today": today, "visits": rows, "to_write": to_write}


def team_day(viewer: Any) -> dict[str, Any] | None:
    """The home page's block for a manager: the team's visits today, per person, and the
    reports waiting for a comment."""
    team = team_of(viewer=viewer)
    if not team:
        return None
    today = timezone.localdate()
    counts: defaultdict[int, dict[str, int]] = defaultdict(
        lambda: {"planned": 0, "done": 0, "in_progress": 0, "far": 0}
    )
    for owner_id, status, far in (
        list_visits(viewer=viewer, start=today, end=today)
        .filter(owner_id__in=[p.pk for p in team])
        .exclude(status=VisitStatus.CANCELLED)
        .values_list("owner_id", "status", "distance_m")
    ):
        row = counts[owner_id]
        row["planned"] += 1
        if status in (VisitStatus.DONE, VisitStatus.IN_PROGRESS):
            row[status] += 1
        if far is not None and far > 500:
            row["far"] += 1
    people = [{"person": p, **counts[p.pk]} for p in team[:30]]
    return {
        "today": today,
        "people": people,
        "more": max(0, len(team) - 30),
        "to_review": to_review(viewer=viewer)[:5],
        "waiting": to_review(viewer=viewer).count(),
        "missing": not_submitted(viewer=viewer, kind="daily", start=today - dt.timedelta(days=1)),
    }


def customers_to_plan(*, viewer: Any, limit: int = 500) -> list[Customer]:
    """Customers the viewer may plan a visit to: their own first (a salesperson's book)."""
    mine = list(
        own_records(Customer.live.filter(status="active"), viewer=viewer).order_by("name")[:limit]
    )
    if mine:
        return mine
    return list(
        visible(Customer.live.filter(status="active"), viewer=viewer).order_by("name")[:limit]
    )


def customer_panel(viewer: Any, customer: Customer) -> dict[str, Any] | None:
    """The customer page's visits: the latest the viewer may see, and the next planned."""
    visits = list_visits(viewer=viewer, customer=customer.pk).exclude(status=VisitStatus.CANCELLED)
    today = timezone.localdate()
    latest = list(visits.filter(planned_date__lte=today).order_by("-planned_date", "-pk")[:8])
    upcoming = list(visits.filter(planned_date__gt=today)[:3])
    if not latest and not upcoming:
        return None
    return {"latest": latest, "upcoming": upcoming}


def setup(*, viewer: Any) -> dict[str, Any]:
    """The company's coverage rules and checklist templates (everyone may read them)."""
    from salescope.activities.choices import VisitType
    from salescope.activities.models import ChecklistTemplate

    rules_by_tier = {r.tier: r for r in visible(CoverageRule.objects.all(), viewer=viewer)}
    templates = {t.visit_type: t for t in visible(ChecklistTemplate.objects.all(), viewer=viewer)}
    items = defaultdict(list)
    for item in visible(ChecklistItem.objects.filter(active=True), viewer=viewer):
        items[item.template_id].append(item)
    return {
        "tiers": [(tier, rules_by_tier.get(tier)) for tier in ("A", "B", "C", "D")],
        "checklists": [
            {
                "visit_type": value,
                "label": label,
                "template": templates.get(value),
                "lines": "\n".join(
                    f"{i.text} | {i.kind}"
                    for i in items.get(getattr(templates.get(value), "pk", None), [])
                ),
            }
            for value, label in VisitType.choices
        ],
    }
