from django.db import models
from django.utils.translation import gettext_lazy as _


class SupplyKind(models.TextChoices):
    PRODUCTION = "production", _("Production")
    PURCHASE = "purchase", _("Purchase")


class SupplyStatus(models.TextChoices):
    OPEN = "open", _("Expected")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")
