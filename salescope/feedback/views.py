"""Feedback's pages (信息反馈): market intelligence, problems, guidance. Thin: forms in,
services write, queries read."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from salescope.core.errors import DomainError
from salescope.core.permissions import allows
from salescope.core.web import date_param, form_error, int_param, page, paginate
from salescope.feedback import forms, queries, services
from salescope.feedback import permissions as perms
from salescope.feedback.choices import CaseOutcome, IntelKind, ProblemStatus
from salescope.org.permissions import requires


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A write refused by the service (stale version → 409; anything else with its status)."""
    return render(request, "409.html", {"detail": error.detail}, status=error.status)


@page
def index(request: HttpRequest) -> HttpResponse:
    return redirect("feedback:intelligence")


@page
def intelligence(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    entries = queries.intelligence_page(
        viewer=request.user,
        raw_page=request.GET.get("page"),
        q=q,
        kind=kind,
        region=int_param(request, "region"),
        product=int_param(request, "product"),
        customer=int_param(request, "customer"),
        competitor=request.GET.get("competitor", "").strip(),
    )
    context = {"page": entries, "q": q, "kind": kind, "kinds": IntelKind.choices}
    return render(request, "feedback/intelligence.html", {**context, "tab": "intelligence"})


@page
@requires(perms.INTEL_CREATE.code)
def intelligence_new(request: HttpRequest) -> HttpResponse:
    form = forms.IntelligenceForm(request.POST or None, viewer=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.record_intelligence(actor=request.user, **form.cleaned_data)
            return redirect("feedback:intelligence-detail", pk=entry.pk)
        except DomainError as error:
            status = form_error(form, error)
    elif request.method == "POST":
        status = 422
    context = {"form": form, "tab": "intelligence", "heading": "intelligence"}
    return render(request, "feedback/form.html", context, status=status)


@page
def intelligence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = queries.get_intelligence(viewer=request.user, pk=pk)
    return render(
        request, "feedback/intelligence_detail.html", {"entry": entry, "tab": "intelligence"}
    )


@page
def digest(request: HttpRequest) -> HttpResponse:
    by = "product" if request.GET.get("by") == "product" else "region"
    week_of = date_param(request, "week", timezone.localdate())
    rows = queries.weekly_digest(viewer=request.user, week_of=week_of, by=by)
    context = {"rows": rows, "by": by, "week_of": week_of, "tab": "digest"}
    return render(request, "feedback/digest.html", context)


@page
def problems(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", ProblemStatus.OPEN)
    if status not in ProblemStatus.values:
        status = ""
    mine = request.GET.get("mine") == "1"
    listed = queries.list_problems(viewer=request.user, status=status, mine=mine)
    context = {
        "page": paginate(request, listed),
        "status": status,
        "mine": mine,
        "report": queries.problem_report(viewer=request.user),
        "today": timezone.localdate(),
        "tab": "problems",
    }
    return render(request, "feedback/problems.html", context)


@page
@requires(perms.PROBLEM_CREATE.code)
def problem_new(request: HttpRequest) -> HttpResponse:
    form = forms.ProblemForm(request.POST or None, viewer=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.raise_problem(actor=request.user, **form.cleaned_data)
            return redirect("feedback:problem", pk=problem.pk)
        except DomainError as error:
            status = form_error(form, error)
    elif request.method == "POST":
        status = 422
    context = {"form": form, "tab": "problems", "heading": "problem"}
    return render(request, "feedback/form.html", context, status=status)


@page
@requires(perms.PROBLEM_RESOLVE.code)
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = queries.get_problem(viewer=request.user, pk=pk)
    form = forms.ResolveForm(request.POST or None, initial={"version": problem.version})
    status = 200
    if request.method == "POST":
        problem = queries.get_problem(viewer=request.user, pk=pk, action="change")
        if form.is_valid():
            try:
                services.resolve_problem(
                    actor=request.user,
                    problem=problem,
                    expected_version=form.cleaned_data["version"],
                    resolution=form.cleaned_data["resolution"],
                )
                return redirect("feedback:problem", pk=problem.pk)
            except DomainError as error:
                status = form_error(form, error)
        else:
            status = 422
    context = {"problem": problem, "form": form, "tab": "problems", "today": timezone.localdate()}
    return render(request, "feedback/problem_detail.html", context, status=status)


@page
def guidance(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "")
    listed = queries.list_guidance(viewer=request.user, scope=scope)
    context = {
        "page": paginate(request, listed),
        "scope": scope,
        "can_give": allows(request.user, perms.GUIDANCE_CREATE.code),
        "tab": "guidance",
    }
    return render(request, "feedback/guidance.html", context)


@page
@requires(perms.GUIDANCE_CREATE.code)
def guidance_new(request: HttpRequest) -> HttpResponse:
    form = forms.GuidanceForm(request.POST or None, viewer=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            given = services.give_guidance(actor=request.user, **form.cleaned_data)
            return redirect("feedback:guidance-detail", pk=given.pk)
        except DomainError as error:
            status = form_error(form, error)
    elif request.method == "POST":
        status = 422
    context = {"form": form, "tab": "guidance", "heading": "guidance"}
    return render(request, "feedback/form.html", context, status=status)


@page
def guidance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_guidance(viewer=request.user, pk=pk)
    context = {
        "item": item,
        "ack_form": forms.VersionForm(initial={"version": item.version}),
        "follow_form": forms.FollowUpForm(initial={"version": item.version}),
        "can_follow_up": item.person_id != request.user.pk
        and allows(request.user, perms.GUIDANCE_FOLLOW_UP.code),
        "tab": "guidance",
    }
    return render(request, "feedback/guidance_detail.html", context)


@page
@requires(perms.GUIDANCE_ACKNOWLEDGE.code)
def guidance_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    queries.get_guidance(viewer=request.user, pk=pk)  # hidden → the same 404 as missing (R1)
    if request.method == "POST":
        item = queries.get_guidance(viewer=request.user, pk=pk, action="change")
        form = forms.VersionForm(request.POST)
        if form.is_valid():
            try:
                services.acknowledge_guidance(
                    actor=request.user, guidance=item, expected_version=form.cleaned_data["version"]
                )
            except DomainError as error:
                return _refused(request, error)
    return redirect("feedback:guidance-detail", pk=pk)


@page
@requires(perms.GUIDANCE_FOLLOW_UP.code)
def guidance_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    queries.get_guidance(viewer=request.user, pk=pk)  # hidden → the same 404 as missing (R1)
    if request.method == "POST":
        item = queries.get_guidance(viewer=request.user, pk=pk, action="change")
        form = forms.FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.follow_up_guidance(
                    actor=request.user,
                    guidance=item,
                    expected_version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                return _refused(request, error)
    return redirect("feedback:guidance-detail", pk=pk)


# --- case reviews (G6) ------------------------------------------------------------------------


@page
def cases(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    outcome = request.GET.get("outcome", "")
    tag = request.GET.get("tag", "").strip()
    found = queries.list_cases(
        viewer=request.user,
        q=q,
        outcome=outcome,
        tag=tag,
        customer=int_param(request, "customer"),
    )
    context = {"page": paginate(request, found), "q": q, "outcome": outcome, "tag": tag}
    context.update(outcomes=CaseOutcome.choices, tab="cases", heading="cases")
    return render(request, "feedback/cases.html", context)


@page
def lessons(request: HttpRequest) -> HttpResponse:
    found = queries.list_cases(viewer=request.user, lessons=True)
    context = {"page": paginate(request, found), "tab": "lessons", "heading": "lessons"}
    return render(request, "feedback/cases.html", context)


@page
@requires(perms.CASE_CREATE.code)
def case_new(request: HttpRequest) -> HttpResponse:
    form = forms.CaseReviewForm(request.POST or None, viewer=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case = services.write_case_review(actor=request.user, **form.cleaned_data)
            return redirect("feedback:case", pk=case.pk)
        except DomainError as error:
            status = form_error(form, error)
    elif request.method == "POST":
        status = 422
    context = {"form": form, "tab": "cases", "heading": "case"}
    return render(request, "feedback/form.html", context, status=status)


@page
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case(viewer=request.user, pk=pk)
    context = {
        "case": case,
        "visits": queries.case_visits(viewer=request.user, case=case),
        "can_mark": allows(request.user, perms.CASE_MARK_LESSON.code),
        "tab": "cases",
    }
    return render(request, "feedback/case_detail.html", context)


@page
@requires(perms.CASE_MARK_LESSON.code)
def case_lesson(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return case_detail(request, pk)
    case = queries.get_case(viewer=request.user, pk=pk, action="change")
    form = forms.LessonForm(request.POST)
    if form.is_valid():
        try:
            services.mark_lesson(
                actor=request.user,
                case=case,
                expected_version=form.cleaned_data["version"],
                is_lesson=form.cleaned_data["is_lesson"],
            )
        except DomainError as error:
            return _refused(request, error)
    return redirect("feedback:case", pk=case.pk)
