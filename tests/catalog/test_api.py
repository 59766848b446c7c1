"""The catalogue's write API (issue 20 item 2, H3): every write through an audited service,
422 at the field, 409 on a stale version, the role table, the availability answer's inputs."""

import datetime as dt

import pytest
from django.utils import timezone

from salescope.catalog.models import Category, IncomingSupply, Product, StockLevel, Warehouse
from salescope.core.models import AuditEntry

API = "/api/v1/catalog"


def _writes(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


@pytest.fixture
def editor(personas, api_client):
    return api_client(personas["marketing"])


@pytest.fixture
def warehouse(db):
    return Warehouse.objects.create(code="WH-SH", name="上海仓")


@pytest.fixture
def product(db):
    return Product.objects.create(sku="P-1", name="橙汁", list_price_fen=1000)


def test_a_brand_is_created_changed_and_a_stale_change_gets_409(editor):
    made = editor.post(f"{API}/brands", {"name": "华远", "code": "HY"}, "application/json")
    assert made.status_code == 201, made.content
    brand = made.json()
    assert (brand["name"], brand["version"]) == ("华远", 1)
    url = f"{API}/brands/{brand['id']}"
    changed = editor.patch(url, {"version": 1, "name": "华远饮料"}, "application/json")
    assert changed.json() == {**brand, "name": "华远饮料", "version": 2}
    stale = editor.patch(url, {"version": 1, "name": "别的"}, "application/json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert editor.get(f"{API}/brands").json()[0]["name"] == "华远饮料"
    assert _writes("catalog.brand.created") == 1
    assert _writes("catalog.brand.updated") == 1


def test_a_duplicate_code_is_422_at_the_field_and_writes_nothing(editor):
    editor.post(f"{API}/brands", {"name": "华远", "code": "HY"}, "application/json")
    again = editor.post(f"{API}/brands", {"name": "田园", "code": "HY"}, "application/json")
    assert again.status_code == 422
    body = again.json()
    assert body["code"] == "validation_failed"
    assert list(body["fields"]) == ["code"]
    assert _writes("catalog.brand.created") == 1


def test_a_category_moves_with_its_subtree_but_never_under_itself(editor):
    def make(name, parent=None):
        body = {"name": name, "code": name, "parent_id": parent}
        response = editor.post(f"{API}/categories", body, "application/json")
        assert response.status_code == 201, response.content
        return response.json()

    drinks, juice = make("饮料"), None
    juice = make("果汁", drinks["id"])
    orange = make("橙汁", juice["id"])
    food = make("食品")
    cycle = editor.patch(
        f"{API}/categories/{drinks['id']}",
        {"version": drinks["version"], "parent_id": orange["id"]},
        "application/json",
    )
    assert cycle.status_code == 422
    assert list(cycle.json()["fields"]) == ["parent"]
    moved = editor.patch(
        f"{API}/categories/{juice['id']}",
        {"version": juice["version"], "parent_id": food["id"]},
        "application/json",
    )
    assert moved.status_code == 200, moved.content
    paths = dict(Category.objects.unrestricted().values_list("code", "path"))
    assert paths["果汁"] == f"{food['id']}/{juice['id']}/"
    assert paths["橙汁"] == f"{food['id']}/{juice['id']}/{orange['id']}/"
    assert paths["饮料"] == f"{drinks['id']}/"


def test_a_product_is_created_with_money_in_yuan_and_its_cost_protected(
    editor, personas, api_client
):
    body = {"sku": "P-NEW", "name": "新品", "list_price": "12.50", "cost": "7.00"}
    refused = editor.post(f"{API}/products", body, "application/json")
    assert refused.status_code == 403  # marketing may edit the catalogue but not set cost
    assert list(refused.json()["fields"]) == ["cost"]
    del body["cost"]
    made = editor.post(f"{API}/products", body, "application/json")
    assert made.status_code == 201, made.content
    product = Product.objects.unrestricted().get(sku="P-NEW")
    assert product.list_price_fen == 1250
    director = api_client(personas["director"])
    priced = director.patch(
        f"{API}/products/{product.pk}", {"version": 1, "cost": "7.00"}, "application/json"
    )
    assert priced.status_code == 200
    assert priced.json()["cost"] == "7.00"
    gone = director.delete(f"{API}/products/{product.pk}?version=2")
    assert gone.status_code == 204
    assert director.get(f"/api/v1/products/{product.pk}").status_code == 404


def test_unknown_fields_are_refused_by_name(editor, product):
    response = editor.patch(
        f"{API}/products/{product.pk}", {"version": 1, "price": "1"}, "application/json"
    )
    assert response.status_code == 422
    assert "price" in str(response.json())


def test_a_no_op_patch_writes_no_audit_entry_and_keeps_the_version(editor, product):
    response = editor.patch(
        f"{API}/products/{product.pk}", {"version": 1, "name": "橙汁"}, "application/json"
    )
    assert response.json()["version"] == 1
    assert _writes("catalog.product.updated") == 0


def test_stock_is_set_with_a_reason_adjusted_and_stale_sets_get_409(editor, warehouse, product):
    body = {"warehouse_id": warehouse.pk, "product_id": product.pk, "on_hand": 100}
    missing = editor.post(f"{API}/stock", body, "application/json")
    assert missing.status_code == 422  # the reason is required
    set_ = editor.post(f"{API}/stock", {**body, "reason": "盘点"}, "application/json")
    assert set_.status_code == 200, set_.content
    level = set_.json()
    assert (level["on_hand"], level["reserved"], level["version"]) == (100, 0, 2)
    adjust = {"warehouse_id": warehouse.pk, "product_id": product.pk, "reason": "破损"}
    taken = editor.post(f"{API}/stock/adjust", {**adjust, "delta": -30}, "application/json")
    assert taken.json()["on_hand"] == 70
    too_much = editor.post(f"{API}/stock/adjust", {**adjust, "delta": -71}, "application/json")
    assert too_much.status_code == 422
    assert list(too_much.json()["fields"]) == ["delta"]
    stale = editor.post(
        f"{API}/stock", {**body, "reason": "复盘", "version": level["version"]}, "application/json"
    )
    assert stale.status_code == 409  # the adjustment moved the version on
    assert StockLevel.objects.unrestricted().get().on_hand == 70
    entry = AuditEntry.objects.get(action="catalog.stock.set")
    assert entry.changes["reason"] == "盘点"
    assert entry.changes["on_hand"] == [0, 100]


def test_supply_is_added_moved_received_into_stock_and_then_closed(editor, warehouse, product):
    today = timezone.localdate()
    body = {
        "warehouse_id": warehouse.pk,
        "product_id": product.pk,
        "kind": "production",
        "quantity": 40,
        "expected_date": str(today + dt.timedelta(days=5)),
        "reference": "MO-1",
    }
    made = editor.post(f"{API}/supply", body, "application/json")
    assert made.status_code == 201, made.content
    supply = made.json()
    twin = editor.post(f"{API}/supply", body, "application/json")
    assert (twin.status_code, list(twin.json()["fields"])) == (422, ["reference"])
    bad_kind = editor.post(
        f"{API}/supply", {**body, "reference": "X", "kind": "gift"}, "application/json"
    )
    assert (bad_kind.status_code, list(bad_kind.json()["fields"])) == (422, ["kind"])
    url = f"{API}/supply/{supply['id']}"
    later = str(today + dt.timedelta(days=9))
    moved = editor.patch(url, {"version": 1, "expected_date": later}, "application/json")
    assert moved.json()["expected_date"] == later
    stale = editor.post(f"{url}/receive", {"version": 1}, "application/json")
    assert stale.status_code == 409
    received = editor.post(f"{url}/receive", {"version": 2}, "application/json")
    assert received.json()["status"] == "received"
    assert StockLevel.objects.unrestricted().get().on_hand == 40
    again = editor.post(f"{url}/cancel", {"version": 3, "reason": "x"}, "application/json")
    assert again.status_code == 409
    assert [
        e.action for e in AuditEntry.objects.filter(action__startswith="catalog.").order_by("id")
    ] == [
        "catalog.supply.added",
        "catalog.supply.updated",
        "catalog.supply.received",
        "catalog.stock.adjusted",
    ]


def test_a_price_list_holds_prices_per_product(editor, product):
    made = editor.post(
        f"{API}/price-lists", {"code": "PL-DEALER", "name": "经销价"}, "application/json"
    ).json()
    url = f"{API}/price-lists/{made['id']}/prices"
    editor.post(url, {"product_id": product.pk, "price": "8.80"}, "application/json")
    editor.post(url, {"product_id": product.pk, "price": "8.50"}, "application/json")
    assert editor.get(url).json() == [{"product_id": product.pk, "sku": "P-1", "price": "8.50"}]
    bad = editor.patch(
        f"{API}/price-lists/{made['id']}",
        {"version": 3, "valid_from": "2026-02-01", "valid_to": "2026-01-01"},
        "application/json",
    )
    assert (bad.status_code, list(bad.json()["fields"])) == (422, ["valid_to"])
    assert editor.delete(f"{url}/{product.pk}").status_code == 204
    assert editor.get(url).json() == []


def test_a_warehouse_with_stock_cannot_be_deleted(editor, warehouse, product):
    StockLevel.objects.create(warehouse=warehouse, product=product, on_hand=5)
    response = editor.delete(f"{API}/warehouses/{warehouse.pk}")
    assert response.status_code == 409
    assert Warehouse.objects.unrestricted().filter(pk=warehouse.pk).exists()


@pytest.mark.parametrize("who", ["salesperson", "regional_manager", "finance"])
def test_people_outside_the_catalogue_roles_cannot_write_it(personas, api_client, who, product):
    client = api_client(personas[who])
    assert client.post(f"{API}/brands", {"name": "X"}, "application/json").status_code == 403
    response = client.patch(
        f"{API}/products/{product.pk}", {"version": 1, "name": "改"}, "application/json"
    )
    assert response.status_code == 403
    assert Product.objects.unrestricted().get().name == "橙汁"
    assert not AuditEntry.objects.filter(action__startswith="catalog.").exists()


def test_the_availability_answer_names_each_input(personas, api_client, warehouse, product):
    other = Warehouse.objects.create(code="WH-GZ", name="广州仓")
    StockLevel.objects.create(warehouse=warehouse, product=product, on_hand=100, reserved=20)
    StockLevel.objects.create(warehouse=other, product=product, on_hand=500)
    today = timezone.localdate()
    for days, quantity, status in ((3, 30, "open"), (6, 50, "cancelled"), (9, 40, "open")):
        IncomingSupply.objects.create(
            warehouse=warehouse,
            product=product,
            kind="purchase",
            quantity=quantity,
            expected_date=today + dt.timedelta(days=days),
            status=status,
        )
    client = api_client(personas["salesperson"])
    url = f"/api/v1/products/{product.pk}/availability?warehouse_id={warehouse.pk}"
    answer = client.get(f"{url}&quantity=140").json()
    assert {k: answer[k] for k in ("on_hand", "reserved", "committed", "available_now")} == {
        "on_hand": 100,
        "reserved": 20,
        "committed": 0,
        "available_now": 80,
    }
    assert answer["incoming_total"] == 70  # the cancelled 50 counts nowhere
    assert answer["date"] == str(today + dt.timedelta(days=9))
    assert answer["deliverable"] is True
    assert client.get(f"{url}&quantity=151").json()["date"] is None
