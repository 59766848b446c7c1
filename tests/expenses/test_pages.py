"""The expense pages: a salesperson records an expense and makes a claim, the team lead finds
it in the approvals inbox and approves it, finance approves it and it shows on budget vs
spend; categories are finance's to add."""

import datetime as dt

from django.utils import timezone

from salescope.expenses.models import Claim, Expense, ExpenseCategory
from tests.expenses.leaks import category

LAST_MONTH = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=3)


def test_from_a_record_to_an_approved_claim_through_the_pages(personas, login_client):
    zhang, lina, finance = personas["salesperson"], personas["team_lead"], personas["finance"]
    me = login_client(zhang)
    response = me.post(
        "/expenses/records/new/",
        {"category": category().pk, "spent_on": LAST_MONTH.isoformat(), "amount": "256.80"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    record = Expense.objects.unrestricted().get(person=zhang)
    assert record.amount_fen == 25_680
    page = me.get("/expenses/").content.decode()
    assert "256.80" in page

    response = me.post("/expenses/claims/new/", {"title": "上月差旅", "record": [record.pk]})
    claim = Claim.objects.unrestricted().get(claimant=zhang)
    assert response.url == f"/expenses/claims/{claim.pk}/"
    me.post(f"/expenses/claims/{claim.pk}/submit/", {"version": claim.version})
    claim.refresh_from_db()
    assert claim.status == "submitted"

    lead = login_client(lina)
    assert "上月差旅" in lead.get("/expenses/approvals/").content.decode()
    assert "上月差旅" not in login_client(finance).get("/expenses/approvals/").content.decode()
    lead.post(f"/expenses/claims/{claim.pk}/approve/", {"version": claim.version})
    claim.refresh_from_db()
    assert claim.status == "manager_approved"
    # A second click on the page loaded before the approval is stale: 409, nothing changes.
    stale = lead.post(f"/expenses/claims/{claim.pk}/approve/", {"version": claim.version - 1})
    assert stale.status_code == 409
    login_client(finance).post(f"/expenses/claims/{claim.pk}/approve/", {"version": claim.version})
    claim.refresh_from_db()
    assert claim.status == "approved"

    budget = login_client(personas["director"]).get("/expenses/budget/").content.decode()
    assert zhang.full_name in budget
    assert "256.80" in budget


def test_the_rejection_reason_shows_to_the_claimant(personas, login_client):
    from salescope.expenses import services

    zhang = personas["salesperson"]
    record = services.record_expense(
        actor=zhang, category=category(), spent_on=LAST_MONTH, amount="10"
    )
    claim = services.create_claim(actor=zhang, title="小额报销", expenses=[record])
    claim = services.submit_claim(actor=zhang, claim=claim, expected_version=claim.version)
    login_client(personas["team_lead"]).post(
        f"/expenses/claims/{claim.pk}/reject/",
        {"version": claim.version, "reason": "<b>缺发票</b>"},
    )
    page = login_client(zhang).get(f"/expenses/claims/{claim.pk}/").content.decode()
    assert "&lt;b&gt;缺发票&lt;/b&gt;" in page


def test_finance_adds_a_category_and_a_salesperson_may_not(personas, login_client):
    response = login_client(personas["finance"]).post(
        "/expenses/categories/", {"code": "exhibition", "name": "展会费", "position": 9}
    )
    assert response.status_code == 302
    assert ExpenseCategory.objects.unrestricted().get(code="exhibition").name == "展会费"
    refused = login_client(personas["salesperson"]).post(
        "/expenses/categories/", {"code": "golf", "name": "高尔夫"}
    )
    assert refused.status_code == 403
    assert not ExpenseCategory.objects.unrestricted().filter(code="golf").exists()


def test_the_navigation_has_the_expenses_area(personas, login_client):
    home = login_client(personas["salesperson"]).get("/expenses/").content.decode()
    assert 'href="/expenses/"' in home
