"""Early warnings (B2): each with its cause and a link, routed to an owner and their manager,
tracked until resolved."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.analytics.choices import AlertKind, AlertStatus
from salescope.org.choices import Role
from salescope.org.visibility import Ownership


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
    plan = models.ForeignKey(
        "plans.Plan", verbose_name=_("plan"), on_delete=models.CASCADE, related_name="alerts"
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
