from django.db import models
from django.utils.translation import gettext_lazy as _


class SupplyKind(models.TextChoices):
    PRODUCTION = "production", _("Production")
    PURCHASE = "purchase", _("Purchase")
