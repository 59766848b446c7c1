"""Evaluation's pages (考核与激励): the KPI library, scorecards, leaderboards. Thin."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from salescope.core.errors import DomainError
from salescope.core.permissions import allows
from salescope.core.web import form_error, int_param, page
from salescope.org.permissions import requires
from salescope.performance import forms, queries, services
from salescope.performance import permissions as perms
from salescope.performance.models import ScorecardTemplate
from salescope.performance.rules import KPIS


def _month(request: HttpRequest):  # noqa: ANN202 - date
    raw = request.GET.get("period", "")
    if raw:
        return queries.parse_period(raw)
    return queries.last_month()


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
    if kpi not in KPIS:
        raise Http404  # the KPI is part of the address: an unknown one is a missing page
    viewer = request.user
    month = _month(request)
    person = queries.person_ref(viewer=viewer, pk=person_id)
    facts = queries.drill(viewer=viewer, person=person, month=month, kpi=kpi)
    context = {"facts": facts, "person": person, "period": month.strftime("%Y-%m"), "tab": "kpis"}
    return render(request, "performance/drill.html", context)


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "409.html", {"detail": error.detail}, status=error.status)


@page
def scorecards(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    month = _month(request)
    cards = queries.list_scorecards(viewer=viewer, month=month)
    context = {
        "cards": cards,
        "period": month.strftime("%Y-%m"),
        "templates": queries.templates(viewer=viewer),
        "tab": "scorecards",
    }
    return render(request, "performance/scorecards.html", context)


@page
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    card = queries.get_scorecard(viewer=viewer, pk=pk)
    mine = card.person_id == viewer.pk
    context = {
        "card": card,
        "lines": queries.scorecard_lines(card),
        "ratings": queries.ratings_of(viewer=viewer, person=card.person, month=card.month),
        "criteria": queries.criteria(viewer=viewer),
        "plans": queries.improvement_plans(viewer=viewer).filter(scorecard=card),
        "mine": mine,
        "manage": not mine and allows(viewer, perms.SCORECARD_REVIEW.code),
        "step_form": forms.StepForm(initial={"version": card.version}),
        "rating_form": forms.RatingForm(),
        "plan_form": forms.PlanForm(),
        "tab": "scorecards",
    }
    return render(request, "performance/scorecard.html", context)


def _step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    viewer = request.user
    queries.get_scorecard(viewer=viewer, pk=pk)  # hidden → the same 404 as missing
    if request.method == "POST":
        card = queries.get_scorecard(viewer=viewer, pk=pk, action="change")
        form = forms.StepForm(request.POST)
        if form.is_valid():
            version, text = form.cleaned_data["version"], form.cleaned_data["text"]
            try:
                if step == "review":
                    services.review_scorecard(
                        actor=viewer, card=card, expected_version=version, comment=text
                    )
                elif step == "publish":
                    services.publish_scorecard(actor=viewer, card=card, expected_version=version)
                elif step == "answer":
                    services.answer_appeal(
                        actor=viewer, card=card, expected_version=version, answer=text
                    )
                elif step == "acknowledge":
                    services.acknowledge_scorecard(
                        actor=viewer, card=card, expected_version=version
                    )
                else:
                    services.appeal_scorecard(
                        actor=viewer, card=card, expected_version=version, reason=text
                    )
            except DomainError as error:
                return _refused(request, error)
    return redirect("performance:scorecard", pk=pk)


@page
@requires(perms.SCORECARD_REVIEW.code)
def scorecard_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "review")


@page
@requires(perms.SCORECARD_REVIEW.code)
def scorecard_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "publish")


@page
@requires(perms.SCORECARD_REVIEW.code)
def scorecard_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "answer")


@page
@requires(perms.SCORECARD_RESPOND.code)
def scorecard_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "acknowledge")


@page
@requires(perms.SCORECARD_RESPOND.code)
def scorecard_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "appeal")


@page
@requires(perms.RATE.code)
def scorecard_rate(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    card = queries.get_scorecard(viewer=viewer, pk=pk)
    if request.method == "POST":
        form = forms.RatingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rate(
                    actor=viewer,
                    person=card.person,
                    criterion=queries.criterion_ref(viewer=viewer, code=data["criterion"]),
                    month=card.month,
                    score=data["score"],
                    comment=data["comment"],
                    expected_version=data["version"],
                )
            except DomainError as error:
                return _refused(request, error)
    return redirect("performance:scorecard", pk=pk)


@page
@requires(perms.IMPROVEMENT_MANAGE.code)
def scorecard_plan(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    card = queries.get_scorecard(viewer=viewer, pk=pk)
    if request.method == "POST":
        form = forms.PlanForm(request.POST)
        if form.is_valid():
            try:
                services.create_improvement_plan(
                    actor=viewer,
                    person=card.person,
                    scorecard=card,
                    goals=form.cleaned_data["goals"],
                )
            except DomainError as error:
                return _refused(request, error)
    return redirect("performance:scorecard", pk=pk)


@page
def leaderboard(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    month = _month(request)
    rows = queries.leaderboard(
        viewer=viewer,
        month=month,
        unit=queries.unit_ref(viewer=viewer, pk=int_param(request, "unit")),
    )
    context = {"rows": rows, "period": month.strftime("%Y-%m"), "tab": "leaderboard"}
    return render(request, "performance/leaderboard.html", context)


@page
def improvement(request: HttpRequest) -> HttpResponse:
    plans = queries.improvement_plans(viewer=request.user)
    context = {"plans": plans, "tab": "improvement"}
    return render(request, "performance/improvement.html", context)


@page
@requires(perms.IMPROVEMENT_FOLLOW.code)
def goal_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    queries.get_goal(viewer=viewer, pk=pk)
    if request.method == "POST":
        goal = queries.get_goal(viewer=viewer, pk=pk, action="change")
        form = forms.FollowUpForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.follow_up_goal(
                    actor=viewer,
                    goal=goal,
                    expected_version=data["version"],
                    note=data["note"],
                    done=data["done"],
                )
            except DomainError as error:
                return _refused(request, error)
    return redirect("performance:improvement")


# --- scorecard templates (G4): lines, weights, scoring rules, criteria ------------------------


@page
def templates(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    context = {
        "templates": queries.templates(viewer=viewer),
        "can_manage": allows(viewer, perms.TEMPLATE_MANAGE.code),
        "tab": "templates",
    }
    return render(request, "performance/templates.html", context)


@page
@requires(perms.CRITERION_MANAGE.code)
def criteria(request: HttpRequest) -> HttpResponse:
    """评分维度: the criteria managers rate on, and a form to add one (for those who may)."""
    viewer = request.user
    form = forms.CriterionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            criterion = services.add_criterion(
                actor=viewer,
                code=data["code"],
                name=data["name"],
                scale_max=data["scale_max"],
                description=data["description"],
            )
        except DomainError as error:
            status = form_error(form, error)
        else:
            messages.success(request, _("Criterion added: %(name)s") % {"name": criterion.name})
            return redirect("performance:criteria")
    elif request.method == "POST":
        status = 422
    context = {
        "criteria": queries.criteria(viewer=viewer),
        "form": form,
        "can_manage": allows(viewer, perms.CRITERION_MANAGE.code),
        "tab": "templates",
    }
    return render(request, "performance/criteria.html", context, status=status)


def _template_form(request: HttpRequest, template: ScorecardTemplate | None = None) -> HttpResponse:
    """The new/edit page of a draft template: its head and its lines (a formset). Saving is
    for those who may write templates (``requires``: 403 on POST)."""
    viewer = request.user
    if template is None:
        initial: dict = {"effective_from": queries.next_month()}
        lines: list = []
    else:
        initial = {
            "version": template.version,
            "name": template.name,
            "role": template.role,
            "effective_from": template.effective_from,
            "reward_top": template.reward_top,
            "improve_bottom": template.improve_bottom,
        }
        lines = forms.item_initial(template.items.all())
    data = request.POST if request.method == "POST" else None
    form = forms.TemplateForm(data, initial=initial)
    items = forms.ItemFormSet(data, initial=lines, prefix="items")
    status = 200
    if data is not None:
        if form.is_valid() and items.is_valid():
            head = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                if template is None:
                    template = services.create_template(actor=viewer, items=items.items(), **head)
                else:
                    services.change_template(
                        actor=viewer,
                        template=template,
                        expected_version=form.cleaned_data["version"] or 0,
                        items=items.items(),
                        **head,
                    )
                return redirect("performance:templates")
            except DomainError as error:
                status = form_error(form, error)
        else:
            status = 422
    context = {"form": form, "items": items, "template": template, "tab": "templates"}
    return render(request, "performance/template_form.html", context, status=status)


@page
@requires(perms.TEMPLATE_MANAGE.code)
def template_new(request: HttpRequest) -> HttpResponse:
    return _template_form(request)


@page
@requires(perms.TEMPLATE_MANAGE.code)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = queries.get_template(viewer=request.user, pk=pk)
    if request.method == "POST":
        template = queries.get_template(viewer=request.user, pk=pk, action="change")
    return _template_form(request, template)


@page
@requires(perms.TEMPLATE_MANAGE.code)
def template_publish(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    queries.get_template(viewer=viewer, pk=pk)  # hidden → the same 404 as missing
    if request.method != "POST":
        return templates(request)
    template = queries.get_template(viewer=viewer, pk=pk, action="change")
    form = forms.StepForm(request.POST)
    if form.is_valid():
        try:
            services.publish_template(
                actor=viewer, template=template, expected_version=form.cleaned_data["version"]
            )
        except DomainError as error:
            return _refused(request, error)
    return redirect("performance:templates")
