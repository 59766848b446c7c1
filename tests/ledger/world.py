"""A small, fixed world for ledger, customer and catalogue tests: brands, a category tree,
products, customers of the 华东 salesperson and of the 华南 salesperson."""

from dataclasses import dataclass

from salescope.catalog import services as catalog_services
from salescope.catalog.models import Category, Product
from salescope.customers.models import Customer
from salescope.org.models import Territory, User


@dataclass
class World:
    personas: dict[str, User]
    drinks: Category
    juice: Category
    snacks: Category
    juice_1l: Product
    cola: Product
    chips: Product
    east_dealer: Customer
    east_shop: Customer
    south_dealer: Customer


def build_world(personas: dict[str, User]) -> World:
    brand = catalog_services.ensure_brand("华远", "HY")
    other = catalog_services.ensure_brand("田园", "TY")
    drinks = catalog_services.ensure_category("饮料", code="DRINK")
    juice = catalog_services.ensure_category("果汁", drinks, code="JUICE")
    snacks = catalog_services.ensure_category("休闲食品", code="SNACK")
    juice_1l = Product.objects.create(
        sku="P-JUICE-1L",
        name="橙汁 1L",
        brand=brand,
        category=juice,
        list_price_fen=850,
        cost_fen=500,
    )
    cola = Product.objects.create(
        sku="P-COLA",
        name="可乐 330ml",
        brand=brand,
        category=drinks,
        list_price_fen=300,
        cost_fen=120,
    )
    chips = Product.objects.create(
        sku="P-CHIPS", name="薯片", brand=other, category=snacks, list_price_fen=600, cost_fen=350
    )
    zhangwei = personas["salesperson"]
    chenjing = personas["other_region_salesperson"]
    shanghai = Territory.objects.unrestricted().filter(name="上海市").first()
    east_dealer = Customer(
        code="C-EAST-1",
        name="上海联华商贸有限公司",
        kind="dealer",
        owner=zhangwei,
        territory=shanghai,
        phone="021-5555 1234",
        tax_number="91310000X1",
        credit_limit_fen=1_000_000,
    )
    east_dealer.save()
    east_shop = Customer(code="C-EAST-2", name="浦东便利店", kind="end_customer", owner=zhangwei)
    east_shop.save()
    south_dealer = Customer(
        code="C-SOUTH-1", name="广州粤华贸易", kind="dealer", owner=chenjing, sales_area="广州"
    )
    south_dealer.save()
    return World(
        personas, drinks, juice, snacks, juice_1l, cola, chips, east_dealer, east_shop, south_dealer
    )


def write_csv(path, header: list[str], rows: list[list], encoding: str = "utf-8") -> str:
    import csv

    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)
