"""Pipelines (销售漏斗) per product line, their stages with gates and guidance (推进指导), and
opportunities (销售机会/商机) moved through them, with their stage history (C4, B2).

Money is integer fen; probabilities are whole percent (0–100).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salescope.core.money import from_fen
from salescope.core.ownership import Ownership, RestrictedManager
from salescope.core.roles import Role
from salescope.pipeline.choices import ForecastCategory, LostReason, StageKind

CONFIG_OWNERSHIP = Ownership(
    everyone={"view"},
    company_roles={Role.ADMINISTRATOR: "*", Role.SALES_DIRECTOR: "*"},
    shareable=False,
)


class Pipeline(models.Model):
    """One product line's sales process: its stages in order."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    product_line = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pipelines",
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = CONFIG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """A stage of a pipeline. Its exit criteria (``required_fields``, ``checklist``) are the
    gate an opportunity passes to move forward; ``guidance`` and ``risks`` are shown on the
    opportunity page while it sits here; ``rotting_days`` is how long before it is stuck."""

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(pgettext_lazy("stage position", "order"))
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices, default="open")
    probability = models.PositiveSmallIntegerField(_("default probability (%)"), default=10)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=12,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    # Opportunity fields that must be filled to leave this stage (e.g. ["customer", "amount"]).
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)
    # Items that must be ticked to leave this stage (e.g. ["确认采购预算", "找到决策人"]).
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    guidance = models.TextField(_("guidance"), blank=True)
    risks = models.TextField(_("typical risks"), blank=True)
    rotting_days = models.PositiveSmallIntegerField(_("stuck after (days)"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = CONFIG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_unique_order"),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_max_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != StageKind.OPEN


class Opportunity(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # The id another CRM gave it (an import's natural key: re-importing updates, never doubles).
    external_id = models.CharField(
        _("external id"), max_length=60, null=True, blank=True, unique=True
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    # The account as an import named it when no customer matched (the deal is incomplete).
    account_name = models.CharField(_("account as imported"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities"
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=10)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=12,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    source = models.CharField(_("source"), max_length=60, blank=True)
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    decision_maker = models.CharField(_("decision maker"), max_length=100, blank=True)
    competitor = models.CharField(_("competitor"), max_length=100, blank=True)
    # Checklist items of any stage ticked so far (their text).
    checklist_done = models.JSONField(_("checklist done"), default=list, blank=True)
    lost_reason = models.CharField(
        _("lost reason"), max_length=20, choices=LostReason.choices, blank=True
    )
    lost_note = models.CharField(_("lost note"), max_length=300, blank=True)
    # The ledger order created from this won opportunity (at most one).
    order = models.OneToOneField(
        "ledger.Order",
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunity",
    )
    # The order of the furthest open (or won) stage reached: the funnel counts deals by it
    # instead of reading the stage history (kept by the services on every move).
    furthest_order = models.PositiveSmallIntegerField(_("furthest stage reached"), default=0)
    stage_entered_at = models.DateTimeField(_("in stage since"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="owner")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_close", "id"]
        indexes = [
            models.Index(fields=["owner", "stage"], name="opp_owner_stage"),
            models.Index(fields=["stage", "expected_close"], name="opp_stage_close"),
            models.Index(fields=["expected_close"], name="opp_close"),
            # Covers the kanban's column totals and the report (funnel, conversion, win rate,
            # cycle) so they read this index alone, in stage order, never the wide rows
            # (bench/bench_pipeline.py: 400k deals).
            models.Index(
                fields=[
                    "stage",
                    "lost_reason",
                    "pipeline",
                    "furthest_order",
                    "owner",
                    "amount_fen",
                    "probability",
                    "created_at",
                    "closed_at",
                    "id",
                ],
                name="opp_board_report",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="opp_probability_max_100"
            ),
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0), name="opp_amount_ge_0"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)

    @property
    def weighted_fen(self) -> int:
        return self.amount_fen * self.probability // 100

    @property
    def weighted(self) -> Decimal:
        return from_fen(self.weighted_fen)


class StageChange(models.Model):
    """One move of an opportunity into a stage (its creation is the first, from none)."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Seconds spent in ``from_stage`` before this move.
    seconds_in_previous = models.BigIntegerField(default=0)
    override_reason = models.CharField(_("override reason"), max_length=500, blank=True)

    ownership = Ownership(person="opportunity__owner", shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["to_stage", "at"], name="stagechange_stage_at"),
            models.Index(fields=["opportunity", "at"], name="stagechange_opp_at"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"

    @property
    def days_in_previous(self) -> int:
        return self.seconds_in_previous // 86400


class ForecastAdjustment(models.Model):
    """A manager's own figure for a month (经理调整): what they commit to, beside the sum."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.PROTECT,
        related_name="forecast_adjustments",
    )
    month = models.DateField(_("month"))
    amount_fen = models.BigIntegerField(_("adjusted amount (fen)"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="manager")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("forecast adjustment")
        verbose_name_plural = _("forecast adjustments")
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["manager", "month"], name="forecast_adj_unique")
        ]

    def __str__(self) -> str:
        return f"{self.manager_id} {self.month:%Y-%m}"

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)


class WinModel(models.Model):
    """A fitted win-probability model (赢单概率模型) learnt from the company's closed deals: the
    newest row is the one in use. ``model`` is the scikit-learn pipeline, serialised by joblib;
    empty when there were too few closed deals to learn from."""

    fitted_at = models.DateTimeField(_("fitted"))
    closed_deals = models.PositiveIntegerField(_("closed deals"))
    model = models.BinaryField(_("model"), null=True, blank=True, editable=False)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)

    ownership = CONFIG_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("win-probability model")
        verbose_name_plural = _("win-probability models")
        ordering = ["-fitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.fitted_at:%Y-%m-%d %H:%M} ({self.closed_deals})"
