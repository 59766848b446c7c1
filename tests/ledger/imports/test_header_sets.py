"""Header recognition from the exports Chinese companies bring (issue 19): one header row per
system, each recognised without a hand-written ``--map``."""

import pytest

from salescope.catalog.models import Category, Product
from salescope.ledger.importing.fields import guess_mapping
from salescope.ledger.importing.sales_lines import (
    ImportOptions,
    check_required,
    import_sales_lines,
)
from salescope.ledger.models import SalesLine
from tests.ledger.world import write_csv

HEADER_SETS = {
    # 用友 U8 销售发票 / 销售出库 list
    "yonyou_u8": (
        ["单据日期", "发票号", "行号", "客户编码", "客户简称", "存货编码", "存货名称", "规格型号"]
        + ["数量", "无税单价", "含税单价", "无税金额", "税额", "价税合计", "业务员", "部门名称"]
        + ["销售类型"],
        {
            "单据日期": "date",
            "发票号": "document",
            "行号": "line_no",
            "客户编码": "customer_code",
            "客户简称": "customer_name",
            "存货编码": "product_sku",
            "存货名称": "product_name",
            "数量": "quantity",
            "含税单价": "unit_price",
            "价税合计": "amount",
            "业务员": "salesperson",
            "销售类型": "kind",
        },
    ),
    # 用友 T+ 销货单 detail
    "yonyou_tplus": (
        ["单据日期", "单据编号", "序号", "客户编码", "客户", "存货编码", "存货", "数量"]
        + ["含税单价", "含税金额", "业务员", "部门"],
        {
            "单据日期": "date",
            "单据编号": "document",
            "序号": "line_no",
            "客户编码": "customer_code",
            "客户": "customer_name",
            "存货编码": "product_sku",
            "数量": "quantity",
            "含税单价": "unit_price",
            "含税金额": "amount",
            "业务员": "salesperson",
        },
    ),
    # 金蝶 K/3 WISE 销售出库单 序时簿
    "kingdee_k3": (
        ["日期", "单据编号", "分录号", "购货单位代码", "购货单位", "产品代码", "产品名称"]
        + ["实发数量", "销售单价", "销售金额", "业务员", "部门"],
        {
            "日期": "date",
            "单据编号": "document",
            "分录号": "line_no",
            "购货单位代码": "customer_code",
            "购货单位": "customer_name",
            "产品代码": "product_sku",
            "产品名称": "product_name",
            "实发数量": "quantity",
            "销售单价": "unit_price",
            "销售金额": "amount",
            "业务员": "salesperson",
        },
    ),
    # 金蝶云星空 销售出库单 列表
    "kingdee_cloud": (
        ["单据编号", "日期", "序号", "客户编码", "客户", "物料编码", "物料名称", "实发数量"]
        + ["含税单价", "价税合计", "销售员", "销售部门", "业务类型"],
        {
            "单据编号": "document",
            "日期": "date",
            "序号": "line_no",
            "客户编码": "customer_code",
            "客户": "customer_name",
            "物料编码": "product_sku",
            "物料名称": "product_name",
            "实发数量": "quantity",
            "含税单价": "unit_price",
            "价税合计": "amount",
            "销售员": "salesperson",
            "业务类型": "kind",
        },
    ),
    # 管家婆 销售单 明细
    "guanjiapo": (
        ["日期", "单据编号", "行号", "往来单位编号", "往来单位", "商品编号", "商品名称", "数量"]
        + ["单价", "金额", "经手人", "仓库"],
        {
            "日期": "date",
            "单据编号": "document",
            "行号": "line_no",
            "往来单位编号": "customer_code",
            "往来单位": "customer_name",
            "商品编号": "product_sku",
            "商品名称": "product_name",
            "数量": "quantity",
            "单价": "unit_price",
            "金额": "amount",
            "经手人": "salesperson",
        },
    ),
    # A company's own Excel template
    "excel_template": (
        ["订单号", "行号", "销售日期", "客户编号", "客户名称", "产品编号", "产品名称", "品牌"]
        + ["品类", "数量", "单价", "金额", "业务员", "渠道", "大区"],
        {
            "订单号": "document",
            "行号": "line_no",
            "销售日期": "date",
            "客户编号": "customer_code",
            "客户名称": "customer_name",
            "产品编号": "product_sku",
            "产品名称": "product_name",
            "品牌": "brand",
            "品类": "category",
            "数量": "quantity",
            "单价": "unit_price",
            "金额": "amount",
            "业务员": "salesperson",
            "渠道": "channel",
            "大区": "region",
        },
    ),
    # The Chinese edition of the "superstore" sample data (order date before ship date)
    "superstore_cn": (
        ["行 ID", "订单 ID", "订单日期", "发货日期", "邮寄方式", "客户 ID", "客户名称", "细分"]
        + ["城市", "省/自治区", "国家/地区", "地区", "产品 ID", "类别", "子类别", "产品名称"]
        + ["销售额", "数量", "折扣", "利润"],
        {
            "行 ID": "line_id",
            "订单 ID": "document",
            "订单日期": "date",
            "客户 ID": "customer_code",
            "客户名称": "customer_name",
            "城市": "sale_location",
            "地区": "region",
            "产品 ID": "product_sku",
            "类别": "category",
            "子类别": "subcategory",
            "产品名称": "product_name",
            "销售额": "amount",
            "数量": "quantity",
            "折扣": "discount",
            "利润": "gross_profit",
        },
    ),
}


@pytest.mark.parametrize("name", sorted(HEADER_SETS))
def test_each_export_is_recognised_without_a_map(name):
    headers, expected = HEADER_SETS[name]
    mapping = guess_mapping(headers)
    assert mapping == expected
    check_required(mapping)  # enough to import without --map


def test_order_date_wins_over_ship_date_in_any_column_order():
    assert guess_mapping(["发货日期", "订单日期"]) == {"订单日期": "date"}
    assert guess_mapping(["Ship Date", "Order Date"]) == {"Order Date": "date"}
    assert guess_mapping(["发货日期"]) == {"发货日期": "date"}


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("客户ID", "customer_code"),
        ("客户 编号", "customer_code"),
        ("客户代码", "customer_code"),
        ("产品ID", "product_sku"),
        ("商品编码", "product_sku"),
        ("物料代码", "product_sku"),
        ("订单编号", "document"),
        ("毛利", "gross_profit"),
        ("利润", "gross_profit"),
        ("区域", "region"),
        ("大区", "region"),
        ("地区", "region"),
    ],
)
def test_id_number_and_code_variants(header, field):
    assert guess_mapping([header]) == {header: field}


def test_a_superstore_file_imports_with_its_two_level_categories(world, tmp_path):
    headers, _expected = HEADER_SETS["superstore_cn"]
    rows = [
        ["1", "CN-2025-1", "2025/3/1", "2025/3/5", "标准级", "曾惠-14485", "曾惠", "公司"]
        + ["杭州", "浙江", "中国", "华东", "办公用-用品-10002717", "办公用品", "用品"]
        + ["Fiskars 剪刀, 蓝色", "129.70", "2", "0.4", "-60.70"],
        ["2", "CN-2025-2", "2025/3/2", "2025/3/6", "标准级", "许安-10165", "许安", "消费者"]
        + ["内江", "四川", "中国", "西南", "办公用-信封-10004832", "办公用品", "信封"]
        + ["GlobeWeis 搭扣信封, 红色", "125.44", "2", "0", "42.56"],
    ]
    path = write_csv(tmp_path / "superstore.csv", headers, rows)
    result = import_sales_lines(
        actor=world.personas["admin"], path=path, options=ImportOptions(create_missing=True)
    )
    assert (result.accepted, result.rejected) == (2, 0), result.errors
    assert result.discount_as_rate is True
    line = SalesLine.objects.unrestricted().get(line_id="1")
    assert line.date.isoformat() == "2025-03-01"  # the order date, not the ship date
    assert (line.amount_fen, line.gross_profit_fen) == (12970, -6070)
    assert line.discount_fen == 8647  # 129.70 after 40 % off: 216.17 − 129.70
    product = Product.objects.unrestricted().get(sku="办公用-用品-10002717")
    assert (product.category.name, product.category.parent.name) == ("用品", "办公用品")
    assert Category.objects.unrestricted().filter(name="办公用品").count() == 1
    assert line.region.name == "华东"
