from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AlertKind(models.TextChoices):
    BEHIND_PACE = "behind_pace", _("Behind pace")
    PROJECTION_SHORT = "projection_short", _("Projection short of target")
    PLAN_NOT_SUBMITTED = "plan_not_submitted", _("Plan not submitted by its deadline")
    UNACKNOWLEDGED = "unacknowledged", _("Targets not acknowledged")
    STEP_OVERDUE = "step_overdue", _("Action step overdue")
    OVER_BUDGET = "over_budget", _("Spending ahead of budget")
    STUCK_DEAL = "stuck_deal", _("Stuck deal")
    SUDDEN_DROP = "sudden_drop", _("Sudden drop")
    NO_VISITS = "no_visits", _("Customer not visited")
    OVERDUE_RECEIVABLE = "overdue_receivable", _("Overdue receivable")
    CREDIT_BREACHED = "credit_breached", _("Credit limit breached")
    CUSTOMER_LOST = "customer_lost", _("Customer lost")
    CROSS_TERRITORY = "cross_territory", _("Cross-territory sale")
    STOCK_OUT = "stock_out", _("Stock-out risk")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("warning", "Open")
    RESOLVED = "resolved", pgettext_lazy("warning", "Resolved")


class AnalyticsErrorCode(StrEnum):
    """Stable ``code`` values of this app's errors (core.errors: ``{code, detail, fields}``)."""

    ALERT_ALREADY_RESOLVED = "alert_already_resolved"
