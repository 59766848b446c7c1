"""The work calendar pages: the days of a year, add, change and delete one (administrators)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salescope.core import calendar
from salescope.core.calendar_forms import CalendarDayForm
from salescope.core.errors import DomainError
from salescope.core.permissions import CALENDAR_CHANGE, allows, requires
from salescope.core.web import form_error, page_errors


def _year_url(year: int) -> str:
    return f"{reverse('calendar:days')}?year={year}"


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 1900 < int(raw) < 3000 else timezone.localdate().year


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
@requires(CALENDAR_CHANGE.code)
def days(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = CalendarDayForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                made = calendar.create_day(actor=request.user, **data)
            except DomainError as error:
                status = form_error(form, error)
            else:
                messages.success(request, _("Day added to the work calendar."))
                return redirect(_year_url(made.date.year))
    years = sorted({year, timezone.localdate().year, *calendar.years_in_table()}, reverse=True)
    context = {
        "year": year,
        "years": years,
        "days": calendar.list_days(viewer=request.user, year=year),
        "official_years": calendar.official_years(),
        "form": form,
        "can_manage": allows(request.user, CALENDAR_CHANGE.code),
    }
    return render(request, "core/calendar/days.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
@requires(CALENDAR_CHANGE.code)
def day(request: HttpRequest, day_id: int) -> HttpResponse:
    found = calendar.get_day(viewer=request.user, pk=day_id)
    initial = {"version": found.version, "date": found.date, "kind": found.kind, "name": found.name}
    form = CalendarDayForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version") or 0
            try:
                calendar.update_day(actor=request.user, day=found, expected_version=version, **data)
            except DomainError as error:
                status = form_error(form, error)
            else:
                messages.success(request, _("Calendar day saved."))
                return redirect("calendar:day", day_id=found.pk)
    context = {
        "day": found,
        "form": form,
        "history": calendar.day_history(found),
        "can_manage": allows(request.user, CALENDAR_CHANGE.code),
    }
    return render(request, "core/calendar/day.html", context, status=status)


@require_POST
@login_required
@page_errors
@requires(CALENDAR_CHANGE.code)
def delete(request: HttpRequest, day_id: int) -> HttpResponse:
    found = calendar.get_day(viewer=request.user, pk=day_id)
    raw = request.POST.get("version", "")
    try:
        calendar.delete_day(
            actor=request.user, day=found, expected_version=int(raw) if raw.isdigit() else 0
        )
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("calendar:day", day_id=found.pk)
    messages.success(request, _("Calendar day deleted."))
    return redirect(_year_url(found.date.year))


@require_POST
@login_required
@page_errors
@requires(CALENDAR_CHANGE.code)
def load(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    result = calendar.load_official(actor=request.user, years=[year])
    if result.missing_years:
        messages.warning(
            request,
            _(
                "The official schedule for %(year)s is not published in this version yet; "
                "add its days by hand."
            )
            % {"year": year},
        )
    else:
        messages.success(
            request,
            _("%(created)s official days added, %(kept)s already there.")
            % {"created": result.created, "kept": result.kept},
        )
    return redirect(_year_url(year))
