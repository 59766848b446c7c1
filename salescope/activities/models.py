"""Field activity (D1–D4): visit plans and visits, their checklists and photos, coverage rules
per customer tier, and work reports drafted from what was recorded.

A visit is one row from plan to check-out: planned (date, time, type, purpose), checked in
(time, place, distance from the customer's registered location), checked out (outcome, cost).
Visits, checklists, photos and reports belong to the salesperson: the managers above them see
them through the one rule (``org.visibility``). Coverage rules and checklist templates are
company settings every signed-in person reads.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.activities.choices import (
    CoveragePeriod,
    ItemKind,
    ReportKind,
    ReportStatus,
    VisitOutcome,
    VisitStatus,
    VisitType,
)
from salescope.core.money import from_fen
from salescope.core.ownership import Ownership, RestrictedManager
from salescope.core.roles import Role

SETUP_EDITORS = {Role.ADMINISTRATOR: "*", Role.EXECUTIVE: "*", Role.SALES_DIRECTOR: "*"}
COMPANY_SETUP = Ownership(everyone={"view"}, company_roles=SETUP_EDITORS, shareable=False)
# A visit farther than this from the customer's registered location is flagged (metres).
FAR_METRES = 500


def far_from_customer(distance_m: int | None) -> bool:
    """Whether a check-in this far from the customer (None: no location) is flagged."""
    return distance_m is not None and distance_m > FAR_METRES


class CoverageRule(models.Model):
    """How often a customer of a tier is to be visited: ``visits`` per ``period``."""

    tier = models.CharField(_("tier"), max_length=2, unique=True)
    visits = models.PositiveSmallIntegerField(_("visits"))
    period = models.CharField(
        _("period"), max_length=10, choices=CoveragePeriod.choices, default=CoveragePeriod.MONTH
    )

    ownership = COMPANY_SETUP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("coverage rule")
        verbose_name_plural = _("coverage rules")
        ordering = ["tier"]

    def __str__(self) -> str:
        return f"{self.tier}: {self.visits} {self.get_period_display()}"


class CustomerLocation(models.Model):
    """Where a customer is, for the distance of a check-in (set by hand or from a visit)."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="location",
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    updated_at = models.DateTimeField(auto_now=True)

    ownership = Ownership(person="customer__owner", roles={Role.FINANCE: {"view"}})
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("customer location")
        verbose_name_plural = _("customer locations")

    def __str__(self) -> str:
        return f"{self.latitude:.5f},{self.longitude:.5f}"


class Visit(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visit_type = models.CharField(
        _("visit type"), max_length=20, choices=VisitType.choices, default=VisitType.ROUTINE
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    planned_date = models.DateField(_("date"))
    planned_time = models.TimeField(_("time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    # Made by a coverage rule rather than by hand.
    from_rule = models.BooleanField(default=False)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checkin_latitude = models.FloatField(null=True, blank=True)
    checkin_longitude = models.FloatField(null=True, blank=True)
    checkin_accuracy = models.FloatField(null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("distance (m)"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    checkout_latitude = models.FloatField(null=True, blank=True)
    checkout_longitude = models.FloatField(null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=VisitOutcome.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    cost_fen = models.BigIntegerField(_("cost (fen)"), default=0)
    order_number = models.CharField(_("order number"), max_length=60, blank=True)
    # The phone's own id for a visit recorded offline: sent twice, stored once.
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="owner")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["planned_date", "planned_time", "pk"]
        indexes = [
            models.Index(fields=["owner", "planned_date"], name="visit_owner_day"),
            models.Index(fields=["customer", "planned_date"], name="visit_customer_day"),
            # One month's visits of everyone (the KPIs, issue 17): PostgreSQL cannot range
            # over all owners' days by visit_owner_day and scanned all 1M visits (0.36 s).
            models.Index(fields=["planned_date"], name="visit_month_day"),
        ]

    def __str__(self) -> str:
        return f"{self.planned_date} {self.customer}"

    @property
    def cost(self):  # noqa: ANN201 - Decimal
        return from_fen(self.cost_fen)

    @property
    def minutes(self) -> int | None:
        if self.checked_in_at and self.checked_out_at:
            return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)
        return None

    @property
    def is_far(self) -> bool:
        return far_from_customer(self.distance_m)


def _photo_path(instance: "VisitPhoto", filename: str) -> str:
    # The server names the file (a random token); the client's name is never used.
    return f"visit-photos/{instance.visit_id}/{filename}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to=_photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    ownership = Ownership(person="visit__owner", shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.caption or f"#{self.pk}"


class ChecklistTemplate(models.Model):
    """The action checklist (行动清单) for one visit type."""

    visit_type = models.CharField(
        _("visit type"), max_length=20, choices=VisitType.choices, unique=True
    )
    name = models.CharField(_("name"), max_length=100)

    ownership = COMPANY_SETUP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["visit_type"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("item"), max_length=200)
    kind = models.CharField(_("answer"), max_length=10, choices=ItemKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    ownership = COMPANY_SETUP
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class ChecklistAnswer(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    done = models.BooleanField(_("done"), default=False)
    number = models.DecimalField(_("number"), max_digits=14, decimal_places=2, null=True)
    feedback = models.CharField(_("feedback"), max_length=500, blank=True)
    answered_at = models.DateTimeField(auto_now=True)

    ownership = Ownership(person="visit__owner", shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="checklist_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.done}"


class WorkReport(models.Model):
    """A daily, weekly or monthly work report (日报/周报/月报): facts drafted by the system, the
    person's own lines, then the manager's comment and rating (点评)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="work_reports",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    facts = models.JSONField(_("facts"), default=dict)
    summary = models.TextField(_("what I did"), blank=True)
    problems = models.TextField(_("problems and help needed"), blank=True)
    next_plan = models.TextField(_("plan for next time"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="author")
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        ordering = ["-period_start", "author"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "kind", "period_start"], name="work_report_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}"

    @property
    def facts_money(self) -> dict:
        facts = self.facts or {}
        return {
            name: from_fen(facts.get(f"{name}_fen", 0))
            for name in ("orders", "collections", "cost")
        }

    @property
    def outcome_labels(self) -> list[tuple[str, int]]:
        labels = dict(VisitOutcome.choices)
        return [(labels.get(k, k), n) for k, n in (self.facts or {}).get("outcomes", {}).items()]


class CalendarFeed(models.Model):
    """A person's secret iCalendar address; a new token makes the old address stop working."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visit_feed"
    )
    token = models.CharField(max_length=64, unique=True)

    ownership = Ownership(person="person", company_roles={}, shareable=False)
    objects = RestrictedManager()

    def __str__(self) -> str:
        return str(self.person_id)
