"""Feedback from the field (信息反馈): market intelligence (市场信息, E1), problems escalated up
the tree (问题上报, E2) and a manager's guidance to a person (指导, B3).

Visibility follows the one rule (``org.visibility``): an intelligence entry belongs to its
author, so the author's managers up the tree see it, and marketing and the company-wide roles
see all; a problem belongs to whoever raised it (its owner is always the raiser or one of their
managers, so escalation never hides it from anyone who saw it); guidance belongs to the person
it is about, so the manager who gave it (one of theirs) sees it too.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.core.ownership import CHANGE, VIEW, Ownership, RestrictedManager
from salescope.core.roles import Role
from salescope.feedback.choices import (
    CaseOutcome,
    GuidanceKind,
    GuidanceStatus,
    IntelKind,
    ProblemStatus,
    Severity,
)


class Intelligence(models.Model):
    """One piece of market intelligence (市场信息) from the field, tagged for search."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="intelligence",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IntelKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    region = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    category = models.ForeignKey(
        "catalog.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    competitor = models.CharField(_("competitor"), max_length=100, blank=True)
    observed_on = models.DateField(_("observed on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Title, details and tags segmented by jieba (``feedback.search``), indexed by SQLite FTS5 /
    # PostgreSQL full-text search (migration 0002); set by the service on every write.
    search_text = models.TextField(default="", blank=True, editable=False)

    ownership = Ownership(person="author", roles={Role.MARKETING: {VIEW}}, actions={VIEW, CHANGE})
    objects = RestrictedManager()

    class Meta:
        ordering = ["-observed_on", "-id"]
        verbose_name = _("market intelligence")
        verbose_name_plural = _("market intelligence")
        indexes = [models.Index(fields=["observed_on", "region"])]

    def __str__(self) -> str:
        return self.title


class Problem(models.Model):
    """A problem raised from the field (问题上报) that escalates when not resolved in time."""

    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="problems_raised",
        verbose_name=_("raised by"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="problems_owned",
        verbose_name=_("owner"),
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    due_on = models.DateField(_("due on"))
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="raised_by", actions={VIEW, CHANGE})
    objects = RestrictedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title


class Guidance(models.Model):
    """A manager's coaching note or instruction (指导) to a person: acknowledged, followed up."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="guidance_given",
        verbose_name=_("given by"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="guidance_received",
        verbose_name=_("person"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=GuidanceKind.choices, default=GuidanceKind.COACHING
    )
    body = models.TextField(_("guidance"))
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=GuidanceStatus.choices,
        default=GuidanceStatus.ASSIGNED,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="person", actions={VIEW, CHANGE})
    objects = RestrictedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("guidance")
        verbose_name_plural = _("guidance")

    def __str__(self) -> str:
        return self.body[:40]


class CaseReview(models.Model):
    """A success or failure written up (案例复盘, G6): what happened and the lesson, linked to
    the customer, the deal and the visits it is about, tagged and searchable. It belongs to its
    author (their managers see it); writing it shares it read-only with the author's team, and
    a manager marking it a lesson for onboarding shares it with the whole company — both
    through the one rule's record shares."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_reviews",
        verbose_name=_("author"),
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=CaseOutcome.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what happened"), blank=True)
    lesson = models.TextField(_("lesson learned"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opportunity"),
    )
    visits = models.ManyToManyField(
        "activities.Visit", blank=True, related_name="+", verbose_name=_("visits")
    )
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    is_lesson = models.BooleanField(_("lesson for onboarding"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked as a lesson by"),
    )
    search_text = models.TextField(default="", blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="author", roles={Role.MARKETING: {VIEW}}, actions={VIEW, CHANGE})
    objects = RestrictedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case review")
        verbose_name_plural = _("case reviews")

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]
