"""The catalogue's pages: forms that write through the services with the error at the field,
the permission table on page writes, 409 on a stale count, the labelled availability answer
and the import page (GBK file, every bad cell with its line)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from salescope.catalog.models import Brand, IncomingSupply, Product, StockLevel, Warehouse
from salescope.core.models import AuditEntry
from salescope.ledger import jobs


@pytest.fixture
def editor(personas, login_client):
    return login_client(personas["marketing"])


@pytest.fixture
def stocked(db):
    warehouse = Warehouse.objects.create(code="WH-SH", name="上海仓")
    product = Product.objects.create(sku="P-1", name="橙汁", list_price_fen=1000)
    level = StockLevel.objects.create(warehouse=warehouse, product=product, on_hand=10)
    return warehouse, product, level


def _error(response, field):
    match = re.search(rf'data-testid="error-{field}">([^<]+)<', response.content.decode())
    return match.group(1) if match else None


def test_a_brand_added_on_the_page_is_listed_and_a_taken_code_is_said_at_the_field(editor):
    added = editor.post("/catalog/brands/", {"name": "华远", "code": "HY", "version": 0})
    assert added.status_code == 302
    assert "华远" in editor.get("/catalog/brands/").content.decode()
    again = editor.post("/catalog/brands/", {"name": "田园", "code": "HY", "version": 0})
    assert again.status_code == 422
    assert _error(again, "code") == "已有记录使用此值。"
    assert Brand.objects.unrestricted().count() == 1


def test_a_salesperson_sees_the_catalogue_but_cannot_write_it(personas, login_client, stocked):
    client = login_client(personas["salesperson"])
    assert client.get("/catalog/stock/").status_code == 200
    refused = client.post("/catalog/brands/", {"name": "华远", "code": "HY", "version": 0})
    assert refused.status_code == 403
    assert not Brand.objects.unrestricted().exists()


def test_a_count_from_a_stale_page_is_refused_with_409(editor, stocked):
    warehouse, product, level = stocked
    page = editor.get(f"/catalog/stock/?level={level.pk}").content.decode()
    assert 'name="version" value="1"' in page
    form = {
        "form": "set",
        "warehouse": warehouse.pk,
        "product": "P-1",
        "on_hand": 12,
        "reason": "盘点",
        "version": 1,
    }
    assert editor.post("/catalog/stock/", form).status_code == 302
    stale = editor.post("/catalog/stock/", {**form, "on_hand": 15})
    assert stale.status_code == 409
    assert StockLevel.objects.unrestricted().get().on_hand == 12
    missing = editor.post("/catalog/stock/", {**form, "product": "NOPE", "version": 2})
    assert (missing.status_code, _error(missing, "product")) == (422, "没有产品使用此编码。")


def test_taking_more_than_is_on_hand_is_said_at_the_field(editor, stocked):
    warehouse, _product, _level = stocked
    form = {"form": "adjust", "warehouse": warehouse.pk, "product": "P-1", "delta": -11}
    response = editor.post("/catalog/stock/", {**form, "reason": "破损"})
    assert response.status_code == 422
    assert "10" in _error(response, "delta")
    assert not AuditEntry.objects.filter(action="catalog.stock.adjusted").exists()


def test_supply_received_on_its_page_goes_into_stock(editor, stocked):
    warehouse, product, _level = stocked
    supply = IncomingSupply.objects.create(
        warehouse=warehouse,
        product=product,
        kind="purchase",
        quantity=5,
        expected_date=timezone.localdate(),
        reference="PO-9",
    )
    response = editor.post(f"/catalog/supply/{supply.pk}/", {"form": "receive", "version": 1})
    assert response.status_code == 302
    assert StockLevel.objects.unrestricted().get().on_hand == 15
    supply.refresh_from_db()
    assert supply.status == "received"


def test_the_availability_answer_labels_every_input(personas, login_client, stocked):
    warehouse, product, level = stocked
    level.reserved = 4
    level.save()
    IncomingSupply.objects.create(
        warehouse=warehouse,
        product=product,
        kind="production",
        quantity=20,
        expected_date=timezone.localdate() + dt.timedelta(days=7),
    )
    client = login_client(personas["salesperson"])
    html = client.get(
        f"/catalog/products/{product.pk}/?quantity=20&warehouse={warehouse.pk}"
    ).content.decode()
    table = re.search(r'data-testid="availability-inputs">(.*?)</table>', html, re.S).group(1)
    cells = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in table.split("</tr>")]
    assert cells[0].startswith("在库")
    assert cells[0].endswith(" 10")
    assert cells[1] == "− 已预留 4"
    assert cells[2].endswith(" 0")
    assert cells[3].endswith(" 6")
    assert cells[4].startswith("+ 在途")
    assert cells[4].endswith(" 20")
    customer = client.get(f"/catalog/products/{product.pk}/?quantity=1&customer=999999")
    assert _error(customer, "customer") is not None  # a customer one cannot see: at the field


def test_the_import_page_reads_a_gbk_file_and_lists_each_bad_cell(
    personas, login_client, stocked, tmp_path
):
    # Imports need the import right too (ledger.import.run): the director holds both.
    director = login_client(personas["director"])
    path = tmp_path / "库存.csv"
    path.write_bytes("仓库,产品编码,库存数量\nWH-SH,P-1,30\nWH-XX,P-1,abc\n".encode("gbk"))
    with path.open("rb") as handle:
        queued = director.post("/catalog/stock/import/", {"file": handle})
    assert queued.status_code == 302  # to the job's page; the worker imports the file
    assert jobs.work(once=True) == 1
    response = director.get(queued["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", html)
    assert rows == [("3", "仓库"), ("3", "库存数量")]
    assert StockLevel.objects.unrestricted().get().on_hand == 30
