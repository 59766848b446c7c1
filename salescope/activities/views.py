"""Field activity pages: my visits (plan, today), a visit (check in/out, checklist, photos),
the team calendar with uncovered customers, work reports, the calendar feed."""

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salescope.activities import calendar_feed, queries, rules, services
from salescope.activities import permissions as perms
from salescope.activities.choices import ReportKind
from salescope.activities.forms import CheckOutForm, PlanVisitForm, ReportForm, ReviewForm
from salescope.core.errors import DomainError
from salescope.core.permissions import requires
from salescope.core.web import date_param, form_error, page, page_errors, paginate


def _say(request: HttpRequest, error: DomainError) -> None:
    parts = [m for msgs in error.fields.values() for m in msgs] or [error.detail]
    messages.error(request, " ".join(parts))


@page
@require_http_methods(["GET", "POST"])
@requires(perms.VISIT_PLAN.code)
def index(request: HttpRequest) -> HttpResponse:
    """My visits for a day and its week, and the form to plan one."""
    day = date_param(request, "day", timezone.localdate())
    monday, sunday = rules.week_of(day)
    customers = queries.customers_to_plan(viewer=request.user)
    form = PlanVisitForm(request.POST or None, customers=customers, initial={"planned_date": day})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.plan_visit(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Visit planned."))
            return redirect(f"{request.path}?day={visit.planned_date}")
        except DomainError as error:
            status = form_error(form, error)
    week = queries.list_visits(viewer=request.user, start=monday, end=sunday, owner=request.user.pk)
    context = {
        "day": day,
        "days": rules.days(monday, sunday),
        "visits": [v for v in week if v.planned_date == day],
        "week": week,
        "previous": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        "form": form,
        "feed": queries.own_feed(viewer=request.user),
    }
    return render(request, "activities/index.html", context, status=status)


@page
@require_POST
@requires(perms.VISIT_PLAN.code)
def plan_from_rules(request: HttpRequest) -> HttpResponse:
    day = date_param(request, "day", timezone.localdate())
    monday, sunday = rules.week_of(day)
    try:
        made = services.apply_coverage_rules(
            actor=request.user, owner=request.user, start=monday, end=sunday
        )
        messages.success(
            request, _("%(n)d visits planned from the coverage rules.") % {"n": len(made)}
        )
    except DomainError as error:
        _say(request, error)
    return redirect(f"/activities/?day={day}")


@page
@requires(perms.VISIT_RECORD.code)
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_visit(viewer=request.user, pk=pk)
    context = {
        "visit": found,
        "mine": found.owner_id == request.user.pk,
        "checklist": queries.checklist_of(viewer=request.user, visit=found),
        "photos": queries.photos_of(viewer=request.user, visit=found),
        "checkout": CheckOutForm(),
    }
    return render(request, "activities/visit.html", context)


@page
@require_POST
@requires(perms.VISIT_RECORD.code)
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_visit(viewer=request.user, pk=pk, action="change")
    try:
        done = services.check_in(
            actor=request.user,
            visit=found,
            latitude=request.POST.get("latitude"),
            longitude=request.POST.get("longitude"),
            accuracy=request.POST.get("accuracy"),
        )
        if done.is_far:
            messages.warning(
                request,
                _("Checked in %(m)d m from the customer's registered location.")
                % {"m": done.distance_m},
            )
        else:
            messages.success(request, _("Checked in."))
    except DomainError as error:
        _say(request, error)
    return redirect("activities:visit", pk=pk)


@page
@require_POST
@requires(perms.VISIT_RECORD.code)
def check_out(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_visit(viewer=request.user, pk=pk, action="change")
    form = CheckOutForm(request.POST)
    if form.is_valid():
        try:
            services.check_out(actor=request.user, visit=found, **form.cleaned_data)
            messages.success(request, _("Checked out."))
            return redirect("activities:visit", pk=pk)
        except DomainError as error:
            form_error(form, error)
    context = {
        "visit": found,
        "mine": True,
        "checklist": queries.checklist_of(viewer=request.user, visit=found),
        "photos": queries.photos_of(viewer=request.user, visit=found),
        "checkout": form,
    }
    return render(request, "activities/visit.html", context, status=422)


@page
@require_POST
@requires(perms.VISIT_CHANGE.code)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_visit(viewer=request.user, pk=pk, action="change")
    try:
        services.cancel_visit(
            actor=request.user, visit=found, expected_version=int(request.POST.get("version") or 0)
        )
        messages.success(request, _("Visit cancelled."))
    except DomainError as error:
        _say(request, error)
    return redirect(f"/activities/?day={found.planned_date}")


@page
@require_POST
@requires(perms.CHECKLIST_ANSWER.code)
def answer(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    found = queries.get_visit(viewer=request.user, pk=pk, action="change")
    try:
        services.answer_item(
            actor=request.user,
            visit=found,
            item=item_id,
            done=request.POST.get("done") == "on",
            feedback=request.POST.get("feedback", ""),
            number=request.POST.get("number"),
        )
    except DomainError as error:
        _say(request, error)
    return redirect(f"/activities/visits/{pk}/#checklist")


@page
@require_POST
@requires(perms.VISIT_RECORD.code)
def add_photo(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_visit(viewer=request.user, pk=pk, action="change")
    upload = request.FILES.get("photo")
    try:
        data = upload.read(services.PHOTO_MAX_BYTES + 1) if upload else b""
        services.add_photo(
            actor=request.user, visit=found, data=data, caption=request.POST.get("caption", "")
        )
        messages.success(request, _("Photo added."))
    except DomainError as error:
        _say(request, error)
    return redirect("activities:visit", pk=pk)


@page
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit photo, to whoever may see the visit; never a public path."""
    found = queries.get_photo(viewer=request.user, pk=pk)
    response = FileResponse(found.image.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@page
def team(request: HttpRequest) -> HttpResponse:
    """The team calendar (person × day of the week), customers the plans leave uncovered,
    checklist completion."""
    day = date_param(request, "day", timezone.localdate())
    monday, sunday = rules.week_of(day)
    context = {
        "day": day,
        "calendar": queries.team_calendar(viewer=request.user, start=monday, end=sunday),
        "uncovered": queries.uncovered_customers(viewer=request.user, day=day),
        "completion": queries.completion(
            viewer=request.user, start=rules.month_of(day)[0], end=rules.month_of(day)[1]
        ),
        "previous": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
    }
    return render(request, "activities/team.html", context)


@page
@require_http_methods(["GET", "POST"])
@requires(perms.REPORT_WRITE.code)
def reports(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        kind = request.POST.get("kind", ReportKind.DAILY)
        day = date_param(request, "day", timezone.localdate())
        try:
            report = services.draft_report(actor=request.user, kind=kind, day=day)
            return redirect("activities:report", pk=report.pk)
        except DomainError as error:
            _say(request, error)
    today = timezone.localdate()
    context = {
        "page": paginate(request, queries.list_reports(viewer=request.user)),
        "query": "",
        "today": today,
        "yesterday": today - dt.timedelta(days=1),
        "missing": queries.not_submitted(
            viewer=request.user, kind=ReportKind.DAILY, start=today - dt.timedelta(days=1)
        ),
    }
    return render(request, "activities/reports.html", context)


@page
@require_http_methods(["GET", "POST"])
@requires(perms.REPORT_WRITE.code)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_report(viewer=request.user, pk=pk)
    form = ReportForm(
        request.POST or None,
        initial={
            "summary": found.summary,
            "problems": found.problems,
            "next_plan": found.next_plan,
            "version": found.version,
        },
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.write_report(
                actor=request.user,
                report=found,
                expected_version=data.pop("version"),
                submit="submit" in request.POST,
                **data,
            )
            messages.success(request, _("Report saved."))
            return redirect("activities:report", pk=pk)
        except DomainError as error:
            status = form_error(form, error)
    context = {
        "report": found,
        "form": form,
        "review": ReviewForm(initial={"version": found.version, "rating": found.rating or 4}),
        "mine": found.author_id == request.user.pk,
    }
    return render(request, "activities/report.html", context, status=status)


@page
@require_POST
@requires(perms.REPORT_REVIEW.code)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_report(viewer=request.user, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_report(
                actor=request.user,
                report=found,
                expected_version=form.cleaned_data["version"],
                comment=form.cleaned_data["comment"],
                rating=form.cleaned_data["rating"],
            )
            messages.success(request, _("Comment sent."))
        except DomainError as error:
            _say(request, error)
    else:
        messages.error(request, _("Write a comment and choose a rating."))
    return redirect("activities:report", pk=pk)


@page
@require_POST
@requires(perms.FEED_RENEW.code)
def renew_feed(request: HttpRequest) -> HttpResponse:
    services.renew_feed(actor=request.user)
    messages.success(request, _("Your calendar address is new; the old one no longer works."))
    return redirect("activities:index")


@page_errors
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's visits as iCalendar, for a phone's calendar: the secret address is the
    sign-in (no session)."""
    person, visits = queries.feed_visits(token=token)
    body = calendar_feed.render(person, visits)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


@page
@require_http_methods(["GET", "POST"])
@requires(perms.SETUP_CHANGE.code)
def setup(request: HttpRequest) -> HttpResponse:
    """Coverage rules per tier and the checklist of each visit type (administrators, the
    sales director and executives change them; everyone reads them)."""
    if request.method == "POST":
        try:
            if request.POST.get("what") == "coverage":
                for tier in ("A", "B", "C", "D"):
                    services.set_coverage_rule(
                        actor=request.user,
                        tier=tier,
                        visits=int(request.POST.get(f"visits_{tier}") or 0),
                        period=request.POST.get(f"period_{tier}", "month"),
                    )
            else:
                services.save_checklist_template(
                    actor=request.user,
                    visit_type=request.POST.get("visit_type", ""),
                    name=request.POST.get("name", ""),
                    items=rules.checklist_lines(request.POST.get("lines", "")),
                )
            messages.success(request, _("Saved."))
            return redirect("activities:setup")
        except (DomainError, ValueError) as error:
            _say(request, error if isinstance(error, DomainError) else DomainError())
    context = {**queries.setup(viewer=request.user), "can_change": perms.can_set_up(request.user)}
    return render(request, "activities/setup.html", context)
