"""Product import: brands and category paths created once, cost protected (R6, R12)."""

import pytest

from salescope.catalog.importing import import_products
from salescope.catalog.models import Brand, Category, Product
from salescope.core.errors import PermissionDenied
from salescope.core.importing.common import ImportOptions
from salescope.core.models import AuditEntry
from tests.ledger.world import write_csv

HEADER = ["产品编码", "产品名称", "品牌", "品类", "子类", "单位", "标准价", "成本"]
GOOD = [
    ["P-NUT-1", "每日坚果 30g", "田园", "休闲食品/坚果", "", "袋", "5.90", "3.10"],
    ["P-NUT-2", "腰果 100g", "山野", "休闲食品", "坚果", "袋", "12", "7.555"],
    ["P-TEA-1", "绿茶 500ml", "华远", "饮料 > 茶饮", "", "瓶", "3.5", ""],
]
BAD = [
    ["P-TEA-2", "红茶", "华远", "饮料", "", "瓶", "三块五", ""],
    ["P-TEA-3", "红茶", "华远", "饮料", "", "瓶", "-3", ""],
    ["P-NUT-1", "重复", "", "", "", "", "", ""],
    ["", "无编码", "", "", "", "", "", ""],
]


def run(path, actor, **options):
    return import_products(actor=actor, path=path, options=ImportOptions(**options))


def products():
    fields = ["sku", "name", "brand__name", "category__name", "category__parent__name", "unit",
              "list_price_fen", "cost_fen"]  # fmt: skip
    return sorted(
        Product.objects.unrestricted()
        .filter(sku__in=["P-NUT-1", "P-NUT-2", "P-TEA-1"])
        .values_list(*fields)
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_products_land_with_brands_and_category_paths(world, tmp_path, encoding):
    brands, categories = (
        Brand.objects.unrestricted().count(),
        Category.objects.unrestricted().count(),
    )
    result = run(
        write_csv(tmp_path / "p.csv", HEADER, GOOD + BAD, encoding), world.personas["admin"]
    )
    assert result.errors == [
        {"line": 5, "column": "标准价", "reason": "not a number"},
        {"line": 6, "column": "标准价", "reason": "negative amount"},
        {"line": 7, "column": "产品编码", "reason": "duplicate of line 2"},
        {"line": 8, "column": "产品编码", "reason": "SKU is missing"},
    ]
    assert (result.accepted, result.created, result.rounded) == (3, 3, 1)
    assert products() == [
        ("P-NUT-1", "每日坚果 30g", "田园", "坚果", "休闲食品", "袋", 590, 310),
        ("P-NUT-2", "腰果 100g", "山野", "坚果", "休闲食品", "袋", 1200, 756),
        ("P-TEA-1", "绿茶 500ml", "华远", "茶饮", "饮料", "瓶", 350, 0),
    ]
    # 山野 is new; 坚果 under 休闲食品 and 茶饮 under 饮料 are new (created once each).
    assert (Brand.objects.unrestricted().count(), Category.objects.unrestricted().count()) == (
        brands + 1,
        categories + 2,
    )
    assert (result.as_dict()["created_brands"], result.as_dict()["created_categories"]) == (1, 2)


def test_reimport_changes_nothing_and_a_price_change_is_an_update(world, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, GOOD)
    run(path, world.personas["admin"])
    before = products()
    again = run(path, world.personas["admin"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert products() == before
    changed = [row[:] for row in GOOD]
    changed[2][6] = "3.80"
    result = run(write_csv(tmp_path / "q.csv", HEADER, changed), world.personas["admin"])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    tea = Product.objects.unrestricted().get(sku="P-TEA-1")
    assert (tea.list_price_fen, tea.version) == (380, 2)
    assert AuditEntry.objects.filter(action="ledger.products.imported").count() == 3


def test_existing_product_is_updated_by_sku(world, tmp_path):
    result = run(
        write_csv(
            tmp_path / "p.csv",
            ["SKU", "Product name", "List price"],
            [["P-COLA", "可乐 330ml", "3.20"]],
        ),
        world.personas["admin"],
    )
    assert (result.updated, result.mapping) == (
        1,
        {"SKU": "sku", "Product name": "name", "List price": "list_price"},
    )
    cola = Product.objects.unrestricted().get(sku="P-COLA")
    assert (cola.list_price_fen, cola.cost_fen, cola.brand_id) == (320, 120, world.cola.brand_id)


def test_roles_without_catalogue_rights_may_not_import(world, tmp_path):
    path = write_csv(tmp_path / "p.csv", HEADER, GOOD)
    for persona in ("salesperson", "finance", "marketing"):
        with pytest.raises(PermissionDenied):
            run(path, world.personas[persona])
    assert products() == []
