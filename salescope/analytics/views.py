"""Tracking pages: target vs actual, my targets, the warnings inbox, drill-down (B1, B2)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salescope.analytics import alerts, queries, saved_tracking, services
from salescope.analytics import permissions as perms
from salescope.analytics.choices import AlertKind, AlertStatus
from salescope.analytics.forms import TrackingForm
from salescope.analytics.permissions import MANUAL_CREATE
from salescope.analytics.targets import target_variance
from salescope.core.errors import DomainError
from salescope.core.periods import company_calendar
from salescope.core.web import page
from salescope.org.permissions import allows, requires
from salescope.org.visibility import can
from salescope.plans import queries as plan_queries
from salescope.plans.choices import Metric
from salescope.plans.models import Plan

# The tracking page's filters a drill-down link carries, to come back to the same view.
TRACKING_PARAMS = ("plan", "metric", "group_by", "basis", "as_of", "unit", "person", "from", "to")
# Metrics whose actual is a sum of sales lines: their finest rows drill to the lines.
LINE_METRICS = {Metric.SALES_AMOUNT, Metric.QUANTITY, Metric.GROSS_PROFIT}
# Metrics whose finest rows drill to other facts: the collections, the approved expense records.
FACT_METRICS = {Metric.COLLECTIONS, Metric.EXPENSE_BUDGET}
# Drilling down a row: the grouping of its child rows (region → teams → people → months).
CHILD_GROUPING = {
    "region": "unit",
    "unit": "salesperson",
    "salesperson": "month",
    "region,month": "unit",
    "quarter": "month",
    "month": "region",
}


def _month_param(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw + "-01") if raw else None
    except ValueError:
        return None


def _drill_filters(request: HttpRequest) -> dict:
    """The narrowing a drill-down carries: a unit (its subtree), a person, a span of months."""
    filters: dict = {}
    for name in ("unit", "person"):
        raw = request.GET.get(name, "")
        if raw.isdigit():
            filters[name] = int(raw)
    first, last = _month_param(request.GET.get("from", "")), _month_param(request.GET.get("to", ""))
    if first or last:
        filters["months"] = (first or dt.date(1900, 1, 1), last or dt.date(9999, 12, 1))
    return filters


def _quarter_months(label: str) -> tuple[dt.date, dt.date] | None:
    """ "2026Q3" → the first and last month of that fiscal quarter."""
    year, _sep, quarter = label.partition("Q")
    if not (year.isdigit() and quarter.isdigit() and 1 <= int(quarter) <= 4):  # noqa: PLR2004
        return None
    months = company_calendar().months_of_quarter(int(year), int(quarter))
    return months[0], months[-1]


def _drill_href(report, row, params: dict) -> str | None:  # noqa: ANN001
    """Where a row leads: its child rows (region → teams → people → months; quarter → months;
    month → regions), and at the finest row the sales lines behind its actual."""
    keys = row.keys
    grouping = ",".join(report.group_by)
    here = {k: v for k, v in params.items() if v not in (None, "")}
    person = keys.get("salesperson") or here.get("person")
    month = keys.get("month")
    span = (here.get("from"), here.get("to"))
    single = span[0] if span[0] and span[0] == span[1] else None
    if person and (month or single):  # a person's month: the lines behind the actual
        if report.metric not in LINE_METRICS | FACT_METRICS:
            return None
        day = month.strftime("%Y-%m") if month else single
        query = {k: v for k, v in here.items() if k not in ("person", "from", "to")}
        query.update(person=person, month=day)
        if here.get("person"):  # the view came narrowed to this person: back to it
            query["back_person"] = here["person"]
        return f"{reverse('analytics:drill')}?{urlencode(query)}"
    if "category" in keys and report.metric in LINE_METRICS:
        query = {**here, "category": keys["category"]}
        return f"{reverse('analytics:drill')}?{urlencode(query)}"
    child = CHILD_GROUPING.get(grouping)
    if child is None:
        return None
    query = {**here, "group_by": child}
    if "region" in keys:
        query["unit"] = keys["region"]
    if "unit" in keys:
        query["unit"] = keys["unit"]
    if "salesperson" in keys:
        query["person"] = keys["salesperson"]
    if month:
        query["from"] = query["to"] = month.strftime("%Y-%m")
    if "quarter" in keys:
        months = _quarter_months(str(keys["quarter"]))
        if months is None:
            return None
        query["from"], query["to"] = (m.strftime("%Y-%m") for m in months)
    return f"{reverse('analytics:tracking')}?{urlencode(query)}"


def _plan_from(request: HttpRequest) -> tuple[Plan | None, list[Plan]]:
    """The plan asked for (``?plan=``) or the default one, and the plans of the picker."""
    plans = list(queries.trackable_plans(viewer=request.user))
    raw = request.GET.get("plan", "")
    if raw.isdigit():
        return plan_queries.get_plan(viewer=request.user, pk=int(raw)), plans
    return queries.default_plan(viewer=request.user, plans=plans), plans


@page
def tracking(request: HttpRequest) -> HttpResponse:
    plan, plans = _plan_from(request)
    asked = request.GET.copy()
    if not asked.get("group_by"):
        asked["group_by"] = queries.default_grouping(viewer=request.user)
    form = TrackingForm(asked)
    data = form.cleaned_data if form.is_valid() else {}
    report = None
    outlook = None
    filters = _drill_filters(request)
    rows: list = []
    if plan is not None:
        report = target_variance(
            viewer=request.user,
            plan=plan,
            metric=data.get("metric") or Metric.SALES_AMOUNT,
            group_by=(data.get("group_by") or "region").split(","),
            as_of=data.get("as_of"),
            basis=data.get("basis") or None,
            filters=filters,
        )
        params = {k: request.GET.get(k, "") for k in TRACKING_PARAMS}
        params.update(plan=plan.pk, metric=report.metric, group_by=",".join(report.group_by))
        rows = [(row, _drill_href(report, row, params)) for row in report.rows]
        if report.metric == Metric.SALES_AMOUNT:
            outlook = queries.quarter_outlook(
                viewer=request.user, plan=plan, as_of=data.get("as_of"), filters=filters
            )
    context = {
        "saved_views": [
            (view, f"{reverse('analytics:tracking')}?{urlencode(view.query())}")
            for view in saved_tracking.saved_views(viewer=request.user)
        ],
        "rows": rows,
        "drilled": queries.drill_labels(viewer=request.user, filters=filters),
        "top": f"{reverse('analytics:tracking')}?plan={plan.pk}" if plan else "",
        "plan": plan,
        "plans": plans,
        "form": form,
        "report": report,
        "outlook": outlook,
        "chart": _chart(report) if report else None,
        "alerts_open": alerts.inbox(viewer=request.user).count(),
        "can_enter_actuals": allows(request.user, MANUAL_CREATE.code),
    }
    return render(request, "analytics/tracking.html", context)


CHART_ROWS = 60  # more bars than this are unreadable; the table lists every row


def _chart(report) -> dict:  # noqa: ANN001
    rows = report.rows[:CHART_ROWS]
    return {
        "shown": len(rows),
        "total": len(report.rows),
        "labels": [" · ".join(r.labels.values()) for r in rows],
        "target": [r.target / 100 for r in rows],
        "actual": [r.actual / 100 for r in rows],
        "pace": [r.tracking.pace / 100 for r in rows],
        "unit": "%" if report.is_level else "",  # a level (market share…) is a percentage
        "names": {"target": _("Target"), "actual": _("Actual"), "pace": _("Pace")},
    }


@page
def my_targets(request: HttpRequest) -> HttpResponse:
    plan, plans = _plan_from(request)
    scope = queries.my_scope(viewer=request.user)
    person = request.GET.get("person", "")
    if person.isdigit() and int(person) != request.user.pk:
        scope = {"person": int(person), "label": ""}
    cards = []
    if plan is not None:
        for root in plan_queries.root_targets(viewer=request.user, plan=plan) or [None]:
            metric = root.metric if root else Metric.SALES_AMOUNT
            report = target_variance(
                viewer=request.user,
                plan=plan,
                metric=metric,
                group_by=["month"],
                filters={k: v for k, v in scope.items() if k in ("person", "unit")},
            )
            if report.rows:
                cards.append({"metric": Metric(metric).label, "report": report})
    context = {
        "plan": plan,
        "plans": plans,
        "person": person if person.isdigit() else "",
        "scope": scope,
        "cards": cards,
        "today": timezone.localdate(),
        "pending": plan_queries.pending_acknowledgements(viewer=request.user),
    }
    return render(request, "analytics/my_targets.html", context)


@page
def inbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", AlertStatus.OPEN)
    everything = request.GET.get("all") == "1"
    kind = request.GET.get("kind", "")
    kind = kind if kind in AlertKind.values else ""
    items = alerts.inbox(viewer=request.user, status=status, routed_only=not everything, kind=kind)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(a, alerts.cause(a), alerts.resolution_text(a)) for a in page],
        "status": status,
        "everything": everything,
        "kind": kind,
        "kinds": AlertKind.choices,
        "may_evaluate": can(request.user, Plan, "approve"),
    }
    return render(request, "analytics/inbox.html", context)


@page
@require_POST
@requires(perms.ALERT_RESOLVE.code)
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = alerts.get_alert(viewer=request.user, pk=pk)
    try:
        services.resolve_alert(
            actor=request.user,
            alert=alert,
            expected_version=int(request.POST.get("version", 0)),
            resolution=request.POST.get("resolution", ""),
        )
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("analytics:inbox")


@page
@require_POST
@requires(perms.ALERT_EVALUATE.code)
def evaluate(request: HttpRequest) -> HttpResponse:
    services.ensure_may_evaluate(request.user)
    result = services.evaluate_alerts(actor=request.user)
    messages.success(
        request,
        _(
            "Checked the whole company: %(raised)s new warnings, %(still_open)s still open, "
            "%(cleared)s cleared."
        )
        % result.as_dict(),
    )
    return redirect("analytics:inbox")


@page
def drill(request: HttpRequest) -> HttpResponse:
    """The sales lines behind an actual: a person's (or a category's) month, or a category
    over the plan's months (paged; the lines the viewer may see)."""
    month = _month_param(request.GET.get("month", ""))
    if request.GET.get("metric") in FACT_METRICS:
        return _drill_facts(request, Metric(request.GET["metric"]), month)
    first, last = _month_param(request.GET.get("from", "")), _month_param(request.GET.get("to", ""))
    category = request.GET.get("category", "")
    if month is None and category.isdigit():
        plan_raw = request.GET.get("plan", "")
        plan = (
            plan_queries.get_plan(viewer=request.user, pk=int(plan_raw))
            if plan_raw.isdigit()
            else None
        )
        month = first or (plan.period_start if plan else timezone.localdate().replace(day=1))
        last = last or (plan.period_end.replace(day=1) if plan else month)
    elif month is None:
        month = timezone.localdate().replace(day=1)
    person = request.GET.get("person", "")
    lines = queries.drill_lines(
        viewer=request.user,
        person_id=int(person) if person.isdigit() else None,
        month=month,
        category_id=int(category) if category.isdigit() else None,
        last_month=last if last and last > month else None,
    )
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "month": month,
        "last": last if last and last > month else None,
        "total": queries.drill_total(lines),
        "back": _drill_back(request),
    }
    return render(request, "analytics/drill.html", context)


def _drill_back(request: HttpRequest) -> str:
    """The tracking view a drill-down came from (its filters, less the person it narrowed to)."""
    back = {k: request.GET[k] for k in TRACKING_PARAMS if request.GET.get(k) and k != "person"}
    if request.GET.get("back_person"):
        back["person"] = request.GET["back_person"]
    return urlencode(back)


def _drill_facts(request: HttpRequest, metric: Metric, month: dt.date | None) -> HttpResponse:
    """A person's month of 回款 or 费用: the collections, or the approved expense records — or
    the figure entered by hand, which replaces the records for that month."""
    month = month or timezone.localdate().replace(day=1)
    raw = request.GET.get("person", "")
    person = int(raw) if raw.isdigit() else None
    manual = queries.drill_manual(viewer=request.user, metric=metric, person_id=person, month=month)
    if metric == Metric.COLLECTIONS:
        rows = queries.drill_collections(viewer=request.user, person_id=person, month=month)
    else:
        rows = queries.drill_expenses(viewer=request.user, person_id=person, month=month)
    total = manual.value if manual else queries.drill_total(rows)
    context = {
        "metric": metric,
        "page": Paginator(rows, 100).get_page(request.GET.get("page")),
        "month": month,
        "manual": manual,
        "total": total,
        "back": _drill_back(request),
    }
    return render(request, "analytics/drill_facts.html", context)


@page
@require_POST
@requires(perms.SAVED_VIEW.code)
def save_view(request: HttpRequest) -> HttpResponse:
    """Keep the tracking page's current view under a name (a name already used is replaced)."""
    post = request.POST
    plan = post.get("plan", "")
    try:
        view = saved_tracking.save_view(
            actor=request.user,
            name=post.get("name", ""),
            plan_id=int(plan) if plan.isdigit() else None,
            metric=post.get("metric") or Metric.SALES_AMOUNT,
            group_by=post.get("group_by", ""),
            basis=post.get("basis", ""),
        )
    except DomainError as error:
        messages.error(
            request, " ".join([error.detail, *(m for v in error.fields.values() for m in v)])
        )
        return redirect("analytics:tracking")
    messages.success(request, _("View saved: %(name)s") % {"name": view.name})
    return redirect(f"{reverse('analytics:tracking')}?{urlencode(view.query())}")


@page
@require_POST
@requires(perms.SAVED_VIEW.code)
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    view = saved_tracking.get_saved_view(viewer=request.user, pk=pk)
    try:
        saved_tracking.delete_view(
            actor=request.user, view=view, expected_version=int(request.POST.get("version", 0))
        )
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("analytics:tracking")
