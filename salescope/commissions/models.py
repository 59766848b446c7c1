"""Commission plans, their assignments, and statements per person and month (提成, G5).

Money in integer fen, rates and attainments in basis points (``rules``). An approved statement
is frozen: a recomputation that finds other figures writes the next revision, pointing at the
one it replaces, so the difference is shown and nothing approved is ever rewritten.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salescope.commissions import rules
from salescope.commissions.choices import Base, PlanStatus, StatementStatus
from salescope.core.money import from_fen
from salescope.core.ownership import Ownership, RestrictedManager
from salescope.org.choices import Role

PLAN_ACTIONS = {"view", "change", "approve"}
STATEMENT_ACTIONS = {"view", "approve"}
# Finance pays commissions: it reads every statement, approves them and prepares plans.
FINANCE_PLANS = {Role.FINANCE: {"view", "change"}}
FINANCE_STATEMENTS = {Role.FINANCE: {"view", "approve"}}


class CommissionPlan(models.Model):
    """Tiers by attainment of a sales plan's targets, paid on a base (sales, gross profit or
    collections), with an optional cap per person and month. Draft → approved; published to
    everyone (the rules are known in advance), frozen once approved."""

    name = models.CharField(_("name"), max_length=200)
    base = models.CharField(_("base"), max_length=20, choices=Base.choices)
    attainment_metric = models.CharField(
        _("attainment of"), max_length=20, choices=Base.choices, default=Base.SALES_AMOUNT
    )
    target_plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("sales plan (targets)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # [[threshold_bp, rate_bp], …]: see rules.validate_tiers
    tiers = models.JSONField(_("tiers"), default=list)
    cap_fen = models.BigIntegerField(_("cap per month (fen)"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(
        person="owner",
        actions=PLAN_ACTIONS,
        owner_actions={"view", "change"},
        roles=FINANCE_PLANS,
        everyone={"view"},
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")
        ordering = ["-valid_from", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_frozen(self) -> bool:
        return self.status == PlanStatus.APPROVED

    @property
    def tier_rows(self) -> list[dict[str, str]]:
        """The tiers for display: from, to (the next threshold) and rate, as percentages."""
        rows = []
        for i, (threshold, rate) in enumerate(self.tiers):
            upper = self.tiers[i + 1][0] if i + 1 < len(self.tiers) else None
            rows.append(
                {
                    "from": rules.percent_text(threshold),
                    "to": rules.percent_text(upper) if upper is not None else "",
                    "rate": rules.percent_text(rate),
                }
            )
        return rows

    @property
    def cap(self) -> Decimal | None:
        return None if self.cap_fen is None else from_fen(self.cap_fen)


class CommissionAssignment(models.Model):
    """A person, or everyone in a unit's subtree, paid by a plan. A person's own assignment
    wins over their unit's; the nearest unit wins over those above it."""

    plan = models.ForeignKey(
        CommissionPlan,
        verbose_name=_("commission plan"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    ownership = Ownership(
        person="person",
        unit="unit",
        actions={"view", "delete"},
        owner_actions={"view"},
        roles={Role.FINANCE: "*"},
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("commission assignment")
        verbose_name_plural = _("commission assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True, unit__isnull=False)
                | Q(person__isnull=False, unit__isnull=True),
                name="commission_assignment_one_target",
            ),
            models.UniqueConstraint(fields=["plan", "person"], name="commission_assignment_person"),
            models.UniqueConstraint(fields=["plan", "unit"], name="commission_assignment_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.person_id or ''}{self.unit_id or ''}"


class Statement(models.Model):
    """One person's commission for one month, revision ``revision``.

    ``base_fen`` is the month's base, ``sales_fen`` the month's sales amount (what a later
    clawback measures lost sales against), ``target``/``actual`` the attainment metric in
    hundredths, ``payout_fen`` the capped commission and ``clawback_fen`` (≤ 0) what is taken
    back for invoices written off; ``total_fen`` is what payroll pays."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.DateField(_("month"))
    plan = models.ForeignKey(
        CommissionPlan,
        verbose_name=_("commission plan"),
        on_delete=models.PROTECT,
        related_name="statements",
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=StatementStatus.choices,
        default=StatementStatus.DRAFT,
    )
    base_fen = models.BigIntegerField(_("base (fen)"), default=0)
    sales_fen = models.BigIntegerField(_("sales amount (fen)"), default=0)
    target = models.BigIntegerField(_("target (hundredths)"), default=0)
    actual = models.BigIntegerField(_("actual (hundredths)"), default=0)
    attainment_bp = models.IntegerField(_("attainment (bp)"), null=True, blank=True)
    rate_bp = models.IntegerField(_("rate (bp)"), default=0)
    uncapped_fen = models.BigIntegerField(_("before cap (fen)"), default=0)
    payout_fen = models.BigIntegerField(_("commission (fen)"), default=0)
    clawback_fen = models.BigIntegerField(_("clawback (fen)"), default=0)
    total_fen = models.BigIntegerField(_("total (fen)"), default=0)
    computed_at = models.DateTimeField(_("computed"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(
        person="person",
        actions=STATEMENT_ACTIONS,
        owner_actions={"view"},
        roles=FINANCE_STATEMENTS,
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        ordering = ["-period", "person_id", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period", "revision"], name="commission_statement_revision"
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="commission_stmt_period")]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} · {self.person_id} · r{self.revision}"

    @property
    def is_frozen(self) -> bool:
        return self.status != StatementStatus.DRAFT

    @property
    def total(self) -> Decimal:
        return from_fen(self.total_fen)

    @property
    def payout(self) -> Decimal:
        return from_fen(self.payout_fen)

    @property
    def clawback(self) -> Decimal:
        return from_fen(self.clawback_fen)

    @property
    def base(self) -> Decimal:
        return from_fen(self.base_fen)

    @property
    def attainment_text(self) -> str:
        return rules.percent_text(self.attainment_bp)

    @property
    def rate_text(self) -> str:
        return rules.percent_text(self.rate_bp)


class Clawback(models.Model):
    """Commission taken back in a statement for an invoice written off (void): the share of
    what the invoice's month paid that the lost sales earned."""

    statement = models.ForeignKey(
        Statement,
        verbose_name=_("commission statement"),
        on_delete=models.CASCADE,
        related_name="clawbacks",
    )
    invoice = models.ForeignKey(
        "ledger.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month of the sale"))
    lost_fen = models.BigIntegerField(_("written off (fen)"))
    amount_fen = models.BigIntegerField(_("clawback (fen)"))

    ownership = Ownership(
        person="statement__person",
        actions={"view"},
        roles={Role.FINANCE: {"view"}},
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("commission clawback")
        verbose_name_plural = _("commission clawbacks")
        constraints = [
            models.UniqueConstraint(fields=["statement", "invoice"], name="commission_clawback")
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.invoice_id}"

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)

    @property
    def lost(self) -> Decimal:
        return from_fen(self.lost_fen)
