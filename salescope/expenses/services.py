"""Every write of expenses: each audited, in one transaction, version-checked where another
person may have changed the record (R7 → 409).

A claim (报销单) moves draft → submitted → manager_approved → approved → paid; the manager or
finance may reject it at their step with a reason, and the claimant then changes its records
and submits it again. Finance's approval adds its records to :class:`SpendRollup` (the
approved spending the expense-budget metric reads) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from salescope.core.images import clean_image
from salescope.core.money import InvalidAmount, parse_amount, to_fen
from salescope.core.ownership import SALES_WIDE
from salescope.core.periods import month_start
from salescope.core.permissions import require
from salescope.core.roles import Role, viewer_roles
from salescope.expenses import permissions as perms
from salescope.expenses.choices import EDITABLE, ClaimStatus
from salescope.expenses.models import Claim, Expense, ExpenseCategory, Receipt, SpendRollup
from salescope.notifications.services import notify
from salescope.org.models import User
from salescope.org.queries import unit_chain

EXPENSE_FIELDS = ["category_id", "spent_on", "amount_fen", "customer_id", "visit_id"]
EXPENSE_FIELDS += ["opportunity_id", "note", "claim_id"]
CLAIM_FIELDS = ["title", "status", "total_fen", "manager_approver_id", "finance_approver_id"]
CLAIM_FIELDS += ["rejected_by_id", "rejection_reason"]
CATEGORY_FIELDS = ["code", "name", "active", "position"]
MAX_FEN = 10**12  # ten thousand million yuan: no single expense is larger
RECEIPT_MAX_BYTES = 8 * 1024 * 1024


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(fields={field: [message]})


def managers_above(person: User) -> list[User]:
    """The managers above ``person``, nearest first (each once; never the person)."""
    found: list[User] = []
    for unit in reversed(unit_chain(person.unit)) if person.unit_id else []:
        manager = unit.manager
        if manager is not None and manager.pk != person.pk and manager not in found:
            found.append(manager)
    return found


def _company_wide(actor: Any) -> bool:
    return bool(viewer_roles(actor) & {str(r) for r in SALES_WIDE})


def _is_finance(actor: Any) -> bool:
    return bool(viewer_roles(actor) & {str(Role.FINANCE), str(Role.ADMINISTRATOR)})


def may_approve_as_manager(actor: Any, claim: Claim) -> bool:
    if claim.claimant_id == getattr(actor, "pk", None):
        return False
    return _company_wide(actor) or any(m.pk == actor.pk for m in managers_above(claim.claimant))


def may_act_as_finance(actor: Any, claim: Claim) -> bool:
    return claim.claimant_id != getattr(actor, "pk", None) and _is_finance(actor)


def parse_money(raw: Any, field: str = "amount") -> int:
    """A typed amount → fen: positive, at most two decimals, not absurdly large."""
    try:
        value = parse_amount(raw if isinstance(raw, Decimal | int) else str(raw))
    except (InvalidAmount, TypeError):
        raise _invalid(field, _("Enter an amount.")) from None
    if value <= 0:
        raise _invalid(field, _("The amount must be more than zero."))
    if value != value.quantize(Decimal("0.01")):
        raise _invalid(field, _("Use at most two decimal places."))
    fen = to_fen(value)
    if fen >= MAX_FEN:
        raise _invalid(field, _("The amount is too large."))
    return fen


# --- categories ------------------------------------------------------------------------------


@transaction.atomic
def save_category(
    *,
    actor: User,
    code: str,
    name: str,
    active: bool = True,
    position: int = 0,
    category: ExpenseCategory | None = None,
    expected_version: int | None = None,
) -> ExpenseCategory:
    """Add a category, or change one (``category`` with ``expected_version``)."""
    require(actor, perms.CATEGORY_EDIT.code)
    code, name = (code or "").strip().lower(), (name or "").strip()
    if not code or len(code) > 30 or not code.replace("_", "").replace("-", "").isalnum():
        raise _invalid("code", _("Use letters, digits, - and _ (at most 30)."))
    if not name or len(name) > 60:
        raise _invalid("name", _("Name the category (at most 60 characters)."))
    taken = ExpenseCategory.objects.unrestricted().filter(code=code)  # a natural key check
    if category is not None:
        taken = taken.exclude(pk=category.pk)
    if taken.exists():
        raise _invalid("code", _("Another category has this code."))
    if category is None:
        category = ExpenseCategory.objects.create(
            code=code, name=name, active=active, position=position
        )
        audit.record(
            actor=actor,
            action="expenses.category.created",
            obj=category,
            changes=audit.snapshot(category, CATEGORY_FIELDS),
        )
        return category
    before = audit.snapshot(category, CATEGORY_FIELDS)
    update_versioned(
        category,
        expected_version=expected_version if expected_version is not None else -1,
        changes={"code": code, "name": name, "active": active, "position": position},
    )
    audit.record(
        actor=actor,
        action="expenses.category.changed",
        obj=category,
        changes=audit.diff(before, audit.snapshot(category, CATEGORY_FIELDS)),
    )
    return category


# --- expense records -------------------------------------------------------------------------


def _check_links(actor: Any, *, visit: Any, customer: Any, opportunity: Any) -> Any:
    """The links of a record, already read through the rule by the entry point: a visit must
    be the person's own; its customer becomes the record's when none is given."""
    if visit is not None:
        if visit.owner_id != actor.pk:
            raise _invalid("visit", _("Link only your own visits."))
        if customer is None:
            customer = visit.customer
        elif customer.pk != visit.customer_id:
            raise _invalid("customer", _("The visit was to another customer."))
    if opportunity is not None and customer is not None and opportunity.customer_id != customer.pk:
        raise _invalid("opportunity", _("The opportunity is another customer's."))
    return customer


def _check_date(spent_on: dt.date | None) -> dt.date:
    if spent_on is None:
        raise _invalid("spent_on", _("Enter the date."))
    if spent_on > timezone.localdate():
        raise _invalid("spent_on", _("The date cannot be in the future."))
    return spent_on


@transaction.atomic
def record_expense(
    *,
    actor: User,
    category: ExpenseCategory,
    spent_on: dt.date,
    amount: Any,
    customer: Any = None,
    visit: Any = None,
    opportunity: Any = None,
    note: str = "",
) -> Expense:
    """Record what ``actor`` spent (not yet claimed)."""
    require(actor, perms.RECORD.code)
    if category is None or not category.active:
        raise _invalid("category", _("Choose an active category."))
    fen = parse_money(amount)
    spent_on = _check_date(spent_on)
    customer = _check_links(actor, visit=visit, customer=customer, opportunity=opportunity)
    expense = Expense.objects.create(
        person=actor,
        category=category,
        spent_on=spent_on,
        month=month_start(spent_on),
        amount_fen=fen,
        customer=customer,
        visit=visit,
        opportunity=opportunity,
        note=(note or "").strip()[:2000],
    )
    audit.record(
        actor=actor,
        action="expenses.record.created",
        obj=expense,
        changes=audit.snapshot(expense, EXPENSE_FIELDS),
    )
    return expense


def _own_editable(actor: Any, expense: Expense) -> None:
    if expense.person_id != actor.pk:
        raise PermissionDenied(_("Only the person who spent it changes an expense record."))
    claim = expense.claim
    if claim is not None and str(claim.status) not in {str(s) for s in EDITABLE}:
        raise ValidationFailed(detail=_("The record is in a claim under approval or approved."))


@transaction.atomic
def change_expense(
    *,
    actor: User,
    expense: Expense,
    expected_version: int,
    category: ExpenseCategory,
    spent_on: dt.date,
    amount: Any,
    customer: Any = None,
    visit: Any = None,
    opportunity: Any = None,
    note: str = "",
) -> Expense:
    require(actor, perms.RECORD_CHANGE.code)
    _own_editable(actor, expense)
    if category is None or not category.active:
        raise _invalid("category", _("Choose an active category."))
    fen = parse_money(amount)
    spent_on = _check_date(spent_on)
    customer = _check_links(actor, visit=visit, customer=customer, opportunity=opportunity)
    before = audit.snapshot(expense, EXPENSE_FIELDS)
    update_versioned(
        expense,
        expected_version=expected_version,
        changes={
            "category": category,
            "spent_on": spent_on,
            "month": month_start(spent_on),
            "amount_fen": fen,
            "customer": customer,
            "visit": visit,
            "opportunity": opportunity,
            "note": (note or "").strip()[:2000],
        },
    )
    if expense.claim is not None:
        _retotal(expense.claim)
    audit.record(
        actor=actor,
        action="expenses.record.changed",
        obj=expense,
        changes=audit.diff(before, audit.snapshot(expense, EXPENSE_FIELDS)),
    )
    return expense


@transaction.atomic
def delete_expense(*, actor: User, expense: Expense, expected_version: int) -> None:
    require(actor, perms.RECORD_CHANGE.code)
    _own_editable(actor, expense)
    if expense.version != expected_version:
        raise StaleVersion(extra={"current_version": expense.version})
    claim = expense.claim
    before = audit.snapshot(expense, EXPENSE_FIELDS)
    audit.record(actor=actor, action="expenses.record.deleted", obj=expense, changes=before)
    for receipt in Receipt.objects.unrestricted().filter(expense=expense):
        receipt.file.delete(save=False)
    expense.delete()
    if claim is not None:
        _retotal(claim)


def _retotal(claim: Claim) -> None:
    from django.db.models import Sum

    total = (
        Expense.objects.unrestricted()  # the claim's own records, read by its service
        .filter(claim=claim)
        .aggregate(total=Sum("amount_fen"))["total"]
    )
    Claim.objects.unrestricted().filter(pk=claim.pk).update(total_fen=int(total or 0))
    claim.refresh_from_db()


def _receipt_content(data: bytes) -> tuple[bytes, str, str]:
    """(clean bytes, content type, extension): a PDF kept as it is, an image re-encoded so
    its metadata (EXIF: camera, GPS) is gone; anything else refused."""
    if data.startswith(b"%PDF-"):
        return data, "application/pdf", "pdf"
    clean = clean_image(data)
    if clean is None:
        raise _invalid("receipt", _("The file is not a PDF, JPEG, PNG or WebP."))
    return clean.content, clean.content_type, clean.extension


@transaction.atomic
def add_receipt(*, actor: User, expense: Expense, data: bytes) -> Receipt:
    """Attach a receipt to ``expense``: the server names and stores the file, bound to the
    record and the uploader; the client learns its id and never names a stored file."""
    require(actor, perms.RECORD_CHANGE.code)
    _own_editable(actor, expense)
    if not data:
        raise _invalid("receipt", _("Choose a file."))
    if len(data) > RECEIPT_MAX_BYTES:
        raise _invalid("receipt", _("A receipt may be at most 8 MB."))
    content, content_type, ext = _receipt_content(data)
    receipt = Receipt(
        expense=expense, content_type=content_type, size=len(content), uploaded_by=actor
    )
    receipt.file.save(f"{secrets.token_urlsafe(16)}.{ext}", ContentFile(content), False)
    receipt.save()
    audit.record(
        actor=actor,
        action="expenses.receipt.added",
        obj=receipt,
        changes={"expense": [None, expense.pk], "size": [None, receipt.size]},
    )
    return receipt


# --- claims ----------------------------------------------------------------------------------


@transaction.atomic
def create_claim(*, actor: User, title: str, expenses: list[Expense]) -> Claim:
    """A draft claim of ``actor``'s unclaimed records."""
    require(actor, perms.CLAIM.code)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise _invalid("title", _("Give the claim a title (at most 200 characters)."))
    if not expenses:
        raise _invalid("expenses", _("Choose the expense records to claim."))
    ids = sorted({e.pk for e in expenses})
    mine = (
        Expense.objects.unrestricted()  # checked below: the actor's own, unclaimed
        .select_for_update()
        .filter(pk__in=ids, person=actor, claim__isnull=True)
    )
    found = list(mine)
    if len(found) != len(ids):
        raise _invalid("expenses", _("Claim only your own records that are in no other claim."))
    claim = Claim.objects.create(claimant=actor, unit=actor.unit, title=title)
    Expense.objects.unrestricted().filter(pk__in=ids).update(claim=claim, version=F("version") + 1)
    _retotal(claim)
    audit.record(
        actor=actor,
        action="expenses.claim.created",
        obj=claim,
        changes={**audit.snapshot(claim, CLAIM_FIELDS), "expenses": ids},
    )
    return claim


def _fresh(claim: Claim, expected_version: int) -> None:
    """A step taken on an old copy of the claim is stale (409), whatever it would have done."""
    if claim.version != expected_version:
        raise StaleVersion(extra={"current_version": claim.version, "status": claim.status})


def _move(
    claim: Claim, *, actor: Any, expected_version: int, action: str, changes: dict[str, Any]
) -> Claim:
    before = audit.snapshot(claim, CLAIM_FIELDS)
    update_versioned(claim, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action=action,
        obj=claim,
        changes=audit.diff(before, audit.snapshot(claim, CLAIM_FIELDS)),
    )
    return claim


def _tell(people: list[User], claim: Claim, kind: str, title: str, body: str = "") -> None:
    notify(
        recipients=people,
        kind=kind,
        title=title,
        body=body,
        link=reverse("expenses:claim", args=[claim.pk]),
        subject=claim,
    )


def _finance_people() -> list[User]:
    # visibility: the system finds whom to tell (finance approves every claim)
    return list(User.objects.unrestricted().filter(role=Role.FINANCE, is_active=True))


@transaction.atomic
def submit_claim(*, actor: User, claim: Claim, expected_version: int) -> Claim:
    """The claimant sends a draft (or rejected) claim to their manager."""
    require(actor, perms.CLAIM_SUBMIT.code)
    _fresh(claim, expected_version)
    if claim.claimant_id != actor.pk:
        raise PermissionDenied(_("Only the claimant submits a claim."))
    if claim.status not in EDITABLE:
        raise ValidationFailed(detail=_("This claim is already submitted."))
    _retotal(claim)
    if claim.total_fen <= 0:
        raise ValidationFailed(detail=_("The claim has no expense records."))
    _move(
        claim,
        actor=actor,
        expected_version=expected_version,
        action="expenses.claim.submitted",
        changes={
            "status": ClaimStatus.SUBMITTED,
            "submitted_at": timezone.now(),
            "unit": actor.unit,
            "rejected_by": None,
            "rejection_reason": "",
        },
    )
    above = managers_above(actor)
    approvers = above[:1] or list(
        User.objects.unrestricted().filter(  # visibility: whom to tell, the system decides
            role__in=[Role.SALES_DIRECTOR, Role.EXECUTIVE], is_active=True
        )
    )
    _tell(
        approvers,
        claim,
        "expenses.claim.submitted",
        _("%(name)s submitted an expense claim: %(title)s (%(total)s)")
        % {"name": actor.display_name, "title": claim.title, "total": claim.total},
    )
    return claim


@transaction.atomic
def approve_claim(*, actor: User, claim: Claim, expected_version: int) -> Claim:
    """The manager's approval (submitted → awaiting finance), or finance's (→ approved, the
    records then count as spending)."""
    require(actor, perms.CLAIM_APPROVE.code)
    _fresh(claim, expected_version)
    now = timezone.now()
    if claim.status == ClaimStatus.SUBMITTED:
        if not may_approve_as_manager(actor, claim):
            raise PermissionDenied(_("A manager of the claimant approves this step."))
        _move(
            claim,
            actor=actor,
            expected_version=expected_version,
            action="expenses.claim.manager_approved",
            changes={
                "status": ClaimStatus.MANAGER_APPROVED,
                "manager_approver": actor,
                "manager_approved_at": now,
            },
        )
        _tell(
            _finance_people(),
            claim,
            "expenses.claim.manager_approved",
            _("Expense claim awaiting finance: %(title)s (%(name)s, %(total)s)")
            % {"title": claim.title, "name": claim.claimant.display_name, "total": claim.total},
        )
        return claim
    if claim.status == ClaimStatus.MANAGER_APPROVED:
        if not may_act_as_finance(actor, claim):
            raise PermissionDenied(_("Finance approves this step."))
        _move(
            claim,
            actor=actor,
            expected_version=expected_version,
            action="expenses.claim.approved",
            changes={
                "status": ClaimStatus.APPROVED,
                "finance_approver": actor,
                "finance_approved_at": now,
            },
        )
        _add_to_rollup(claim, sign=1)
        _tell(
            [claim.claimant],
            claim,
            "expenses.claim.approved",
            _("Your expense claim was approved: %(title)s") % {"title": claim.title},
        )
        return claim
    raise ValidationFailed(detail=_("This claim is not awaiting approval."))


def _add_to_rollup(claim: Claim, *, sign: int) -> None:
    """Add (or take away) the claim's records in the approved spending per person and month."""
    sums: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    # visibility: the claim's own records, read by its service
    rows = Expense.objects.unrestricted().filter(claim=claim).values_list("month", "amount_fen")
    for month, fen in rows:
        sums[month][0] += fen
        sums[month][1] += 1
    for month, (fen, count) in sorted(sums.items()):
        rollup = SpendRollup.objects.unrestricted().filter(person=claim.claimant_id, month=month)
        if not rollup.update(
            amount_fen=F("amount_fen") + sign * fen, records=F("records") + sign * count
        ):
            SpendRollup.objects.create(
                person_id=claim.claimant_id, month=month, amount_fen=sign * fen, records=count
            )


@transaction.atomic
def reject_claim(*, actor: User, claim: Claim, expected_version: int, reason: str) -> Claim:
    """The manager or finance, at their step, sends the claim back with a reason."""
    require(actor, perms.CLAIM_REJECT.code)
    _fresh(claim, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Say why the claim is rejected."))
    if claim.status == ClaimStatus.SUBMITTED:
        allowed = may_approve_as_manager(actor, claim)
    elif claim.status == ClaimStatus.MANAGER_APPROVED:
        allowed = may_act_as_finance(actor, claim)
    else:
        raise ValidationFailed(detail=_("This claim is not awaiting approval."))
    if not allowed:
        raise PermissionDenied(_("Only the approver of this step rejects the claim."))
    _move(
        claim,
        actor=actor,
        expected_version=expected_version,
        action="expenses.claim.rejected",
        changes={
            "status": ClaimStatus.REJECTED,
            "rejected_by": actor,
            "rejection_reason": reason[:2000],
        },
    )
    _tell(
        [claim.claimant],
        claim,
        "expenses.claim.rejected",
        _("Your expense claim was rejected: %(title)s") % {"title": claim.title},
        body=reason,
    )
    return claim


@transaction.atomic
def pay_claim(*, actor: User, claim: Claim, expected_version: int) -> Claim:
    """Finance records that an approved claim is paid."""
    require(actor, perms.CLAIM_PAY.code)
    _fresh(claim, expected_version)
    if not may_act_as_finance(actor, claim):
        raise PermissionDenied(_("Finance pays claims."))
    if claim.status != ClaimStatus.APPROVED:
        raise ValidationFailed(detail=_("Only an approved claim is paid."))
    _move(
        claim,
        actor=actor,
        expected_version=expected_version,
        action="expenses.claim.paid",
        changes={"status": ClaimStatus.PAID, "paid_at": timezone.now()},
    )
    _tell(
        [claim.claimant],
        claim,
        "expenses.claim.paid",
        _("Your expense claim was paid: %(title)s") % {"title": claim.title},
    )
    return claim
