"""Expenses (费用, A8): categories, expense records, claims (报销单) and their receipts, and the
approved spending per person and month that the expense-budget metric reads.

A record and its receipts belong to the person who spent the money; a claim to its claimant.
The managers above them see both through the one rule (``org.visibility``), finance sees every
claim and record (it approves and pays them), the company-wide roles see all. Amounts are
stored as integer fen (``amount_fen``), exposed as ``Decimal`` (``amount``).

:class:`SpendRollup` holds, per person and month, the sum of the records in claims finance
has approved (approved or paid): kept by the services in the same transaction as the approval,
so budget vs spend and the metric's actuals read ~6k rows a year for 500 people, not the
records (bench/bench_expenses.py).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.core.money import from_fen
from salescope.core.ownership import CHANGE, DELETE, VIEW, Ownership, RestrictedManager
from salescope.core.roles import Role
from salescope.expenses.choices import ClaimStatus

FINANCE_READS = {Role.FINANCE: {VIEW}}
CATEGORY_EDITORS = {
    Role.ADMINISTRATOR: "*",
    Role.EXECUTIVE: "*",
    Role.SALES_DIRECTOR: "*",
    Role.FINANCE: "*",
}


class ExpenseCategory(models.Model):
    """A kind of spending (差旅, 招待, 样品, 促销, 进场费…), kept by finance and the admins."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(
        everyone={VIEW}, company_roles=CATEGORY_EDITORS, actions={VIEW, CHANGE}, shareable=False
    )
    objects = RestrictedManager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("expense category")
        verbose_name_plural = _("expense categories")

    def __str__(self) -> str:
        return self.name


class Claim(models.Model):
    """A claim (报销单): a person's expense records sent for approval, by their manager and
    then finance, and paid."""

    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="expense_claims",
        verbose_name=_("claimant"),
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
    status = models.CharField(
        _("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT
    )
    total_fen = models.BigIntegerField(_("total (fen)"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    manager_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by (manager)"),
    )
    manager_approved_at = models.DateTimeField(null=True, blank=True)
    finance_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by (finance)"),
    )
    finance_approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(
        person="claimant", roles={Role.FINANCE: {VIEW, CHANGE}}, actions={VIEW, CHANGE}
    )
    objects = RestrictedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        indexes = [models.Index(fields=["status", "created_at"], name="expense_claim_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def total(self) -> Decimal:
        return from_fen(self.total_fen)


class Expense(models.Model):
    """One expense record (费用记录): what a person spent, on what, when, for whom."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="expenses",
        verbose_name=_("person"),
        db_index=False,  # the (person, month) index below leads with it
    )
    category = models.ForeignKey(
        ExpenseCategory,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    spent_on = models.DateField(_("date"))
    month = models.DateField(editable=False)  # first day of spent_on's month (a stored fact)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    visit = models.ForeignKey(
        "activities.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visit"),
    )
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opportunity"),
    )
    note = models.TextField(_("note"), blank=True)
    claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expenses",
        verbose_name=_("claim"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    ownership = Ownership(person="person", roles=FINANCE_READS, actions={VIEW, CHANGE, DELETE})
    objects = RestrictedManager()

    class Meta:
        ordering = ["-spent_on", "-id"]
        verbose_name = _("expense record")
        verbose_name_plural = _("expense records")
        indexes = [models.Index(fields=["person", "month"], name="expense_person_month")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="expense_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.amount}"

    @property
    def amount(self) -> Decimal:
        return from_fen(self.amount_fen)


def _receipt_path(instance: "Receipt", filename: str) -> str:
    # The server names the file (a random token); the client's name is never used.
    return f"expense-receipts/{instance.expense_id}/{filename}"


class Receipt(models.Model):
    """A receipt (票据) of an expense record: an image or PDF, served only to its viewers."""

    expense = models.ForeignKey(
        Expense, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("expense")
    )
    file = models.FileField(_("receipt"), upload_to=_receipt_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    ownership = Ownership(person="expense__person", roles=FINANCE_READS, shareable=False)
    objects = RestrictedManager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return f"#{self.pk}"


class SpendRollup(models.Model):
    """Approved spending of one person in one month, in fen (kept by the services)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    month = models.DateField()
    amount_fen = models.BigIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)

    ownership = Ownership(person="person", roles=FINANCE_READS, actions={VIEW}, shareable=False)
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("approved spending by person and month")
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="expense_rollup_key")
        ]
        indexes = [models.Index(fields=["month"], name="expense_rollup_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.person_id}"
