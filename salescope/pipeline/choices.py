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


class PipelineErrorCode(models.TextChoices):
    GATE_NOT_MET = "gate_not_met", _("The stage's exit criteria are not met")
    CLOSED = "opportunity_closed", _("The opportunity is closed")
    WRONG_PIPELINE = "wrong_pipeline", _("The stage belongs to another pipeline")
    OVERRIDE_REFUSED = "override_refused", _("Only a manager may override a gate")
    NOT_WON = "opportunity_not_won", _("Only a won opportunity can create an order")
    ALREADY_ORDERED = "order_exists", _("This opportunity already has its order")
    NO_CUSTOMER = "no_customer", _("The opportunity has no customer")
