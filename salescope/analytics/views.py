"""Tracking pages: target vs actual, my targets, the warnings inbox, drill-down (B1, B2)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salescope.analytics import alerts, queries, services
from salescope.analytics import permissions as perms
from salescope.analytics.choices import AlertKind, AlertStatus
from salescope.analytics.forms import TrackingForm
from salescope.analytics.permissions import MANUAL_CREATE
from salescope.analytics.targets import target_variance
from salescope.core.errors import DomainError
from salescope.core.web import page
from salescope.org.permissions import allows, requires
from salescope.org.visibility import can
from salescope.plans import queries as plan_queries
from salescope.plans.choices import Metric
from salescope.plans.models import Plan

# The tracking page's filters a drill-down link carries, to come back to the same view.
TRACKING_PARAMS = ("plan", "metric", "group_by", "basis", "as_of")


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
    if plan is not None:
        report = target_variance(
            viewer=request.user,
            plan=plan,
            metric=data.get("metric") or Metric.SALES_AMOUNT,
            group_by=(data.get("group_by") or "region").split(","),
            as_of=data.get("as_of"),
            basis=data.get("basis") or None,
        )
    context = {
        "plan": plan,
        "plans": plans,
        "form": form,
        "report": report,
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
    try:
        month = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = timezone.localdate().replace(day=1)
    person = request.GET.get("person", "")
    lines = queries.drill_lines(
        viewer=request.user, person_id=int(person) if person.isdigit() else None, month=month
    )
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    back = {k: request.GET[k] for k in TRACKING_PARAMS if request.GET.get(k)}
    context = {
        "page": page,
        "month": month,
        "total": queries.drill_total(lines),
        "back": urlencode(back),
    }
    return render(request, "analytics/drill.html", context)
