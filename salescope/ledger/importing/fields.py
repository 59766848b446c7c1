"""Import fields and the header names they are recognised by (Chinese and English)."""

from django.utils.translation import gettext_lazy as _

from salescope.core.importing.headers import normalize_header

# Each field's header names, most wanted first: when a file has several (订单日期 and
# 发货日期), the earlier name wins, whatever the column order. The names come from the exports
# Chinese companies bring (用友 U8/T+, 金蝶 K/3 and 云星空, 管家婆, Excel templates, the Chinese
# edition of the "superstore" sample); ``tests/ledger/imports/test_header_sets.py`` holds one
# header row of each. Headers are compared folded (``normalize_header``): "订单 ID" = "订单id".
_CODE_SUFFIXES = ("编码", "编号", "代码", "代号", "id", "code", "no")


def _codes(*stems: str) -> tuple[str, ...]:
    """Each stem with every code suffix: 客户 → 客户编码, 客户编号, 客户代码, 客户ID…"""
    return tuple(f"{stem}{suffix}" for stem in stems for suffix in _CODE_SUFFIXES)


SALES_LINE_FIELDS: dict[str, tuple[str, ...]] = {
    "line_id": (
        "line_id",
        "行id",
        "明细id",
        "明细号",
        "行标识",
        "lineid",
        "rowid",
        "分录id",
        "分录内码",
        "autoid",
    ),
    "date": (
        "date",
        "订单日期",
        "销售日期",
        "日期",
        "单据日期",
        "业务日期",
        "开票日期",
        "出库日期",
        "orderdate",
        "发货日期",  # the ship date only when there is no order date
        "shipdate",
    ),
    "document": (
        "document",
        *_codes("订单"),
        "订单号",
        "单号",
        "单据号",
        "单据编号",
        "发票号",
        "发票号码",
        "出库单号",
        "销售单号",
        "销货单号",
        "documentno",
        "docno",
        "orderid",
    ),
    "line_no": ("line_no", "行号", "序号", "分录号", "lineno", "linenumber"),
    "customer_code": (
        "customer_code",
        *_codes("客户", "经销商", "购货单位", "往来单位", "单位", "customer"),
    ),
    "customer_name": (
        "customer_name",
        "客户名称",
        "客户",
        "客户简称",
        "customer",
        "customername",
        "经销商名称",
        "经销商",
        "购货单位",
        "往来单位",
        "往来单位名称",
        "单位名称",
    ),
    "product_sku": (
        "product_sku",
        "sku",
        *_codes("产品", "商品", "物料", "存货", "货品", "product", "item"),
    ),
    "product_name": (
        "product_name",
        "产品名称",
        "商品名称",
        "品名",
        "存货名称",
        "物料名称",
        "货品名称",
        "product",
        "productname",
    ),
    "brand": ("brand", "品牌"),
    "category": (
        "category",
        "品类",
        "类别",
        "大类",
        "产品类别",
        "商品类别",
        "存货分类",
        "物料分组",
    ),
    "subcategory": ("subcategory", "子类别", "子类", "小类", "细类", "子品类"),
    "quantity": ("quantity", "数量", "销量", "实发数量", "销售数量", "出库数量", "qty", "件数"),
    "unit_price": (
        "unit_price",
        "单价",
        "含税单价",
        "销售单价",
        "价格",
        "无税单价",
        "price",
        "unitprice",
    ),
    "amount": (
        "amount",
        "金额",
        "销售额",
        "销售金额",
        "含税金额",
        "价税合计",
        "sales",
        "无税金额",
    ),
    "cost": ("cost", "成本", "成本金额", "销售成本"),
    "gross_profit": (
        "gross_profit",
        "毛利",
        "毛利额",
        "利润",
        "毛利润",
        "grossprofit",
        "profit",
        "margin",
    ),
    "discount": ("discount", "折扣", "折扣额", "折让", "折扣金额", "折让金额"),
    "discount_rate": ("discount_rate", "折扣率", "折扣比例", "折扣百分比", "discountrate"),
    "salesperson": (
        "salesperson",
        "业务员",
        "销售员",
        "销售代表",
        "业务代表",
        "经手人",
        "salesrep",
        "rep",
    ),
    "channel": ("channel", "渠道", "销售渠道"),
    "region": ("region", "区域", "大区", "地区", "销售区域", "销售大区"),
    "sale_location": (
        "sale_location",
        "销售地",
        "销售城市",
        "城市",
        "终端所在地",
        "流向地区",
        "location",
        "city",
    ),
    "kind": ("kind", "类型", "销售类型", "业务类型", "数据类型", "type"),
}

FIELD_LABELS = {
    "line_id": _("Line id"),
    "date": _("Date"),
    "document": _("Document"),
    "line_no": _("Line number"),
    "customer_code": _("Customer code"),
    "customer_name": _("Customer name"),
    "product_sku": _("SKU"),
    "product_name": _("Product name"),
    "brand": _("Brand"),
    "category": _("Category"),
    "subcategory": _("Subcategory"),
    "quantity": _("Quantity"),
    "unit_price": _("Unit price"),
    "amount": _("Amount"),
    "cost": _("Cost"),
    "gross_profit": _("Gross profit"),
    "discount": _("Discount"),
    "discount_rate": _("Discount rate"),
    "salesperson": _("Salesperson"),
    "channel": _("Channel"),
    "region": _("Region"),
    "sale_location": _("Sale location"),
    "kind": _("Kind"),
}


_ALIASES: dict[str, tuple[str, int]] = {}  # folded header → (field, rank among its names)
for _field, _names in SALES_LINE_FIELDS.items():
    for _rank, _name in enumerate(_names):
        _ALIASES.setdefault(normalize_header(_name), (_field, _rank))


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Source header → field for the headers we recognise; each field taken once, by the
    header whose name ranks first among the field's names (订单日期 before 发货日期), the
    earlier column on a tie."""
    best: dict[str, tuple[int, int, str]] = {}  # field → (rank, column, header)
    for column, header in enumerate(headers):
        found = _ALIASES.get(normalize_header(header))
        if found is None:
            continue
        field, rank = found
        if field not in best or (rank, column) < best[field][:2]:
            best[field] = (rank, column, header)
    chosen = sorted(best.items(), key=lambda item: item[1][1])
    return {header: field for field, (_rank, _column, header) in chosen}


def parse_map_options(options: list[str]) -> dict[str, str]:
    """``["源列=field", …]`` → ``{"源列": "field"}``; ``"源列="`` ignores the column. Raises
    ``ValueError`` naming a bad one."""
    from salescope.core.importing.common import parse_map_options as parse

    return parse(options, SALES_LINE_FIELDS)
