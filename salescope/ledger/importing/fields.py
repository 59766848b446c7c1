"""Import fields and the header names they are recognised by (Chinese and English)."""

from django.utils.translation import gettext_lazy as _

from salescope.core.importing.headers import normalize_header

SALES_LINE_FIELDS: dict[str, tuple[str, ...]] = {
    "line_id": ("line_id", "行id", "明细id", "明细号", "行标识", "lineid", "分录id"),
    "date": ("date", "日期", "销售日期", "单据日期", "业务日期", "出库日期", "发货日期"),
    "document": (
        "document",
        "单号",
        "单据号",
        "单据编号",
        "订单号",
        "出库单号",
        "销售单号",
        "documentno",
        "docno",
    ),
    "line_no": ("line_no", "行号", "序号", "lineno", "linenumber"),
    "customer_code": ("customer_code", "客户编码", "客户代码", "客户编号", "经销商编码"),
    "customer_name": ("customer_name", "客户名称", "客户", "customer", "经销商名称", "经销商"),
    "product_sku": (
        "product_sku",
        "sku",
        "产品编码",
        "商品编码",
        "物料编码",
        "存货编码",
        "productcode",
        "itemcode",
    ),
    "product_name": ("product_name", "产品名称", "商品名称", "品名", "存货名称", "product"),
    "brand": ("brand", "品牌"),
    "category": ("category", "品类", "类别", "大类", "产品类别"),
    "subcategory": ("subcategory", "子类", "小类", "细类", "子品类"),
    "quantity": ("quantity", "数量", "销量", "qty", "件数"),
    "unit_price": ("unit_price", "单价", "价格", "price", "unitprice"),
    "amount": ("amount", "金额", "销售额", "销售金额", "含税金额", "价税合计", "sales"),
    "cost": ("cost", "成本", "成本金额"),
    "gross_profit": ("gross_profit", "毛利", "毛利额", "grossprofit", "margin"),
    "discount": ("discount", "折扣", "折扣额", "折让", "折扣金额", "折让金额"),
    "discount_rate": ("discount_rate", "折扣率", "折扣比例", "折扣百分比", "discountrate"),
    "salesperson": ("salesperson", "业务员", "销售员", "销售代表", "业务代表", "salesrep", "rep"),
    "channel": ("channel", "渠道", "销售渠道"),
    "region": ("region", "区域", "大区", "销售区域"),
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


_ALIASES = {
    normalize_header(alias): field
    for field, aliases in SALES_LINE_FIELDS.items()
    for alias in aliases
}


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Source header → field for the headers we recognise; each field taken once."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        field = _ALIASES.get(normalize_header(header))
        if field and field not in taken:
            mapping[header] = field
            taken.add(field)
    return mapping


def parse_map_options(options: list[str]) -> dict[str, str]:
    """``["源列=field", …]`` → ``{"源列": "field"}``; ``"源列="`` ignores the column. Raises
    ``ValueError`` naming a bad one."""
    from salescope.core.importing.common import parse_map_options as parse

    return parse(options, SALES_LINE_FIELDS)
