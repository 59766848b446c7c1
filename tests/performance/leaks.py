"""The evaluation routes in the leak and permission matrices (tests/visibility)."""

import datetime as dt

from salescope.performance.models import (
    ImprovementGoal,
    ImprovementPlan,
    Scorecard,
    ScorecardTemplate,
)
from tests.visibility.registry import Target, register

MONTH = dt.date(2026, 10, 1)


def make_template(author):
    return ScorecardTemplate.objects.create(
        name="模板", role="salesperson", effective_from=MONTH, created_by=author
    )


def make_scorecard(person):
    template = ScorecardTemplate.objects.unrestricted().first() or make_template(person)
    return Scorecard.objects.create(
        template=template, person=person, unit=person.unit, month=MONTH, total=50
    )


@register("performance:drill", "/api/v1/performance/kpis/{person_id}/{kpi}")
def kpi_drill(personas, owner):
    return Target(params={"person_id": owner.pk, "kpi": "sales"}, obj=owner)


@register(
    "performance:template-edit",
    "performance:template-publish",
    "/api/v1/performance/templates/{template_id}/publish",
)
def template(personas, owner):
    made = make_template(owner)
    return Target(
        params={"pk": made.pk, "template_id": made.pk},
        obj=made,
        everyone_sees=True,
        bodies={"POST": {"version": made.version}},
    )


@register(
    "performance:scorecard",
    "performance:scorecard-review",
    "performance:scorecard-publish",
    "performance:scorecard-answer",
    "performance:scorecard-acknowledge",
    "performance:scorecard-appeal",
    "performance:scorecard-rate",
    "performance:scorecard-plan",
    "/api/v1/performance/scorecards/{card_id}",
    "/api/v1/performance/scorecards/{card_id}/review",
    "/api/v1/performance/scorecards/{card_id}/publish",
    "/api/v1/performance/scorecards/{card_id}/answer",
    "/api/v1/performance/scorecards/{card_id}/acknowledge",
    "/api/v1/performance/scorecards/{card_id}/appeal",
)
def scorecard(personas, owner):
    card = make_scorecard(owner)
    return Target(
        params={"pk": card.pk, "card_id": card.pk},
        obj=card,
        bodies={"POST": {"version": card.version, "text": "理由"}},
    )


@register("performance:goal-follow-up", "/api/v1/performance/improvement-goals/{goal_id}/follow-up")
def goal(personas, owner):
    plan = ImprovementPlan.objects.create(person=owner, created_by=owner)
    made = ImprovementGoal.objects.create(plan=plan, text="多拜访", deadline=MONTH)
    return Target(
        params={"pk": made.pk, "goal_id": made.pk},
        obj=made,
        bodies={"POST": {"version": made.version, "note": "跟进"}},
    )
