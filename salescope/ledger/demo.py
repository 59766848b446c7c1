"""Demo data of the ledger: catalogue, customers and dealers, two years of daily sales
(sell-in and dealers' sell-through, with seasonality), invoices, collections with realistic
overdue patterns, a few cross-territory sales and a lost dealer.

Deterministic (seeded) and idempotent: it does nothing when the demo lines already exist.
Sales lines go through the import's set-based path (staging table + upsert + rollups).
"""

import datetime as dt
import math
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from salescope.catalog import services as catalog_services
from salescope.catalog.models import IncomingSupply, Product, StockLevel, Warehouse
from salescope.core.periods import month_start
from salescope.customers.models import Contact, Customer
from salescope.ledger.importing.merge import BULK_MIN_ROWS, LineWriter
from salescope.ledger.importing.sales_lines import lock_writers
from salescope.ledger.models import (
    Allocation,
    Collection,
    Invoice,
    Order,
    OrderLine,
    SalesLine,
    hold_reason_facts,
)
from salescope.org.choices import Role, UnitKind
from salescope.org.models import OrgUnit, Territory, User

SEED = 2026
DAYS = 730
CHANNELS = ["商超", "便利店", "餐饮", "电商", "批发"]
# brand, top category, sub category, sku, name, list price (fen), cost (fen), summer-heavy
PRODUCTS = [
    ("华远", "饮料", "果汁", "HY-OJ-1L", "华远橙汁 1L", 1250, 720, True),
    ("华远", "饮料", "果汁", "HY-AJ-1L", "华远苹果汁 1L", 1180, 690, True),
    ("华远", "饮料", "果汁", "HY-GJ-300", "华远葡萄汁 300ml", 450, 240, True),
    ("华远", "饮料", "碳酸饮料", "HY-COLA-330", "华远可乐 330ml", 300, 140, True),
    ("华远", "饮料", "碳酸饮料", "HY-SODA-500", "华远苏打水 500ml", 350, 150, True),
    ("华远", "饮料", "茶饮料", "HY-GT-500", "华远绿茶 500ml", 400, 180, True),
    ("华远", "饮料", "茶饮料", "HY-BT-500", "华远红茶 500ml", 400, 185, True),
    ("田园", "休闲食品", "薯片", "TY-CHIP-70", "田园薯片 70g", 650, 360, False),
    ("田园", "休闲食品", "薯片", "TY-CHIP-150", "田园薯片 150g", 1150, 640, False),
    ("田园", "休闲食品", "坚果", "TY-NUT-200", "田园每日坚果 200g", 3900, 2300, False),
    ("田园", "休闲食品", "坚果", "TY-NUT-GIFT", "田园坚果礼盒", 12800, 7600, False),
    ("田园", "休闲食品", "饼干", "TY-BIS-300", "田园苏打饼干 300g", 890, 470, False),
    ("鲜果坊", "乳制品", "酸奶", "XG-YG-200", "鲜果坊酸奶 200g", 550, 330, True),
    ("鲜果坊", "乳制品", "酸奶", "XG-YG-1KG", "鲜果坊家庭装酸奶 1kg", 1980, 1200, True),
    ("鲜果坊", "乳制品", "牛奶", "XG-MK-250", "鲜果坊纯牛奶 250ml", 380, 230, False),
    ("鲜果坊", "乳制品", "牛奶", "XG-MK-BOX", "鲜果坊牛奶整箱", 6800, 4300, False),
]
KINDS = ["dealer", "dealer", "distributor", "key_account", "end_customer", "end_customer"]
SHOP_WORDS = ["商贸", "食品", "超市", "贸易", "便利", "餐饮管理", "连锁", "副食品"]


def _season(day: dt.date, summer: bool) -> float:
    """Yearly pattern: a Spring Festival peak for everything, a summer peak for drinks."""
    doy = day.timetuple().tm_yday
    festival = 0.55 * math.exp(-(((doy - 25) / 14.0) ** 2))
    summer_peak = (0.45 if summer else 0.1) * math.exp(-(((doy - 200) / 35.0) ** 2))
    weekday = 0.85 if day.weekday() >= 5 else 1.0
    return (1 + festival + summer_peak) * weekday


def _region_of(unit: OrgUnit | None, by_id: dict[int, OrgUnit]) -> OrgUnit | None:
    while unit is not None and unit.kind != UnitKind.REGION:
        unit = by_id.get(unit.parent_id)
    return unit


def load(log: Callable[[str], None]) -> None:
    if SalesLine.objects.unrestricted().filter(line_key__startswith="DEMO-").exists():
        log("ledger: demo sales already loaded")
        return
    rng = random.Random(SEED)  # noqa: S311 - seeded demo data, not security
    today = timezone.localdate()
    with transaction.atomic():
        products = _catalog(rng, today)
        customers = _customers(rng)
        count = _sales(rng, today, products, customers)
        invoices = _receivables(rng, today, customers)
        _orders(today, customers, products)
    log(
        f"ledger: {len(products)} products, {len(customers)} customers, {count} sales lines, "
        f"{invoices} invoices"
    )


def _catalog(rng: random.Random, today: dt.date) -> list[Product]:
    products = []
    for brand, top, sub, sku, name, price, cost, summer in PRODUCTS:
        product = Product.objects.unrestricted().filter(sku=sku).first()
        if product is None:
            parent = catalog_services.ensure_category(top)
            product = Product.objects.create(
                sku=sku,
                name=name,
                brand=catalog_services.ensure_brand(brand),
                category=catalog_services.ensure_category(sub, parent),
                list_price_fen=price,
                cost_fen=cost,
                unit="箱" if price > 5000 else "件",
            )
        product.summer = summer
        products.append(product)
    regions = {u.code: u for u in OrgUnit.objects.unrestricted().filter(kind=UnitKind.REGION)}
    for code, name, region in [
        ("WH-SH", "上海仓", "EAST"),
        ("WH-GZ", "广州仓", "SOUTH"),
        ("WH-BJ", "北京仓", "NORTH"),
        ("WH-CD", "成都仓", "WEST"),
    ]:
        warehouse, _ = Warehouse.objects.unrestricted().get_or_create(
            code=code, defaults={"name": name, "region": regions.get(region)}
        )
        for product in products:
            StockLevel.objects.unrestricted().get_or_create(
                warehouse=warehouse,
                product=product,
                defaults={"on_hand": rng.randint(0, 4000), "reserved": rng.randint(0, 300)},
            )
            if rng.random() < 0.5:
                IncomingSupply.objects.unrestricted().get_or_create(
                    warehouse=warehouse,
                    product=product,
                    reference=f"PO-{code}-{product.sku}",
                    defaults={
                        "kind": rng.choice(["production", "purchase"]),
                        "quantity": rng.randint(500, 5000),
                        "expected_date": today + dt.timedelta(days=rng.randint(3, 60)),
                    },
                )
    return products


def _customers(rng: random.Random) -> list[Customer]:
    units = {u.pk: u for u in OrgUnit.objects.unrestricted().all()}
    territories = list(Territory.objects.unrestricted().select_related("unit"))
    people = list(
        User.objects.unrestricted()
        .filter(role=Role.SALESPERSON, is_active=True)
        .order_by("username")
    )
    customers = []
    number = 0
    for person in people:
        region = _region_of(units.get(person.unit_id), units)
        mine = [t for t in territories if t.unit_id == person.unit_id] or [
            t for t in territories if region and t.unit_id == region.pk
        ]
        city = (mine[0].name if mine else (region.name if region else "")).rstrip("市省")
        for index in range(8):
            number += 1
            kind = KINDS[index % len(KINDS)]
            code = f"DEMO-C{number:04d}"
            name = (
                f"{city}{rng.choice(['华', '联', '鑫', '盛', '佳', '恒', '宏', '嘉'])}"
                f"{rng.choice(['丰', '源', '达', '隆', '美', '信', '和', '润'])}"
                f"{rng.choice(SHOP_WORDS)}有限公司"
            )
            customer = Customer.objects.unrestricted().filter(code=code).first() or Customer(
                code=code
            )
            customer.name = name
            customer.kind = kind
            customer.tier = rng.choice("ABBCCD")
            customer.owner = person
            customer.territory = mine[0] if mine else None
            customer.phone = f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}"
            customer.tax_number = (
                f"9131{rng.randint(0, 10**14 - 1):014d}" if kind != "end_customer" else ""
            )
            customer.credit_limit_fen = rng.choice([None, 20_000_000, 50_000_000, 100_000_000])
            customer.payment_terms_days = rng.choice([30, 30, 45, 60])
            customer.save()
            customer.weight = rng.uniform(0.4, 2.5) * (
                3 if kind in {"key_account", "distributor"} else 1
            )
            customers.append(customer)
            if not customer.contacts.exists():
                Contact.objects.create(
                    customer=customer,
                    name=rng.choice(["王经理", "李总", "陈采购", "刘主任"]),
                    phone=customer.phone,
                    is_primary=True,
                )
    # Two likely duplicates for the data-quality list.
    for source, code in ((customers[0], "DEMO-DUP-1"), (customers[9], "DEMO-DUP-2")):
        if not Customer.objects.unrestricted().filter(code=code).exists():
            Customer.objects.create(
                code=code,
                name=source.name.replace("有限公司", "") + " ",
                kind=source.kind,
                owner=source.owner,
                phone=source.phone,
            )
    return customers


def _sales(rng: random.Random, today: dt.date, products: list[Product], customers: list) -> int:
    start = today - dt.timedelta(days=DAYS)
    regions = {}
    units = {u.pk: u for u in OrgUnit.objects.unrestricted().all()}
    for customer in customers:
        region = _region_of(units.get(customer.owner.unit_id), units)
        regions[customer.pk] = region.pk if region else None
    dealers = [c for c in customers if c.kind in {"dealer", "distributor"}]
    lost = dealers[3]  # stops buying four months ago
    at_risk = dealers[5]  # slows down sharply
    cross = {dealers[1].pk, dealers[7].pk}
    foreign_places = ["长沙市", "南京市", "苏州市", "武汉市"]
    lock_writers()
    # Two years of lines into a ledger that is empty on the first run: a bulk load.
    writer = LineWriter(threaded=False, expected_rows=BULK_MIN_ROWS)
    batch, count = [], 0
    for offset in range(DAYS):
        day = start + dt.timedelta(days=offset)
        iso = day.isoformat()
        month = iso[:8] + "01"
        for customer in customers:
            if customer.pk == lost.pk and (today - day).days < 125:
                continue
            activity = 0.45 * customer.weight
            if customer.pk == at_risk.pk and (today - day).days < 100:
                activity *= 0.25
            if rng.random() > min(activity, 0.95):
                continue
            document = f"DEMO-SO-{iso}-{customer.pk}"
            for line_no in range(1, rng.randint(2, 4)):
                product = rng.choice(products)
                qty = max(1, int(rng.gauss(20, 8) * _season(day, product.summer) * customer.weight))
                price = product.list_price_fen * rng.choice([100, 100, 95, 92, 88]) // 100
                amount = price * qty
                cost = product.cost_fen * qty
                count += 1
                batch.append(
                    (
                        f"{document}-{line_no}",
                        "",
                        document,
                        line_no,
                        iso,
                        month,
                        "sell_in",
                        customer.pk,
                        product.pk,
                        product.brand_id,
                        product.category_id,
                        customer.owner_id,
                        regions[customer.pk],
                        rng.choice(CHANNELS),
                        "",
                        qty * 1000,
                        price,
                        amount,
                        cost,
                        amount - cost,
                        0,
                        False,
                    )
                )
                if customer.kind in {"dealer", "distributor"} and rng.random() < 0.8:
                    place = customer.territory.name if customer.territory else ""
                    is_cross = customer.pk in cross and rng.random() < 0.02
                    if is_cross:
                        place = rng.choice(foreign_places)
                    sold = max(1, int(qty * rng.uniform(0.6, 1.0)))
                    retail = product.list_price_fen * 115 // 100
                    batch.append(
                        (
                            f"{document}-{line_no}-ST",
                            "",
                            document + "-ST",
                            line_no,
                            iso,
                            month,
                            "sell_through",
                            customer.pk,
                            product.pk,
                            product.brand_id,
                            product.category_id,
                            customer.owner_id,
                            regions[customer.pk],
                            rng.choice(CHANNELS),
                            place,
                            sold * 1000,
                            retail,
                            retail * sold,
                            price * sold,
                            (retail - price) * sold,
                            0,
                            is_cross,
                        )
                    )
                    count += 1
        if len(batch) > 20000:
            writer.write([(*row, count - len(batch) + n) for n, row in enumerate(batch)])
            batch = []
    writer.write([(*row, count - len(batch) + n) for n, row in enumerate(batch)])
    writer.finish()  # moves the rollups too
    return count


def _receivables(rng: random.Random, today: dt.date, customers: list) -> int:
    """One invoice per customer and month from its sell-in; collections by habit."""
    from django.db.models import Sum

    totals = (
        SalesLine.objects.unrestricted()
        .filter(kind="sell_in", line_key__startswith="DEMO-")
        .values("customer_id", "month")
        .annotate(fen=Sum("amount_fen"))
        .order_by("customer_id", "month")
    )
    by_id = {c.pk: c for c in customers}
    habits = {
        c.pk: rng.choices(["prompt", "late", "slow", "bad"], [55, 25, 15, 5])[0] for c in customers
    }
    invoices, collections, allocations = [], [], []
    for row in totals:
        customer = by_id.get(row["customer_id"])
        if customer is None:
            continue
        issue = min(_month_end(row["month"]), today - dt.timedelta(days=1))
        due = issue + dt.timedelta(days=customer.payment_terms_days)
        invoice = Invoice(
            number=f"DEMO-INV-{customer.code}-{row['month']:%Y%m}",
            customer=customer,
            owner_id=customer.owner_id,
            issue_date=issue,
            due_date=due,
            month=month_start(issue),
            amount_fen=row["fen"],
        )
        delay = {
            "prompt": rng.randint(-10, 5),
            "late": rng.randint(5, 40),
            "slow": rng.randint(30, 100),
            "bad": rng.randint(80, 400),
        }[habits[customer.pk]]
        paid_on = due + dt.timedelta(days=delay)
        if paid_on < today:
            share = 1.0 if habits[customer.pk] != "bad" or rng.random() < 0.5 else 0.6
            paid = int(row["fen"] * share)
            invoice.paid_fen = paid
            invoice.status = "paid" if paid == row["fen"] else "open"
            collection = Collection(
                number=f"DEMO-COL-{customer.code}-{row['month']:%Y%m}",
                customer=customer,
                owner_id=customer.owner_id,
                date=paid_on,
                month=month_start(paid_on),
                amount_fen=paid,
                allocated_fen=paid,
                method=rng.choice(["银行转账", "承兑汇票"]),
            )
            collections.append(collection)
            allocations.append((collection, invoice, paid))
        invoices.append(invoice)
    Invoice.objects.bulk_create(invoices, batch_size=2000)
    Collection.objects.bulk_create(collections, batch_size=2000)
    Allocation.objects.bulk_create(
        [Allocation(collection=c, invoice=i, amount_fen=f) for c, i, f in allocations],
        batch_size=2000,
    )
    return len(invoices)


def _month_end(month: dt.date) -> dt.date:
    from salescope.core.periods import month_end

    return month_end(month)


def _orders(today: dt.date, customers: list, products: list[Product]) -> None:
    for index, customer in enumerate(customers[:12]):
        number = f"DEMO-ORD-{index + 1:03d}"
        if Order.objects.unrestricted().filter(number=number).exists():
            continue
        status = ["draft", "confirmed", "credit_hold"][index % 3]
        quantity = 50 if status != "credit_hold" else 50000
        order = Order.objects.create(
            number=number,
            customer=customer,
            owner=customer.owner,
            date=today,
            status=status,
        )
        product = products[index % len(products)]
        OrderLine.objects.create(
            order=order,
            product=product,
            quantity=quantity,
            unit_price_fen=product.list_price_fen,
            amount_fen=product.list_price_fen * quantity,
        )
        held = status == "credit_hold"
        Order.objects.unrestricted().filter(pk=order.pk).update(
            amount_fen=product.list_price_fen * quantity,
            hold_reason=hold_reason_facts(
                exposure_fen=product.list_price_fen * quantity,
                limit_fen=customer.credit_limit_fen,
            )
            if held
            else "",
        )
