"""Early warnings (B2): each with its cause and a link, routed to an owner and their manager,
tracked until resolved."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from salescope.analytics.choices import AlertKind, AlertStatus
from salescope.core.ownership import Ownership, RestrictedManager
from salescope.org.choices import Role
from salescope.plans.choices import Metric


class Alert(models.Model):
    key = models.CharField(max_length=120, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_alerts",
    )
    # None for a warning about no plan (a stuck deal, pipeline.queries.stuck_deals).
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="alerts",
        null=True,
        blank=True,
    )
    target = models.ForeignKey(
        "plans.Target", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    step = models.ForeignKey(
        "plans.ActionStep", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    facts = models.JSONField(_("cause"), default=dict)
    link = models.CharField(_("link"), max_length=300)
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    checked_at = models.DateTimeField(_("last checked"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    # The owner and every manager above them see it; the manager resolves it too.
    ownership = Ownership(person="owner", roles={Role.FINANCE: {"view"}}, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["status", "-raised_at", "id"]
        indexes = [
            models.Index(fields=["owner", "status"], name="alert_owner_status"),
            models.Index(fields=["manager", "status"], name="alert_manager_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.owner}"


class ManualActual(models.Model):
    """An actual the ledger does not hold, entered by hand (实绩录入): market share, expense
    spending, new customers or outlets, for one month and one cell of the target grid —
    a person and/or an org unit, optionally a product category, as the target cells use them.

    ``value`` is in hundredths, like targets: fen for money, 0.01 for counts and percent.
    """

    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    month = models.DateField(_("month"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("product category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.BigIntegerField(_("value"))
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    # The person, the managers above them (or above the unit), and the company-wide sales roles
    # see and change it; finance (expenses) and marketing (market share) enter them company-wide.
    ownership = Ownership(
        person="person",
        unit="unit",
        roles={Role.FINANCE: "*", Role.MARKETING: "*"},
        shareable=False,
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("manual actual")
        verbose_name_plural = _("manual actuals")
        ordering = ["-month", "metric", "id"]
        constraints = [
            # One figure per cell: NULL coordinates compare equal through COALESCE.
            models.UniqueConstraint(
                "metric",
                "month",
                Coalesce("person", Value(0)),
                Coalesce("unit", Value(0)),
                Coalesce("category", Value(0)),
                name="manual_actual_one_per_cell",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(unit__isnull=False),
                name="manual_actual_has_person_or_unit",
            ),
        ]
        indexes = [models.Index(fields=["metric", "month"], name="manual_actual_metric_month")]

    def __str__(self) -> str:
        return f"{self.metric_label} {self.month:%Y-%m}"

    @property
    def metric_label(self) -> str:
        return str(self.get_metric_display())

    @property
    def display(self) -> Decimal:
        """The stored hundredths as the number a person typed."""
        return (Decimal(self.value) / 100).quantize(Decimal("0.01"))


class SavedView(models.Model):
    """A person's saved view of target vs actual (跟踪视图): the plan, metric, grouping and pace
    basis, to open again in one click (B1). Only the person (and the managers above them) see
    it; nobody else's list shows it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="saved_tracking_views",
    )
    name = models.CharField(_("name"), max_length=80)
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    group_by = models.CharField(_("group by"), max_length=60)
    basis = models.CharField(_("pace basis"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="owner", company_roles={}, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("saved tracking view")
        verbose_name_plural = _("saved tracking views")
        ordering = ["owner", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def query(self) -> dict[str, str]:
        """The tracking page's parameters this view stands for."""
        params = {"metric": self.metric, "group_by": self.group_by}
        if self.plan_id:
            params["plan"] = str(self.plan_id)
        if self.basis:
            params["basis"] = self.basis
        return params
