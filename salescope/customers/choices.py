from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    END_CUSTOMER = "end_customer", _("End customer")
    DEALER = "dealer", _("Dealer")
    DISTRIBUTOR = "distributor", _("Distributor")
    KEY_ACCOUNT = "key_account", _("Key account")


class Tier(models.TextChoices):
    A = "A", _("Tier A")
    B = "B", _("Tier B")
    C = "C", _("Tier C")
    D = "D", _("Tier D")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class DealerHealth(models.TextChoices):
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    LOST = "lost", _("Lost")
    NEVER = "never", _("No purchases yet")


class CustomerErrorCode(StrEnum):
    """Stable ``code`` values of this app's errors (core.errors: ``{code, detail, fields}``)."""

    HAS_LEDGER_ENTRIES = "customer_has_ledger_entries"  # the customer has ledger entries
    DUPLICATE_CODE = "customer_duplicate_code"  # duplicate customer code
    OWNER_INACTIVE = "owner_inactive"  # the new owner is inactive
