from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SeriesLevel(models.TextChoices):
    PRODUCT = "product", _("Product")
    CATEGORY = "category", _("Category")


class RiskKind(models.TextChoices):
    STOCK_OUT = "stock_out", _("Stock-out risk")
    OVERSTOCK = "overstock", _("Overstock")


class DemandSource(models.TextChoices):
    FORECAST = "forecast", _("Forecast")
    TARGETS = "targets", _("Targets")
