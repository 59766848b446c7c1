"""Stock and supply imports (H3/H4): GBK files with odd headers, every bad cell reported with
its line, repeated keys refused, and a second run of the same file changes nothing."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.catalog.importing import import_stock, import_supply
from salescope.catalog.models import IncomingSupply, Product, StockLevel, Warehouse
from salescope.core.errors import PermissionDenied
from salescope.core.importing.common import ImportOptions
from salescope.core.models import AuditEntry

OPTIONS = ImportOptions()


@pytest.fixture
def places(db):
    shanghai = Warehouse.objects.create(code="WH-SH", name="上海仓")
    guangzhou = Warehouse.objects.create(code="WH-GZ", name="广州仓")
    juice = Product.objects.create(sku="P-JUICE", name="橙汁")
    cola = Product.objects.create(sku="P-COLA", name="可乐")
    return shanghai, guangzhou, juice, cola


def _write(tmp_path, name, lines, encoding="gbk"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _stock():
    return {
        (s.warehouse.code, s.product.sku): (s.on_hand, s.reserved)
        for s in StockLevel.objects.unrestricted().select_related("warehouse", "product")
    }


def test_a_gbk_stock_file_with_odd_headers_sets_each_level_and_reports_bad_cells(
    personas, places, tmp_path
):
    path = _write(
        tmp_path,
        "库存.csv",
        [
            " 仓库名称 ,存货编码,现存量,预留数量,备注",
            "上海仓,P-JUICE,120,20,月末盘点",
            'WH-GZ,P-JUICE,"1,300",,',
            "WH-SH,P-COLA,-5,x,",
            "北京仓,P-NONE,10,,",
            "wh-sh,P-JUICE,99,,",
        ],
    )
    result = import_stock(actor=personas["director"], path=path, options=OPTIONS)
    assert result.encoding.lower() in {"gbk", "gb18030"}
    assert (result.accepted, result.rejected, result.created) == (2, 3, 2)
    assert _stock() == {("WH-SH", "P-JUICE"): (120, 20), ("WH-GZ", "P-JUICE"): (1300, 0)}
    assert [(e["line"], e["column"]) for e in result.errors] == [
        (4, "现存量"),
        (4, "预留数量"),
        (5, "仓库名称"),
        (5, "存货编码"),
        (6, "存货编码"),
    ]
    assert result.errors[-1]["reason"] == "duplicate of line 2"
    entry = AuditEntry.objects.get(action="catalog.stock.imported")
    assert entry.changes["created"] == 2


def test_a_second_stock_import_updates_only_what_changed(personas, places, tmp_path):
    director = personas["director"]
    first = _write(tmp_path, "a.csv", ["仓库,产品编码,在库", "WH-SH,P-JUICE,10", "WH-SH,P-COLA,5"])
    import_stock(actor=director, path=first, options=OPTIONS)
    second = _write(tmp_path, "b.csv", ["仓库,产品编码,在库", "WH-SH,P-JUICE,10", "WH-SH,P-COLA,7"])
    result = import_stock(actor=director, path=second, options=OPTIONS)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    level = StockLevel.objects.unrestricted().get(product__sku="P-COLA")
    assert (level.on_hand, level.version) == (7, 2)
    entry = AuditEntry.objects.filter(action="catalog.stock.imported").latest("id")
    assert entry.changes["updated_levels"] == {"WH-SH/P-COLA": {"on_hand": [5, 7]}}


rows = st.lists(
    st.tuples(
        st.sampled_from(["WH-SH", "WH-GZ", "上海仓"]),
        st.sampled_from(["P-JUICE", "P-COLA"]),
        st.integers(min_value=0, max_value=10**6),
    ),
    max_size=6,
)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=rows)
def test_importing_the_same_stock_file_twice_changes_nothing_the_second_time(
    personas, places, tmp_path_factory, rows
):
    StockLevel.objects.unrestricted().delete()
    lines = ["仓库,产品编码,库存数量", *(f"{w},{s},{q}" for w, s, q in rows)]
    path = _write(tmp_path_factory.mktemp("stock"), "s.csv", lines)
    director = personas["director"]
    first = import_stock(actor=director, path=path, options=OPTIONS)
    after_first = _stock()
    second = import_stock(actor=director, path=path, options=OPTIONS)
    assert _stock() == after_first
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == first.accepted
    assert second.errors == first.errors
    # the first row of each warehouse + SKU counts; 上海仓 is WH-SH by name
    expected = {}
    for warehouse, sku, quantity in rows:
        expected.setdefault(("WH-GZ" if warehouse == "WH-GZ" else "WH-SH", sku), quantity)
    assert {k: v[0] for k, v in after_first.items()} == expected


def test_supply_by_reference_is_added_then_moved_received_and_a_closed_one_kept(
    personas, places, tmp_path
):
    director = personas["director"]
    header = "单号,仓库,产品编码,类型,数量,预计到货日期,状态"
    first = _write(
        tmp_path,
        "在途.csv",
        [
            header,
            "PO-1,WH-SH,P-JUICE,采购,100,2026-12-20,在途",
            "MO-1,WH-GZ,P-COLA,生产,50,2026/12/25,",
            "MO-2,WH-GZ,P-COLA,赠送,0,2026-13-01,",
            "PO-1,WH-SH,P-COLA,采购,1,2026-12-21,",
        ],
    )
    result = import_supply(actor=director, path=first, options=OPTIONS)
    assert (result.created, result.rejected) == (2, 2)
    assert sorted((e["line"], e["column"]) for e in result.errors) == [
        (4, "数量"),
        (4, "类型"),
        (4, "预计到货日期"),
        (5, "单号"),
    ]
    again = import_supply(actor=director, path=first, options=OPTIONS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    second = _write(
        tmp_path,
        "b.csv",
        [
            header,
            "PO-1,WH-SH,P-JUICE,采购,100,2026-12-28,已到货",
            "MO-1,WH-GZ,P-COLA,生产,50,2026-12-25,",
        ],
    )
    moved = import_supply(actor=director, path=second, options=OPTIONS)
    assert (moved.updated, moved.unchanged) == (1, 1)
    po = IncomingSupply.objects.unrestricted().get(reference="PO-1")
    assert (po.expected_date, po.status, po.version) == (dt.date(2026, 12, 28), "received", 2)
    assert not StockLevel.objects.unrestricted().exists()  # counts come from the stock import
    closed = _write(tmp_path, "c.csv", [header, "PO-1,WH-SH,P-JUICE,采购,90,2026-12-28,"])
    refused = import_supply(actor=director, path=closed, options=OPTIONS)
    assert [(e["line"], e["column"]) for e in refused.errors] == [(2, "状态")]


def test_people_who_may_not_write_stock_cannot_import_it(personas, places, tmp_path):
    path = _write(tmp_path, "s.csv", ["仓库,产品编码,在库", "WH-SH,P-JUICE,1"])
    for who in ("salesperson", "finance"):
        with pytest.raises(PermissionDenied):
            import_stock(actor=personas[who], path=path, options=OPTIONS)
    assert not StockLevel.objects.unrestricted().exists()


def test_the_command_imports_stock_and_says_each_bad_cell(personas, places, tmp_path, capsys):
    path = _write(tmp_path, "s.csv", ["仓库,产品编码,在库", "WH-SH,P-JUICE,8", "WH-SH,P-X,1"])
    call_command("import_stock", str(path), "--as", "liuyang", "--json")
    data = json.loads(capsys.readouterr().out)
    assert (data["accepted"], data["rejected"]) == (1, 1)
    assert data["errors"][0]["line"] == 3
    assert _stock() == {("WH-SH", "P-JUICE"): (8, 0)}
