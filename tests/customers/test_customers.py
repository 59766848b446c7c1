"""Customers: protected fields (R6), stale writes (R7), soft delete and archive (R16), merge,
handover (F2), data quality (F1), visibility of lists and details (R1)."""

import datetime as dt

import pytest

from salescope.core.errors import Conflict, PermissionDenied, StaleVersion
from salescope.core.models import AuditEntry
from salescope.customers import queries, services
from salescope.customers.models import Customer, normalize_name
from salescope.ledger import queries as ledger_queries
from salescope.ledger import services as ledger_services
from salescope.ledger.models import Invoice, SalesLine
from salescope.org.models import User


def test_salesperson_cannot_change_owner_or_credit_limit(world, api_client):
    customer = world.east_dealer
    client = api_client(world.personas["salesperson"])
    audits = AuditEntry.objects.count()
    response = client.patch(
        f"/api/v1/customers/{customer.pk}",
        {
            "version": customer.version,
            "credit_limit": "999999.00",
            "owner_id": world.personas["team_lead"].pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    # Named as the API knows them, never by the stored column (credit_limit_fen).
    assert set(response.json()["fields"]) == {"owner", "credit_limit"}
    assert "_fen" not in response.content.decode()
    customer.refresh_from_db()
    assert (customer.credit_limit_fen, customer.owner_id) == (
        1_000_000,
        world.personas["salesperson"].pk,
    )
    assert AuditEntry.objects.count() == audits


def test_salesperson_may_edit_the_phone_of_their_customer(world, api_client):
    customer = world.east_dealer
    response = api_client(world.personas["salesperson"]).patch(
        f"/api/v1/customers/{customer.pk}",
        {"version": customer.version, "phone": "021-6666 0000"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "021-6666 0000"
    entry = AuditEntry.objects.get(action="customers.customer.updated")
    assert entry.changes == {"phone": ["021-5555 1234", "021-6666 0000"]}


def test_stale_version_is_refused_with_409(world):
    customer = world.east_dealer
    services.update_customer(
        actor=world.personas["admin"], customer=customer, expected_version=1, changes={"tier": "A"}
    )
    with pytest.raises(StaleVersion):
        services.update_customer(
            actor=world.personas["admin"],
            customer=customer,
            expected_version=1,
            changes={"tier": "B"},
        )
    customer.refresh_from_db()
    assert (customer.tier, customer.version) == ("A", 2)


def test_other_regions_customer_is_404_like_a_missing_one(world, api_client):
    client = api_client(world.personas["other_region_salesperson"])
    hidden = client.get(f"/api/v1/customers/{world.east_dealer.pk}")
    missing = client.get("/api/v1/customers/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    listed = client.get("/api/v1/customers").json()["items"]
    assert [c["code"] for c in listed] == ["C-SOUTH-1"]


def test_manager_and_finance_see_the_customers_below_or_all(world):
    team_lead = [c.code for c in queries.list_customers(viewer=world.personas["team_lead"])]
    finance = [c.code for c in queries.list_customers(viewer=world.personas["finance"])]
    assert team_lead == ["C-EAST-1", "C-EAST-2"]
    assert finance == ["C-EAST-1", "C-EAST-2", "C-SOUTH-1"]


def test_customer_with_ledger_entries_can_only_be_archived(world, api_client):
    ledger_services.issue_invoice(
        actor=world.personas["finance"],
        customer=world.east_dealer,
        number="INV-1",
        issue_date=dt.date(2025, 1, 1),
        amount="10.00",
    )
    client = api_client(world.personas["admin"])
    response = client.delete(f"/api/v1/customers/{world.east_dealer.pk}")
    assert response.status_code == 409
    assert response.json()["code"] == "customer_has_ledger_entries"
    assert Customer.objects.unrestricted().get(pk=world.east_dealer.pk).deleted_at is None
    archived = client.post(f"/api/v1/customers/{world.east_dealer.pk}/archive")
    assert archived.json()["status"] == "archived"


def test_deleted_customer_leaves_lists_and_can_be_restored(world):
    admin = world.personas["admin"]
    services.delete_customer(actor=admin, customer=world.east_shop)
    assert "C-EAST-2" not in [c.code for c in queries.list_customers(viewer=admin)]
    services.restore_customer(actor=admin, customer=world.east_shop)
    assert "C-EAST-2" in [c.code for c in queries.list_customers(viewer=admin)]
    actions = list(
        AuditEntry.objects.filter(
            object_type="customers.customer", object_id=str(world.east_shop.pk)
        )
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions == ["customers.customer.deleted", "customers.customer.restored"]


def test_normalised_names_find_duplicates(world):
    assert (
        normalize_name("上海联华商贸有限公司") == normalize_name(" 上海联华商贸 ") == "上海联华商贸"
    )
    dup = Customer(
        code="C-DUP",
        name="上海联华商贸",
        owner=world.personas["salesperson"],
        phone="+86 21 5555 1234",
    )
    dup.save()
    report = queries.data_quality(viewer=world.personas["admin"])
    groups = {(g["by"], tuple(c.code for c in g["customers"])) for g in report["duplicates"]}
    assert ("name", ("C-DUP", "C-EAST-1")) in groups
    missing = {m["customer"].code: m["fields"] for m in report["missing"]}
    assert missing["C-SOUTH-1"] == ["territory", "phone", "tax_number"]


def test_merge_moves_history_to_the_kept_customer(world):
    dup = Customer(code="C-DUP", name="上海联华商贸", owner=world.personas["salesperson"])
    dup.save()
    ledger_services.issue_invoice(
        actor=world.personas["finance"],
        customer=dup,
        number="INV-D",
        issue_date=dt.date(2025, 1, 1),
        amount="5.00",
    )
    services.merge_customers(
        actor=world.personas["regional_manager"], keep=world.east_dealer, duplicates=[dup]
    )
    assert Invoice.objects.unrestricted().get(number="INV-D").customer_id == world.east_dealer.pk
    dup.refresh_from_db()
    assert (dup.merged_into_id, dup.deleted_at is not None) == (world.east_dealer.pk, True)


def test_handover_moves_everything_and_leaves_no_orphans(world):
    leaver = world.personas["salesperson"]
    heir = User.objects.unrestricted().get(username="yangfan")
    ledger_services.issue_invoice(
        actor=world.personas["finance"],
        customer=world.east_dealer,
        number="INV-H",
        issue_date=dt.date(2025, 1, 1),
        amount="5.00",
    )
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    before = queries.orphaned_records(viewer=world.personas["admin"])
    assert [len(before[k]) for k in ("customers", "invoices")] == [2, 1]
    counts = services.hand_over(
        actor=world.personas["regional_manager"], from_user=leaver, to_user=heir, reason="离职"
    )
    assert counts == {"customers": 2, "orders": 0, "invoices": 1, "collections": 0}
    after = queries.orphaned_records(viewer=world.personas["admin"])
    assert after == {"customers": [], "orders": [], "invoices": []}
    assert AuditEntry.objects.filter(action="customers.owner.handed_over").count() == 1


def test_handover_outside_the_managers_area_changes_nothing(world):
    south = world.personas["other_region_salesperson"]
    with pytest.raises(PermissionDenied):
        services.hand_over(
            actor=world.personas["team_lead"],
            from_user=south,
            to_user=world.personas["salesperson"],
        )
    assert Customer.objects.unrestricted().get(code="C-SOUTH-1").owner_id == south.pk
    assert not AuditEntry.objects.filter(action="customers.owner.handed_over").exists()


def test_dealer_health_classifies_recency_and_trend(world):
    today = dt.date(2025, 6, 30)
    _line(world, world.east_dealer, today - dt.timedelta(days=10), 1000)
    _line(world, world.south_dealer, today - dt.timedelta(days=120), 1000)
    rows = {
        r["customer"].code: r["status"]
        for r in ledger_queries.dealer_health(viewer=world.personas["admin"], as_of=today)
    }
    assert rows == {"C-EAST-1": "active", "C-SOUTH-1": "lost"}


def _line(world, customer, day, fen):
    SalesLine.objects.create(
        line_key=f"{customer.code}-{day}",
        date=day,
        month=day.replace(day=1),
        kind="sell_in",
        customer=customer,
        product=world.cola,
        quantity_milli=1000,
        unit_price_fen=fen,
        amount_fen=fen,
        cost_fen=0,
        gross_profit_fen=fen,
        salesperson=customer.owner,
    )


def test_archiving_a_customer_with_ledger_is_not_a_conflict(world):
    _line(world, world.east_dealer, dt.date(2025, 1, 1), 100)
    with pytest.raises(Conflict):
        services.delete_customer(actor=world.personas["admin"], customer=world.east_dealer)
    services.archive_customer(actor=world.personas["admin"], customer=world.east_dealer)
    assert Customer.objects.unrestricted().get(pk=world.east_dealer.pk).status == "archived"


def test_customer_list_query_count_does_not_grow_with_rows(
    world, django_assert_max_num_queries, login_client
):
    client = login_client(world.personas["regional_manager"])
    for index in range(30):
        Customer(
            code=f"C-X{index}", name=f"客户{index}", owner=world.personas["salesperson"]
        ).save()
    with django_assert_max_num_queries(12):
        response = client.get("/customers/")
    assert response.status_code == 200


def test_a_pair_alike_in_name_and_phone_is_listed_once(world):
    """Issue 19, defect 10: one duplicate pair matched by two fields is one group naming both."""
    twin = Customer(
        code="C-TWIN",
        name=world.east_dealer.name,
        owner=world.personas["salesperson"],
        phone=world.east_dealer.phone,
    )
    twin.save()
    report = queries.data_quality(viewer=world.personas["admin"])
    pairs = [
        g
        for g in report["duplicates"]
        if {c.code for c in g["customers"]} == {"C-TWIN", "C-EAST-1"}
    ]
    assert len(pairs) == 1
    assert pairs[0]["by_all"] == ["name", "phone"]


def test_a_refused_protected_field_is_named_by_its_label(world, api_client):
    """Issue 19, defect 10: the message names 信用额度, not credit_limit_fen, and says 您."""
    client = api_client(world.personas["salesperson"])
    response = client.patch(
        f"/api/v1/customers/{world.east_dealer.pk}",
        {"version": world.east_dealer.version, "credit_limit": "1.00"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权修改：信用额度"


def test_the_old_dealer_health_address_leads_to_the_ledgers_page(world, login_client):
    client = login_client(world.personas["regional_manager"])
    response = client.get("/customers/dealer-health/")
    assert response.status_code == 301
    assert response["Location"] == "/ledger/dealer-health/"
    assert 'data-testid="dealer-health"' in client.get(response["Location"]).content.decode()
