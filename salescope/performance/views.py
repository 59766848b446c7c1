"""Evaluation's pages (考核与激励): the KPI library, scorecards, leaderboards. Thin."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from salescope.core.periods import add_months, month_start
from salescope.core.web import int_param, page
from salescope.performance import queries


def _month(request: HttpRequest):  # noqa: ANN202 - date
    raw = request.GET.get("period", "")
    if raw:
        return queries.parse_period(raw)
    return add_months(month_start(timezone.localdate()), -1)


@page
def index(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    month = _month(request)
    group_by = request.GET.get("group_by", "salesperson")
    report = queries.kpi_report(
        viewer=viewer,
        month=month,
        group_by=group_by,
        unit=queries.unit_ref(viewer=viewer, pk=int_param(request, "unit")),
    )
    context = {
        "report": report,
        "period": month.strftime("%Y-%m"),
        "group_by": group_by,
        "tab": "kpis",
    }
    return render(request, "performance/kpis.html", context)


@page
def drill(request: HttpRequest, person_id: int, kpi: str) -> HttpResponse:
    viewer = request.user
    month = _month(request)
    person = queries.person_ref(viewer=viewer, pk=person_id)
    facts = queries.drill(viewer=viewer, person=person, month=month, kpi=kpi)
    context = {"facts": facts, "person": person, "period": month.strftime("%Y-%m"), "tab": "kpis"}
    return render(request, "performance/drill.html", context)
