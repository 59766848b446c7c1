from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StageKind(models.TextChoices):
    OPEN = "open", pgettext_lazy("deal status", "Open")
    WON = "won", _("Won")
    LOST = "lost", pgettext_lazy("deal status", "Lost")


class ForecastCategory(models.TextChoices):
    """Salesforce's forecast categories (预测类别)."""

    PIPELINE = "pipeline", pgettext_lazy("forecast category", "Pipeline")
    BEST_CASE = "best_case", pgettext_lazy("forecast category", "Best case")
    COMMIT = "commit", pgettext_lazy("forecast category", "Commit")
    CLOSED = "closed", pgettext_lazy("forecast category", "Closed")
    OMITTED = "omitted", pgettext_lazy("forecast category", "Omitted")


class LostReason(models.TextChoices):
    PRICE = "price", _("Price too high")
    COMPETITOR = "competitor", _("Lost to a competitor")
    NO_BUDGET = "no_budget", _("No budget")
    NO_DECISION = "no_decision", _("No decision")
    TIMING = "timing", _("Timing")
    PRODUCT_FIT = "product_fit", _("Product does not fit")
    OTHER = "other", _("Other")


class PipelineErrorCode(StrEnum):
    """Stable ``code`` values of this app's errors (core.errors: ``{code, detail, fields}``)."""

    GATE_NOT_MET = "gate_not_met"  # the stage's exit criteria are not met
    CLOSED = "opportunity_closed"  # the opportunity is closed
    WRONG_PIPELINE = "wrong_pipeline"  # the stage belongs to another pipeline
    OVERRIDE_REFUSED = "override_refused"  # only a manager may override a gate
    NOT_WON = "opportunity_not_won"  # only a won opportunity can create an order
    ALREADY_ORDERED = "order_exists"  # this opportunity already has its order
    NO_CUSTOMER = "no_customer"  # the opportunity has no customer
