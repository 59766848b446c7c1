"""The expense routes in the leak and permission matrices (tests/visibility)."""

import datetime as dt

from django.utils import timezone

from salescope.expenses.models import Claim, Expense, ExpenseCategory, Receipt
from tests.visibility.registry import Target, register

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def category() -> ExpenseCategory:
    return ExpenseCategory.objects.unrestricted().get(code="travel")


def make_expense(person, amount_fen=12_345, spent_on=None, claim=None, **fields) -> Expense:
    spent_on = spent_on or timezone.localdate()
    return Expense.objects.create(
        person=person,
        category=fields.pop("category", None) or category(),
        spent_on=spent_on,
        month=spent_on.replace(day=1),
        amount_fen=amount_fen,
        claim=claim,
        **fields,
    )


def make_claim(claimant, status="draft", amount_fen=12_345) -> Claim:
    claim = Claim.objects.create(
        claimant=claimant, unit=claimant.unit, title="差旅报销", status=status, total_fen=amount_fen
    )
    make_expense(claimant, amount_fen=amount_fen, claim=claim)
    return claim


def make_receipt(person) -> Receipt:
    from django.core.files.base import ContentFile

    receipt = Receipt(
        expense=make_expense(person),
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=person,
    )
    receipt.file.save("leak.pdf", ContentFile(PDF), False)
    receipt.save()
    return receipt


@register(
    "expenses:record",
    "expenses:add-receipt",
    "/api/v1/expenses/records/{record_id}",
    "/api/v1/expenses/records/{record_id}/receipts",
)
def record(personas, owner):
    made = make_expense(owner, spent_on=timezone.localdate() - dt.timedelta(days=1))
    return Target(params={"pk": made.pk, "record_id": made.pk}, obj=made)


@register("expenses:receipt")
def receipt(personas, owner):
    made = make_receipt(owner)
    return Target(params={"pk": made.pk}, obj=made)


@register(
    "expenses:claim",
    "expenses:claim-step",
    "/api/v1/expenses/claims/{claim_id}",
    "/api/v1/expenses/claims/{claim_id}/submit",
    "/api/v1/expenses/claims/{claim_id}/approve",
    "/api/v1/expenses/claims/{claim_id}/reject",
    "/api/v1/expenses/claims/{claim_id}/pay",
)
def claim(personas, owner):
    made = make_claim(owner, status="submitted")
    return Target(
        params={"pk": made.pk, "claim_id": made.pk, "step": "approve"},
        obj=made,
        bodies={"POST": {"version": made.version, "reason": "票据不全"}},
    )
