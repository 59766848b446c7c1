"""Marketing's bounded context: campaigns, leads, evaluation models, the pools, distribution.

Money (campaign budget and cost) is integer fen. A lead belongs to the salesperson it is
assigned to; marketing sees every lead, the nurture pool (市场部培育) and the pool (公海).
Leads in the pool have no owner: salespeople reach them only through the pool's own query.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.core.money import from_fen
from salescope.core.ownership import SALES_WIDE, Ownership, RestrictedManager
from salescope.core.roles import Role
from salescope.leads.choices import (
    AssignmentKind,
    CriterionKind,
    LeadSource,
    LeadStatus,
    RuleStrategy,
)

MARKETING_WIDE = {**SALES_WIDE, Role.MARKETING: "*"}
# Company settings of marketing: every signed-in person reads them, marketing and the
# company-wide roles change them.
SETTINGS_OWNERSHIP = Ownership(everyone={"view"}, company_roles=MARKETING_WIDE, shareable=False)


class Campaign(models.Model):
    """A marketing campaign (推广活动) with its budget and what it actually cost."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.OTHER
    )
    medium = models.CharField(_("medium"), max_length=60, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    budget_fen = models.BigIntegerField(_("budget (fen)"), default=0)
    actual_cost_fen = models.BigIntegerField(_("actual cost (fen)"), default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="campaigns",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="owner", company_roles=MARKETING_WIDE, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_fen__gte=0, actual_cost_fen__gte=0),
                name="campaign_money_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def budget(self) -> Decimal:
        return from_fen(self.budget_fen)

    @property
    def actual_cost(self) -> Decimal:
        return from_fen(self.actual_cost_fen)


class EvaluationModel(models.Model):
    """机会评估模型: criteria with weights and a threshold, per product line or industry."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    product_line = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    threshold = models.DecimalField(_("threshold (points of 100)"), max_digits=5, decimal_places=1)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = SETTINGS_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("evaluation model")
        verbose_name_plural = _("evaluation models")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    model = models.ForeignKey(
        EvaluationModel,
        verbose_name=_("evaluation model"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind.choices)
    weight = models.PositiveIntegerField(_("weight"))
    scale_min = models.DecimalField(
        _("scale minimum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    scale_max = models.DecimalField(
        _("scale maximum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveIntegerField(default=0)

    ownership = SETTINGS_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["model", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "name"], name="criterion_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CriterionOption(models.Model):
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="options"
    )
    label = models.CharField(_("label"), max_length=100)
    points = models.PositiveIntegerField(_("points"))
    position = models.PositiveIntegerField(default=0)

    ownership = SETTINGS_OWNERSHIP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["criterion", "position", "id"]

    def __str__(self) -> str:
        return self.label


class DistributionRule(models.Model):
    """分配规则: which leads (province, city, product line; empty = any) go to which people,
    chosen among them by workload or in turn. Rules are tried by ``priority``, lowest first."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveIntegerField(_("priority"))
    provinces = models.CharField(_("provinces"), max_length=300, blank=True)
    cities = models.CharField(_("cities"), max_length=300, blank=True)
    product_line = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    strategy = models.CharField(
        _("strategy"), max_length=20, choices=RuleStrategy.choices, default=RuleStrategy.WORKLOAD
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("salespeople"), related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(
        everyone={"view"}, company_roles={**MARKETING_WIDE, Role.MANAGER: {"view"}}, shareable=False
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("distribution rule")
        verbose_name_plural = _("distribution rules")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name


class LeadFormKey(models.Model):
    """A key a public web form sends with the leads it posts (only its hash is stored)."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, null=True, blank=True
    )
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.WEBSITE
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    ownership = Ownership(company_roles=MARKETING_WIDE, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("web form key")
        verbose_name_plural = _("web form keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Lead(models.Model):
    """A lead (线索): who, where, from which source and campaign, its score and its owner."""

    external_id = models.CharField(
        _("external id"), max_length=60, null=True, blank=True, unique=True
    )
    contact_name = models.CharField(_("contact"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    product_line = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    need = models.TextField(_("need"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.OTHER
    )
    medium = models.CharField(_("medium"), max_length=60, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    evaluation_model = models.ForeignKey(
        EvaluationModel,
        verbose_name=_("evaluation model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    score_breakdown = models.JSONField(default=list, blank=True)
    qualified = models.BooleanField(_("qualified"), default=False)
    revisit_on = models.DateField(_("look again on"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("contact due"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("first contacted"), null=True, blank=True)
    last_worked_at = models.DateTimeField(_("last worked"), null=True, blank=True)
    assignment_rule = models.ForeignKey(
        DistributionRule,
        verbose_name=_("assigned by rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assignment_reason = models.CharField(_("why this owner"), max_length=300, blank=True)
    # The opportunity (商机) this lead became; the pipeline knows nothing of leads.
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="owner", company_roles=MARKETING_WIDE)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status"], name="lead_owner_status"),
            models.Index(fields=["status", "sla_due_at"], name="lead_status_sla"),
        ]

    def __str__(self) -> str:
        return f"{self.company or self.contact_name} · {self.contact_name}"


class LeadAssignment(models.Model):
    """One change of a lead's hands: who got it, by which rule or whom, and why."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="assignments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AssignmentKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("new owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previous owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rule = models.ForeignKey(
        DistributionRule,
        verbose_name=_("rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    ownership = Ownership(person="lead__owner", company_roles=MARKETING_WIDE, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.owner_id}"
