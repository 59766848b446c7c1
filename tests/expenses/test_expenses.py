"""Expenses (A8): records and claims by a person, approval by the manager then finance (or
rejection with a reason at either step), payment; every write audited; stale writes 409;
visibility through the one rule; approved spending in the expense-budget metric's actuals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salescope.analytics import manual
from salescope.core.errors import PermissionDenied, StaleVersion, ValidationFailed
from salescope.core.models import AuditEntry
from salescope.expenses import queries, services
from salescope.expenses.models import Expense, SpendRollup
from salescope.notifications.models import Notification
from salescope.plans.choices import Metric
from tests.expenses.leaks import PDF, category

TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=5)


def _claim(person, *amounts, spent_on=LAST_MONTH):
    records = [
        services.record_expense(actor=person, category=category(), spent_on=spent_on, amount=a)
        for a in amounts
    ]
    return services.create_claim(actor=person, title="三月差旅", expenses=records)


def _approved(personas, person, *amounts, spent_on=LAST_MONTH):
    claim = _claim(person, *amounts, spent_on=spent_on)
    claim = services.submit_claim(actor=person, claim=claim, expected_version=claim.version)
    manager = services.managers_above(person)[0]
    claim = services.approve_claim(actor=manager, claim=claim, expected_version=claim.version)
    return services.approve_claim(
        actor=personas["finance"], claim=claim, expected_version=claim.version
    )


def _actions(obj):
    return list(
        AuditEntry.objects.filter(
            object_id=str(obj.pk),
            object_type=obj._meta.label_lower,
            action__startswith="expenses.",
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_claim_goes_from_draft_to_paid_through_manager_and_finance_each_step_audited(personas):
    zhang, lina, finance = personas["salesperson"], personas["team_lead"], personas["finance"]
    claim = _claim(zhang, "350.50", Decimal("120"))
    assert claim.status == "draft"
    assert claim.total == Decimal("470.50")

    claim = services.submit_claim(actor=zhang, claim=claim, expected_version=claim.version)
    assert claim.status == "submitted"
    # The team lead (the nearest manager) hears of it in the one inbox.
    assert (
        Notification.objects.unrestricted()
        .filter(recipient=lina, kind="expenses.claim.submitted")
        .exists()
    )
    assert [c.pk for c in queries.approvals_inbox(viewer=lina)] == [claim.pk]
    assert list(queries.approvals_inbox(viewer=finance)) == []

    claim = services.approve_claim(actor=lina, claim=claim, expected_version=claim.version)
    assert (claim.status, claim.manager_approver_id) == ("manager_approved", lina.pk)
    assert [c.pk for c in queries.approvals_inbox(viewer=finance)] == [claim.pk]
    assert not SpendRollup.objects.unrestricted().exists()  # not spending until finance says

    claim = services.approve_claim(actor=finance, claim=claim, expected_version=claim.version)
    assert claim.status == "approved"
    rollup = SpendRollup.objects.unrestricted().get(person=zhang, month=LAST_MONTH.replace(day=1))
    assert (rollup.amount_fen, rollup.records) == (47_050, 2)

    claim = services.pay_claim(actor=finance, claim=claim, expected_version=claim.version)
    assert claim.status == "paid"
    assert claim.paid_at is not None
    assert _actions(claim) == [
        "expenses.claim.created",
        "expenses.claim.submitted",
        "expenses.claim.manager_approved",
        "expenses.claim.approved",
        "expenses.claim.paid",
    ]
    assert (
        Notification.objects.unrestricted()
        .filter(recipient=zhang, kind="expenses.claim.paid")
        .exists()
    )


def test_a_rejection_needs_a_reason_and_the_claimant_fixes_and_resubmits(personas):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    claim = _claim(zhang, "99")
    claim = services.submit_claim(actor=zhang, claim=claim, expected_version=claim.version)
    before = _actions(claim)
    with pytest.raises(ValidationFailed) as refused:
        services.reject_claim(actor=lina, claim=claim, expected_version=claim.version, reason=" ")
    assert "reason" in refused.value.fields
    claim.refresh_from_db()
    assert claim.status == "submitted"
    assert _actions(claim) == before

    claim = services.reject_claim(
        actor=lina, claim=claim, expected_version=claim.version, reason="缺少发票"
    )
    assert (claim.status, claim.rejection_reason, claim.rejected_by_id) == (
        "rejected",
        "缺少发票",
        lina.pk,
    )
    note = Notification.objects.unrestricted().get(recipient=zhang, kind="expenses.claim.rejected")
    assert note.body == "缺少发票"
    record = claim.expenses.get()
    services.change_expense(
        actor=zhang,
        expense=record,
        expected_version=record.version,
        category=record.category,
        spent_on=record.spent_on,
        amount="88.80",
    )
    claim.refresh_from_db()
    assert claim.total == Decimal("88.80")
    claim = services.submit_claim(actor=zhang, claim=claim, expected_version=claim.version)
    assert claim.status == "submitted"
    assert claim.rejection_reason == ""


def test_only_the_right_people_act_at_each_step_and_a_refusal_changes_nothing(personas):
    zhang, chen, finance = (
        personas["salesperson"],
        personas["other_region_salesperson"],
        personas["finance"],
    )
    claim = _claim(zhang, "500")
    with pytest.raises(PermissionDenied):
        services.submit_claim(actor=chen, claim=claim, expected_version=claim.version)
    claim = services.submit_claim(actor=zhang, claim=claim, expected_version=claim.version)
    audits = AuditEntry.objects.filter(action__startswith="expenses.").count()
    # Finance cannot skip the manager; the claimant cannot approve their own claim.
    with pytest.raises(PermissionDenied):
        services.approve_claim(actor=finance, claim=claim, expected_version=claim.version)
    with pytest.raises(PermissionDenied):
        services.approve_claim(actor=zhang, claim=claim, expected_version=claim.version)
    claim = services.approve_claim(
        actor=personas["team_lead"], claim=claim, expected_version=claim.version
    )
    # A manager cannot take finance's step; nobody pays before finance approved.
    with pytest.raises(PermissionDenied):
        services.approve_claim(
            actor=personas["regional_manager"], claim=claim, expected_version=claim.version
        )
    with pytest.raises(ValidationFailed):
        services.pay_claim(actor=finance, claim=claim, expected_version=claim.version)
    claim.refresh_from_db()
    assert claim.status == "manager_approved"
    # Only the team lead's approval (and its message to finance) was written.
    assert AuditEntry.objects.filter(action__startswith="expenses.").count() == audits + 1
    # Records in a claim under approval are no longer the claimant's to change.
    record = claim.expenses.get()
    with pytest.raises(ValidationFailed):
        services.delete_expense(actor=zhang, expense=record, expected_version=record.version)
    assert Expense.objects.unrestricted().filter(pk=record.pk).exists()


def test_a_stale_approval_gets_409_and_writes_nothing(personas, api_client):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    claim = _claim(zhang, "200")
    claim = services.submit_claim(actor=zhang, claim=claim, expected_version=claim.version)
    stale = claim.version
    services.reject_claim(actor=lina, claim=claim, expected_version=stale, reason="重填")
    audits = AuditEntry.objects.filter(action__startswith="expenses.").count()
    response = api_client(lina).post(
        f"/api/v1/expenses/claims/{claim.pk}/approve",
        {"version": stale},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    claim.refresh_from_db()
    assert claim.status == "rejected"
    assert AuditEntry.objects.filter(action__startswith="expenses.").count() == audits
    with pytest.raises(StaleVersion):
        services.submit_claim(actor=zhang, claim=claim, expected_version=stale)


def test_visibility_own_managers_subtree_and_finance_never_another_region(personas):
    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    mine = _claim(zhang, "10")
    theirs = _claim(chen, "20")

    def seen(who):
        return set(queries.list_claims(viewer=personas[who]).values_list("pk", flat=True))

    assert seen("salesperson") == {mine.pk}
    assert seen("team_lead") == {mine.pk}
    assert seen("regional_manager") == {mine.pk}
    assert seen("other_region_salesperson") == {theirs.pk}
    assert seen("finance") == seen("director") == {mine.pk, theirs.pk}
    assert seen("marketing") == set()
    records = set(queries.list_expenses(viewer=chen).values_list("person_id", flat=True))
    assert records == {chen.pk}


def test_the_api_hides_a_colleagues_claim_and_receipt_like_a_missing_one(personas, api_client):
    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    record = services.record_expense(
        actor=chen, category=category(), spent_on=LAST_MONTH, amount="66"
    )
    client = api_client(zhang)
    hidden = client.get(f"/api/v1/expenses/records/{record.pk}")
    missing = client.get("/api/v1/expenses/records/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_a_receipt_is_stored_under_a_server_name_and_served_only_to_viewers(
    personas, login_client, api_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    zhang = personas["salesperson"]
    record = services.record_expense(
        actor=zhang, category=category(), spent_on=LAST_MONTH, amount="66"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF, content_type="application/pdf")
    response = api_client(zhang).post(
        f"/api/v1/expenses/records/{record.pk}/receipts", {"file": upload}
    )
    assert response.status_code == 201, response.content
    receipt_id = response.json()["id"]
    receipt = record.receipts.get()
    assert receipt.pk == receipt_id
    assert "passwd" not in receipt.file.name
    assert receipt.file.name.startswith(f"expense-receipts/{record.pk}/")
    assert _actions(receipt) == ["expenses.receipt.added"]
    assert login_client(zhang).get(f"/expenses/receipts/{receipt_id}/").status_code == 200
    assert (
        login_client(personas["finance"]).get(f"/expenses/receipts/{receipt_id}/").status_code
        == 200
    )
    chen = personas["other_region_salesperson"]
    assert login_client(chen).get(f"/expenses/receipts/{receipt_id}/").status_code == 404
    with pytest.raises(ValidationFailed):
        services.add_receipt(actor=zhang, expense=record, data=b"MZ\x90 not a receipt")


def test_an_expense_links_only_the_persons_own_visit_and_takes_its_customer(personas):
    from salescope.activities.models import Visit
    from salescope.customers.models import Customer

    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    customer = Customer.objects.create(name="华联超市", code="C-EXP-1", owner=zhang)
    visit = Visit.objects.create(owner=zhang, customer=customer, planned_date=LAST_MONTH)
    expense = services.record_expense(
        actor=zhang, category=category(), spent_on=LAST_MONTH, amount="80", visit=visit
    )
    assert expense.customer_id == customer.pk
    with pytest.raises(ValidationFailed) as refused:
        services.record_expense(
            actor=chen, category=category(), spent_on=LAST_MONTH, amount="80", visit=visit
        )
    assert "visit" in refused.value.fields


@pytest.mark.parametrize("amount", ["0", "-5", "1.234", "abc"])
def test_a_bad_amount_is_refused_at_the_field_and_nothing_is_written(personas, amount):
    with pytest.raises(ValidationFailed) as refused:
        services.record_expense(
            actor=personas["salesperson"], category=category(), spent_on=TODAY, amount=amount
        )
    assert "amount" in refused.value.fields
    assert not Expense.objects.unrestricted().exists()


def test_expense_actuals_are_approved_records_and_a_hand_figure_for_the_cell_replaces_them(
    personas,
):
    from salescope.analytics import services as analytics_services

    zhang, chen = personas["salesperson"], personas["other_region_salesperson"]
    _approved(personas, zhang, "300", "200.25")
    _approved(personas, chen, "1000")
    pending = _claim(zhang, "999")  # a draft is no spending
    assert pending.status == "draft"
    month = LAST_MONTH.replace(day=1)

    def actuals(viewer, group_by=("salesperson",)):
        return manual.manual_actuals(
            viewer=viewer,
            metric=Metric.EXPENSE_BUDGET,
            date_from=month,
            date_to=month,
            group_by=group_by,
        )

    assert actuals(personas["director"]) == {(zhang.pk,): 50_025, (chen.pk,): 100_000}
    assert actuals(zhang) == {(zhang.pk,): 50_025}  # his own only
    east = zhang.unit
    assert actuals(personas["director"], ("unit",))[(east.pk,)] == 50_025
    # A figure entered by hand for the same person and month is a correction: it replaces.
    analytics_services.enter_manual_actual(
        actor=personas["finance"],
        metric=Metric.EXPENSE_BUDGET,
        month=month,
        person=zhang,
        value="450",
    )
    assert actuals(personas["director"])[(zhang.pk,)] == 45_000
