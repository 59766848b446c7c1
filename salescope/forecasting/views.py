"""Forecasting's pages: next quarter's forecast against the plan with its accuracy, every
series, and demand vs stock. Thin: queries read, the one service queues a refit."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salescope.core.permissions import allows
from salescope.core.web import date_param, int_param, page, paginate
from salescope.forecasting import permissions as perms
from salescope.forecasting import queries, services
from salescope.forecasting.choices import DemandSource, RiskKind, SeriesLevel
from salescope.org.permissions import requires


def _context(request: HttpRequest, tab: str) -> dict:
    return {"tab": tab, "may_run": allows(request.user, perms.RUN.code)}


@page
def outlook(request: HttpRequest) -> HttpResponse:
    data = queries.outlook(viewer=request.user, as_of=timezone.localdate())
    return render(request, "forecasting/outlook.html", {**_context(request, "outlook"), **data})


@page
def series(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", SeriesLevel.CATEGORY)
    if level not in SeriesLevel.values:
        level = SeriesLevel.CATEGORY
    rows = queries.series_rows(viewer=request.user, level=level)
    context = {
        **_context(request, "series"),
        "rows": rows,
        "level": level,
        "levels": SeriesLevel.choices,
        "run": queries.latest_run(viewer=request.user),
    }
    return render(request, "forecasting/series.html", context)


@page
def stock(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in RiskKind.values:
        kind = ""
    try:
        weeks = min(max(int(request.GET.get("weeks", queries.DEFAULT_WEEKS)), 1), 52)
    except ValueError:
        weeks = queries.DEFAULT_WEEKS
    demand = request.GET.get("demand", DemandSource.FORECAST)
    if demand not in DemandSource.values:
        demand = DemandSource.FORECAST
    as_of = date_param(request, "as_of", timezone.localdate()) or timezone.localdate()
    region = int_param(request, "region")
    data = queries.demand_vs_stock(
        viewer=request.user, as_of=as_of, weeks=weeks, kind=kind, demand=demand, region=region
    )
    risks = data.pop("risks")
    context = {**_context(request, "stock"), **data, "kind": kind, "kinds": RiskKind.choices}
    context |= {"demand": demand, "demand_sources": DemandSource.choices}
    context |= {"page": paginate(request, risks, count=len(risks)), "region": region}
    context |= {"regions": queries.warehouse_regions()}
    context["query"] = urlencode(
        {"kind": kind, "demand": demand, "weeks": weeks, "as_of": as_of, "region": region or ""}
    )
    return render(request, "forecasting/stock.html", {**context, "weeks_count": weeks})


@page
@require_POST
@requires(perms.RUN.code)
def request_run(request: HttpRequest) -> HttpResponse:
    services.request_run(actor=request.user)
    messages.success(request, _("A refit of the forecasts is queued."))
    return redirect("forecasting:series")
