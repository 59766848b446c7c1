"""Customers and dealers (客户 / 经销商), their contacts, credit terms and ownership (F1, F2, F4).

Money that is compared with sums (credit limit) is integer fen; ``Decimal`` properties expose
it to the domain. Deleting is soft (``deleted_at``); a customer with ledger entries can only be
archived (R16).
"""

import re
import unicodedata
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.core.choices import choice_label
from salescope.core.money import from_fen
from salescope.core.ownership import Ownership, RestrictedManager, RestrictedQuerySet
from salescope.customers.choices import CustomerKind, CustomerStatus, Tier
from salescope.org.choices import Role

_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "分公司",
    "公司",
    "商行",
    "经营部",
    "coltd",
    "limited",
    "ltd",
    "inc",
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_name(name: str) -> str:
    """A customer name reduced for duplicate detection: width-folded, lower-case, no
    punctuation or spaces, common legal suffixes dropped (上海联华超市有限公司 → 上海联华超市)."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _NON_WORD.sub("", text)
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
    return text


def normalize_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone or ""))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


class LiveManager(RestrictedManager):
    """Rows not soft-deleted (visibility still to be decided, as for ``objects``)."""

    def get_queryset(self) -> RestrictedQuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Customer(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_normalized = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.END_CUSTOMER
    )
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="customers",
        null=True,
        blank=True,
    )
    territory = models.ForeignKey(
        "org.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="customers",
        null=True,
        blank=True,
    )
    # Places (city or province names) where a dealer may sell; empty = no restriction (F5).
    sales_area = models.CharField(_("sales area"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_normalized = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    tax_number = models.CharField(_("tax number"), max_length=40, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    credit_limit_fen = models.BigIntegerField(_("credit limit (fen)"), null=True, blank=True)
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=30)
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="owner", roles={Role.FINANCE: {"view"}})
    objects = RestrictedManager()
    live = LiveManager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        indexes = [models.Index(fields=["owner", "code"], name="customer_owner_code")]

    def __str__(self) -> str:
        return self.label(self.name, self.code)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_normalized = normalize_name(self.name)
        self.phone_normalized = normalize_phone(self.phone)
        super().save(*args, **kwargs)

    def get_kind_display(self) -> Any:  # type: ignore[no-redef]  # Django's, cheaper
        """As Django's, a row at a time on the long lists (``core.choices.choice_label``)."""
        return choice_label(CustomerKind, self.kind)

    @staticmethod
    def label(name: str, code: str) -> str:
        """How a customer is named, from its two fields (lists read them as values)."""
        return f"{name} ({code})"

    @property
    def credit_limit(self) -> Decimal | None:
        return None if self.credit_limit_fen is None else from_fen(self.credit_limit_fen)

    @property
    def is_dealer(self) -> bool:
        return self.kind in {CustomerKind.DEALER, CustomerKind.DISTRIBUTOR}

    def sales_areas(self) -> list[str]:
        """Explicit sales-area places, else nothing (see ``allowed_places``)."""
        return split_places(self.sales_area)


_PLACE_SEPARATORS = re.compile(r"[,，;；、\s]+")


def split_places(text: str) -> list[str]:
    return [a for a in _PLACE_SEPARATORS.split(text or "") if a]


def allowed_places(sales_area: str, territory_names: list[str]) -> list[str]:
    """Where a dealer may sell (F5): its explicit sales area, else its territory and the
    territories under it; empty means no restriction."""
    if not sales_area and not territory_names:
        return []
    return split_places(sales_area) or [name for name in territory_names if name]


class Contact(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="customer__owner", roles={Role.FINANCE: {"view"}})
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer", "-is_primary", "name"]

    def __str__(self) -> str:
        return self.name
