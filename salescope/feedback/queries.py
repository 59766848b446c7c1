"""Feedback's reads, always as a viewer (``org.visibility``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.expressions import RawSQL

from salescope.catalog.models import Product
from salescope.core.db import read_session
from salescope.customers.models import Customer
from salescope.feedback.choices import GuidanceStatus, IntelKind, ProblemStatus
from salescope.feedback.models import CaseReview, Guidance, Intelligence, Problem
from salescope.feedback.search import (
    KEY_SHIFT,
    fts_condition,
    match_expression,
    newest_keys,
    query_terms,
    search_condition,
)
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import VIEW, owners_in_reach


def list_intelligence(
    *,
    viewer: Any,
    q: str = "",
    kind: str = "",
    region: int | None = None,
    product: int | None = None,
    customer: int | None = None,
    competitor: str = "",
    need: int | None = None,
) -> QuerySet[Intelligence]:
    """The visible entries matching the filters and every word of ``q``, newest first.

    ``need``: the list shows only its first ``need`` rows (a page and the capped count,
    :func:`rows_for_page`). On SQLite a search is then narrowed to the newest matches that
    hold that many rows (:func:`_newest_matches`), so a common word does not make the database
    collect and sort every match; the first ``need`` rows are the same either way.
    (PostgreSQL's GIN index cannot yield matches by day; it searches everything.)"""
    entries = Intelligence.objects.visible_to(viewer, "view").select_related(
        "author", "region", "product", "category", "customer"
    )
    if kind:
        entries = entries.filter(kind=kind)
    if region:
        unit = OrgUnit.objects.visible_to(viewer, "view").filter(pk=region).first()
        entries = entries.filter(region__path__startswith=unit.path) if unit else entries.none()
    if product:
        entries = entries.filter(product_id=product)
    if customer:
        entries = entries.filter(customer_id=customer)
    if competitor:
        entries = entries.filter(competitor__icontains=competitor)
    terms = query_terms(q) if q.strip() else []
    if terms and need and connection.vendor == "sqlite":
        return _newest_matches(entries, viewer, terms, need).order_by("-observed_on", "-id")
    if terms:
        entries = entries.filter(search_condition(q, terms))
    return entries.order_by("-observed_on", "-id")


def intelligence_page(*, viewer: Any, raw_page: Any = None, **filters: Any) -> Any:
    """The intelligence list's page ``raw_page`` with its capped count, read at once.

    On PostgreSQL a search reads them without parallel workers: they walked the newest entries
    ahead of the one that needed them, a salesperson's first page of 断货 took 210 ms (p50) for
    77 ms of work; serially every viewer's p95 is under 120 ms at 1M entries
    (bench/bench_intelligence_search.py)."""
    from salescope.core.paging import capped_page
    from salescope.core.web import PAGE_SIZE

    entries = list_intelligence(viewer=viewer, need=rows_for_page(raw_page), **filters)
    if not (filters.get("q") or "").strip() or connection.vendor != "postgresql":
        return capped_page(entries, PAGE_SIZE, raw_page)
    with read_session(roomy=False, serial=True):
        page = capped_page(entries, PAGE_SIZE, raw_page)
        page.object_list = list(page.object_list)
    return page


def rows_for_page(raw_page: Any) -> int:
    """The rows the list needs for page ``raw_page``: the page and its capped count (one more
    than the cap, to know there are more)."""
    from salescope.core.paging import CappedPaginator, page_number
    from salescope.core.web import PAGE_SIZE

    return CappedPaginator([], PAGE_SIZE, page_hint=page_number(raw_page)).cap + 1


# Past this many people the index's OR over their tokens costs more than it saves.
MAX_OWNERS = 200
# Past this many candidate entries, the whole search (read once) instead of more batches.
MAX_CANDIDATES = 20_000
_AFTER_EVERY_KEY = (1 << 63) - 1


def _newest_matches(entries: QuerySet, viewer: Any, terms: list[str], need: int) -> QuerySet:
    """``entries`` matching ``terms``, narrowed to the newest matches holding ``need`` of them
    (or all of them).

    FTS5 yields the matches newest first (``feedback.search``), restricted to the entries of
    the people whose entries the viewer may see (``org.visibility.owners_in_reach``: for a
    salesperson their own, not the 40 others'). They are read in batches until ``entries``
    (the rule's narrowing, with the list's filters) keeps ``need`` of them or none is left.
    Correct whatever the batches: every match left out is older than every one read, so the
    first ``need`` in the list's order are the same, and a capped count of ``need`` says "more
    than the cap" either way."""
    owners = owners_in_reach(Intelligence, viewer=viewer, action=VIEW)
    if owners is not None and not owners:
        return entries.none()
    if owners is not None and len(owners) > MAX_OWNERS:
        owners = None
    match = match_expression(terms, owners)
    ids: list[int] = []
    before, limit = _AFTER_EVERY_KEY, need
    while True:
        keys = newest_keys(match, before=before, limit=limit)
        ids += [key % KEY_SHIFT for key in keys]
        if len(keys) < limit:
            break  # every match is read
        found = entries.filter(_among(ids)).order_by()[:need].count()
        if found >= need:
            break
        if len(ids) >= MAX_CANDIDATES:
            return entries.filter(fts_condition(match))  # read every match once
        before = keys[-1]
        # as many again as the kept share says are needed, at least doubling what was read
        limit = max(len(ids), (need - found) * len(ids) // max(found, 1))
        limit = min(limit, MAX_CANDIDATES)
    return entries.filter(_among(ids))


def _among(ids: list[int]) -> Q:
    """``id`` one of ``ids``: one JSON parameter, not one placeholder per id."""
    sql = "SELECT value FROM json_each(%s)"
    return Q(id__in=RawSQL(sql, [json.dumps(ids)]))  # noqa: S611 - constant SQL, ids a parameter


def get_intelligence(*, viewer: Any, pk: Any) -> Intelligence:
    return Intelligence.objects.select_related(
        "author", "region", "product", "category", "customer"
    ).get_visible(viewer, pk)


def weekly_digest(*, viewer: Any, week_of: dt.date, by: str = "region") -> list[dict]:
    """The week's intelligence (Monday to Sunday around ``week_of``) grouped by region or by
    product: per group, the count of each kind and the entries, newest first."""
    start = week_of - dt.timedelta(days=week_of.weekday())
    end = start + dt.timedelta(days=6)
    entries = list(list_intelligence(viewer=viewer).filter(observed_on__range=(start, end)))
    groups: dict[Any, dict] = {}
    key: Any
    for entry in entries:
        if by == "product":
            key = entry.product_id or (f"c{entry.category_id}" if entry.category_id else None)
            label = str(entry.product or entry.category or "—")
        else:
            key, label = entry.region_id, str(entry.region or "—")
        group = groups.setdefault(
            key, {"label": str(label), "counts": dict.fromkeys(IntelKind.values, 0), "entries": []}
        )
        group["counts"][entry.kind] += 1
        group["entries"].append(entry)
    rows = sorted(groups.values(), key=lambda g: (-len(g["entries"]), g["label"]))
    for row in rows:
        row["total"] = len(row["entries"])
        row["kinds"] = [(IntelKind(k).label, n) for k, n in row["counts"].items() if n]
    return rows


def list_problems(*, viewer: Any, status: str = "", mine: bool = False) -> QuerySet[Problem]:
    problems = Problem.objects.visible_to(viewer, "view").select_related(
        "raised_by", "owner", "customer", "unit"
    )
    if status:
        problems = problems.filter(status=status)
    if mine:
        problems = problems.filter(owner=viewer)
    return problems.order_by("status", "due_on", "-id")


def get_problem(*, viewer: Any, pk: Any, action: str = "view") -> Problem:
    return Problem.objects.select_related("raised_by", "owner", "customer", "unit").get_visible(
        viewer, pk, action
    )


def problem_report(*, viewer: Any) -> list[dict]:
    """Per unit: open, overdue and resolved problems and the average time to resolution."""
    from django.utils import timezone

    today = timezone.localdate()
    took = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    rows = (
        Problem.objects.visible_to(viewer, "view")
        .values("unit_id", "unit__name")
        .annotate(
            open=Count("pk", filter=Q(status=ProblemStatus.OPEN)),
            overdue=Count("pk", filter=Q(status=ProblemStatus.OPEN, due_on__lt=today)),
            escalated=Count("pk", filter=Q(escalation_level__gt=0)),
            resolved=Count("pk", filter=Q(status=ProblemStatus.RESOLVED)),
            average=Avg(took, filter=Q(status=ProblemStatus.RESOLVED)),
        )
        .order_by("unit__name")
    )
    result = []
    for row in rows:
        average = row["average"]
        hours = round(average.total_seconds() / 3600, 1) if average is not None else None
        result.append({**row, "unit": row["unit__name"] or "—", "hours_to_resolve": hours})
    return result


def list_guidance(*, viewer: Any, scope: str = "") -> QuerySet[Guidance]:
    items = Guidance.objects.visible_to(viewer, "view").select_related(
        "author", "person", "customer"
    )
    if scope == "mine":
        items = items.filter(person=viewer)
    elif scope == "given":
        items = items.filter(author=viewer)
    elif scope == "pending":
        items = items.filter(person=viewer, status=GuidanceStatus.ASSIGNED)
    return items.order_by("-created_at", "-id")


def get_guidance(*, viewer: Any, pk: Any, action: str = "view") -> Guidance:
    return Guidance.objects.select_related("author", "person", "customer").get_visible(
        viewer, pk, action
    )


# --- references a form or a request names, each checked against the viewer -------------------


def customer_ref(*, viewer: Any, pk: Any) -> Customer | None:
    return Customer.objects.get_visible(viewer, pk) if pk else None


def product_ref(*, viewer: Any, pk: Any) -> Product | None:
    return Product.objects.get_visible(viewer, pk) if pk else None


def unit_ref(*, viewer: Any, pk: Any) -> OrgUnit | None:
    return OrgUnit.objects.get_visible(viewer, pk) if pk else None


def person_ref(*, viewer: Any, pk: Any) -> User | None:
    return User.objects.get_visible(viewer, pk) if pk else None


def customer_choices(*, viewer: Any) -> QuerySet[Customer]:
    return Customer.objects.visible_to(viewer, "view").order_by("name")


def product_choices(*, viewer: Any) -> QuerySet[Product]:
    return Product.objects.visible_to(viewer, "view").order_by("name")


def region_choices(*, viewer: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(viewer, "view").order_by("path")


def team_choices(*, viewer: Any) -> QuerySet[User]:
    people = User.objects.visible_to(viewer, "view").filter(is_active=True)
    return people.exclude(pk=viewer.pk).order_by("full_name")


# --- case reviews (G6) ------------------------------------------------------------------------


def list_cases(
    *,
    viewer: Any,
    q: str = "",
    outcome: str = "",
    tag: str = "",
    customer: int | None = None,
    lessons: bool = False,
) -> QuerySet[CaseReview]:
    """Case reviews the viewer may see (their own, their team's, their subtree's, lessons),
    newest first. ``q`` matches every word of it, segmented by jieba as intelligence search
    does (``feedback.search``), in the title, what happened, the lesson, tags and customer."""
    cases = CaseReview.objects.visible_to(viewer, "view").select_related(
        "author", "customer", "opportunity"
    )
    for word in query_terms(q) if q else []:
        cases = cases.filter(search_text__icontains=word)
    if outcome:
        cases = cases.filter(outcome=outcome)
    if tag:
        cleaned = tag.strip().lower()
        cases = cases.filter(
            Q(tags=cleaned)
            | Q(tags__startswith=f"{cleaned},")
            | Q(tags__endswith=f",{cleaned}")
            | Q(tags__contains=f",{cleaned},")
        )
    if customer:
        cases = cases.filter(customer_id=customer)
    if lessons:
        cases = cases.filter(is_lesson=True)
    return cases


def get_case(*, viewer: Any, pk: Any, action: str = "view") -> CaseReview:
    return CaseReview.objects.get_visible(viewer, pk, action)


def opportunity_ref(*, viewer: Any, pk: Any) -> Any:
    from salescope.pipeline.models import Opportunity

    return Opportunity.objects.get_visible(viewer, pk) if pk else None


def visit_refs(*, viewer: Any, pks: list[int] | None) -> list[Any]:
    from salescope.activities.models import Visit

    return [Visit.objects.get_visible(viewer, pk) for pk in dict.fromkeys(pks or [])]


def case_visits(*, viewer: Any, case: CaseReview) -> list[Any]:
    from salescope.activities.models import Visit

    ids = case.visits.through.objects.filter(casereview_id=case.pk).values("visit_id")
    return list(Visit.objects.visible_to(viewer, "view").filter(pk__in=ids).order_by("-pk"))


def opportunity_choices(*, viewer: Any) -> QuerySet:
    from salescope.pipeline.models import Opportunity

    return Opportunity.objects.visible_to(viewer, "view").order_by("-pk")
