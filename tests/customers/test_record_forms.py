"""Everyday customer records in the pages: create and edit a customer (with the duplicate
warning before saving), add and edit contacts, and finance setting credit limits and payment
terms. Each: the status, the error at its field, one audit row, and who sees the button."""

import pytest

from salescope.core.models import AuditEntry
from salescope.customers.models import Contact, Customer


def _audits(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


NEW = {
    "code": "C-NEW-1",
    "name": "杭州新世纪超市",
    "kind": "end_customer",
    "phone": "0571-8888 0001",
}


@pytest.mark.django_db
def test_salesperson_creates_a_customer_he_then_owns(world, login_client):
    client = login_client(world.personas["salesperson"])
    page = client.get("/customers/")
    assert 'data-testid="new-customer"' in page.content.decode()
    form = client.get("/customers/new/").content.decode()
    assert 'name="owner"' not in form  # a salesperson does not assign owners
    assert 'name="credit_limit"' not in form  # nor set credit

    response = client.post("/customers/new/", NEW)

    created = Customer.objects.unrestricted().get(code="C-NEW-1")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{created.pk}/"
    assert (created.name, created.owner, created.kind) == (
        "杭州新世纪超市",
        world.personas["salesperson"],
        "end_customer",
    )
    assert _audits("customers.customer.created") == 1


@pytest.mark.django_db
def test_a_taken_code_is_refused_at_its_field_and_nothing_is_written(world, login_client):
    client = login_client(world.personas["salesperson"])
    before = Customer.objects.unrestricted().count()

    response = client.post("/customers/new/", {**NEW, "code": "C-EAST-2"})

    assert response.status_code == 422
    assert 'data-testid="error-code"' in response.content.decode()
    assert Customer.objects.unrestricted().count() == before
    assert _audits("customers.customer.created") == 0


@pytest.mark.django_db
def test_a_look_alike_is_shown_before_saving_and_saved_only_when_confirmed(world, login_client):
    client = login_client(world.personas["salesperson"])
    look_alike = {**NEW, "name": "上海联华商贸", "phone": ""}  # 上海联华商贸有限公司 exists

    warned = client.post("/customers/new/", look_alike)

    body = warned.content.decode()
    assert warned.status_code == 200
    assert 'data-testid="duplicate-warning"' in body
    assert f"/customers/{world.east_dealer.pk}/" in body
    assert not Customer.objects.unrestricted().filter(code="C-NEW-1").exists()

    saved = client.post("/customers/new/", {**look_alike, "confirm_duplicate": "1"})

    assert saved.status_code == 302
    assert Customer.objects.unrestricted().filter(code="C-NEW-1").exists()


@pytest.mark.django_db
def test_the_duplicate_warning_names_no_customer_the_person_cannot_see(world, login_client):
    client = login_client(world.personas["salesperson"])

    response = client.post("/customers/new/", {**NEW, "name": "广州粤华贸易"})  # 华南's

    assert response.status_code == 302  # nothing visible looks alike: saved
    assert "C-SOUTH-1" not in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_owner_edits_a_customer_and_a_stale_form_gets_409(world, login_client):
    client = login_client(world.personas["salesperson"])
    customer = world.east_shop
    detail = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/customers/{customer.pk}/edit/" in detail
    fields = {"code": customer.code, "name": "浦东便利店（旗舰）", "kind": "end_customer"}

    saved = client.post(f"/customers/{customer.pk}/edit/", {**fields, "version": 1})
    stale = client.post(
        f"/customers/{customer.pk}/edit/", {**fields, "name": "另一个名字", "version": 1}
    )

    customer.refresh_from_db()
    assert saved.status_code == 302
    assert stale.status_code == 409
    assert (customer.name, customer.version) == ("浦东便利店（旗舰）", 2)
    assert _audits("customers.customer.updated") == 1


@pytest.mark.django_db
def test_a_customer_one_cannot_see_has_no_edit_page(world, login_client):
    client = login_client(world.personas["salesperson"])
    south = world.south_dealer

    assert client.get(f"/customers/{south.pk}/edit/").status_code == 404
    response = client.post(
        f"/customers/{south.pk}/edit/",
        {"code": south.code, "name": "改名", "kind": "dealer", "version": 1},
    )
    assert response.status_code == 404
    south.refresh_from_db()
    assert south.name == "广州粤华贸易"


@pytest.mark.django_db
def test_finance_sets_credit_limit_and_payment_terms(world, login_client):
    finance = world.personas["finance"]
    client = login_client(finance)
    customer = world.east_dealer
    detail = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"/customers/{customer.pk}/credit/" in detail
    assert f"/customers/{customer.pk}/edit/" not in detail  # finance changes only the terms

    response = client.post(
        f"/customers/{customer.pk}/credit/",
        {"version": customer.version, "credit_limit": "25000.50", "payment_terms_days": "45"},
    )

    customer.refresh_from_db()
    assert response.status_code == 302
    assert (customer.credit_limit_fen, customer.payment_terms_days) == (2_500_050, 45)
    entry = AuditEntry.objects.get(action="customers.customer.credit_terms_changed")
    assert entry.actor == finance
    assert entry.changes["credit_limit_fen"] == [1_000_000, 2_500_050]


@pytest.mark.django_db
def test_finance_sets_credit_terms_through_the_api_too(world, api_client):
    customer = world.east_dealer

    response = api_client(world.personas["finance"]).put(
        f"/api/v1/customers/{customer.pk}/credit-terms",
        {"version": customer.version, "credit_limit": "8000", "payment_terms_days": 60},
        content_type="application/json",
    )

    customer.refresh_from_db()
    assert response.status_code == 200, response.content
    assert response.json()["credit_limit"] == "8000.00"
    assert (customer.credit_limit_fen, customer.payment_terms_days) == (800_000, 60)


@pytest.mark.django_db
def test_a_salesperson_may_not_set_credit_terms(world, login_client):
    client = login_client(world.personas["salesperson"])
    customer = world.east_dealer
    assert (
        f"/customers/{customer.pk}/credit/"
        not in client.get(f"/customers/{customer.pk}/").content.decode()
    )

    response = client.post(
        f"/customers/{customer.pk}/credit/",
        {"version": customer.version, "credit_limit": "99999999", "payment_terms_days": "365"},
    )

    customer.refresh_from_db()
    assert response.status_code == 403
    assert customer.credit_limit_fen == 1_000_000
    assert _audits("customers.customer.credit_terms_changed") == 0


@pytest.mark.django_db
def test_a_negative_payment_term_is_refused_at_its_field(world, login_client):
    client = login_client(world.personas["finance"])
    customer = world.east_dealer

    response = client.post(
        f"/customers/{customer.pk}/credit/",
        {"version": customer.version, "credit_limit": "", "payment_terms_days": "-5"},
    )

    assert response.status_code == 422
    assert 'data-testid="error-payment_terms_days"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.payment_terms_days == 30


@pytest.mark.django_db
def test_contacts_are_added_and_edited_with_the_version_checked(world, login_client):
    client = login_client(world.personas["salesperson"])
    customer = world.east_dealer

    added = client.post(
        f"/customers/{customer.pk}/contacts/new/",
        {"name": "王经理", "title": "采购经理", "phone": "13800000000", "is_primary": "on"},
    )
    contact = Contact.objects.unrestricted().get(customer=customer)
    edited = client.post(
        f"/customers/contacts/{contact.pk}/edit/",
        {"name": "王建国", "title": "采购总监", "phone": "13800000000", "version": 1},
    )
    stale = client.post(f"/customers/contacts/{contact.pk}/edit/", {"name": "旧页面", "version": 1})
    empty = client.post(f"/customers/contacts/{contact.pk}/edit/", {"name": " ", "version": 2})

    contact.refresh_from_db()
    assert (added.status_code, edited.status_code, stale.status_code) == (302, 302, 409)
    assert empty.status_code == 422
    assert 'data-testid="error-name"' in empty.content.decode()
    assert (contact.name, contact.title, contact.is_primary, contact.version) == (
        "王建国",
        "采购总监",
        False,
        2,
    )
    assert _audits("customers.contact.created") == 1
    assert _audits("customers.contact.changed") == 1


@pytest.mark.django_db
def test_no_contact_can_be_added_to_a_customer_one_cannot_see(world, login_client):
    client = login_client(world.personas["salesperson"])

    response = client.post(f"/customers/{world.south_dealer.pk}/contacts/new/", {"name": "潜入者"})

    assert response.status_code == 404
    assert not Contact.objects.unrestricted().filter(name="潜入者").exists()
