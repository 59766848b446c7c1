"""Ratings, scorecard templates, scorecards and improvement plans (G3, G4).

A scorecard is a person's evaluation of one month under a published template: its lines (one
per template item: the value, the score under the item's rule, the weight) are kept as JSON,
so a published scorecard shows what was computed whatever happens to the facts later.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.core.ownership import Ownership, RestrictedManager
from salescope.core.roles import Role
from salescope.performance.choices import (
    ItemKind,
    PlanStatus,
    ScorecardStatus,
    ScoringRule,
    TemplateStatus,
)

SETUP_EDITORS = {Role.ADMINISTRATOR: "*", Role.EXECUTIVE: "*", Role.SALES_DIRECTOR: "*"}
# Criteria and templates are published to everyone; only company-wide roles change them.
COMPANY_SETUP = Ownership(everyone={"view"}, company_roles=SETUP_EDITORS, shareable=False)
# A person's own evaluation: them, the managers above them, company-wide roles.
PERSONAL = Ownership(person="person", shareable=False)


class RatingCriterion(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    scale_max = models.PositiveSmallIntegerField(_("scale (1 to)"), default=5)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = COMPANY_SETUP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("rating criterion")
        verbose_name_plural = _("rating criteria")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """A manager's rating of a person on one criterion for one month, with a comment."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="performance_ratings",
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    criterion = models.ForeignKey(
        RatingCriterion,
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    month = models.DateField(_("month"))
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = PERSONAL
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["month", "criterion_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month", "criterion"], name="performance_rating_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month} {self.criterion_id}={self.score}"


class ScorecardTemplate(models.Model):
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.SALESPERSON
    )
    effective_from = models.DateField(_("effective from (month)"))
    status = models.CharField(
        _("status"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT
    )
    reward_top = models.PositiveSmallIntegerField(_("rewarded per unit"), default=1)
    improve_bottom = models.PositiveSmallIntegerField(_("improvement plans per unit"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = COMPANY_SETUP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        ordering = ["-effective_from", "pk"]

    def __str__(self) -> str:
        return self.name


class TemplateItem(models.Model):
    template = models.ForeignKey(
        ScorecardTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    code = models.CharField(_("measure"), max_length=40)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    rule = models.CharField(
        _("scoring rule"), max_length=10, choices=ScoringRule.choices, default=ScoringRule.CAPPED
    )
    target = models.DecimalField(
        _("target"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    threshold = models.DecimalField(
        _("threshold"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    cap = models.PositiveSmallIntegerField(_("cap (score)"), default=120)
    # [[lower bound, score], …] for the bands rule.
    bands = models.JSONField(_("bands"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    ownership = COMPANY_SETUP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        ordering = ["template_id", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code} {self.weight}%"


class Scorecard(models.Model):
    template = models.ForeignKey(
        ScorecardTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        related_name="scorecards",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="scorecards",
    )
    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=ScorecardStatus.choices,
        default=ScorecardStatus.COMPUTED,
    )
    lines = models.JSONField(_("lines"), default=list)
    total = models.DecimalField(_("score"), max_digits=7, decimal_places=2, default=0)
    rank = models.PositiveIntegerField(_("rank in unit"), null=True, blank=True)
    rank_of = models.PositiveIntegerField(_("people ranked"), null=True, blank=True)
    rewarded = models.BooleanField(_("marked for reward"), default=False)
    needs_improvement = models.BooleanField(_("improvement plan due"), default=False)
    review_comment = models.TextField(_("manager's comment"), blank=True)
    appeal_reason = models.TextField(_("appeal reason"), blank=True)
    appeal_answer = models.TextField(_("answer to the appeal"), blank=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = PERSONAL
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-month", "unit_id", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="performance_scorecard_once")
        ]
        indexes = [models.Index(fields=["month", "unit"], name="scorecard_month_unit")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m} {self.total}"


class ImprovementPlan(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="improvement_plans",
    )
    scorecard = models.ForeignKey(
        Scorecard,
        verbose_name=_("scorecard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvement_plans",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=6, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = PERSONAL
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.created_at:%Y-%m-%d}"


class ImprovementGoal(models.Model):
    plan = models.ForeignKey(
        ImprovementPlan,
        verbose_name=_("improvement plan"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    text = models.CharField(_("goal"), max_length=300)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=6, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )
    follow_up = models.TextField(_("follow-up"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="plan__person", shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("improvement goal")
        verbose_name_plural = _("improvement goals")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.text
