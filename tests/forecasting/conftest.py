"""A small sales history for forecasting: one category, two products, two regions (华东's
上海一组 and 华南), 30 months of sell-in up to June 2026, a seasonal pattern with a trend;
one warehouse per region with stock."""

import datetime as dt
import math

import pytest
from django.test import override_settings

from salescope.catalog.models import Category, Product, StockLevel, Warehouse
from salescope.core.periods import add_months
from salescope.customers.models import Customer
from salescope.ledger import rollups
from salescope.ledger.models import SalesLine

TODAY = dt.date(2026, 7, 15)
FIRST = dt.date(2024, 1, 1)
MONTHS = 30
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def seasonal(i: int, base: float = 100.0) -> float:
    """Units sold in month ``i``: trend + a yearly wave (peak in summer)."""
    return base + 2 * i + 40 * math.sin(2 * math.pi * (i - 3) / 12)


@pytest.fixture
def immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


@pytest.fixture
def history(personas):
    east = personas["salesperson"].unit
    south = personas["other_region_salesperson"].unit
    category = Category.objects.create(code="FC-DRINK", name="饮料")
    products = [
        Product.objects.create(sku="FC-1", name="冰红茶", category=category),
        Product.objects.create(sku="FC-2", name="绿茶", category=category),
    ]
    customer = Customer.objects.create(code="C-FC", name="预测客户")
    lines = []
    for i in range(MONTHS):
        month = add_months(FIRST, i)
        for p, product in enumerate(products):
            for r, (region, person) in enumerate(
                [(east, personas["salesperson"]), (south, personas["other_region_salesperson"])]
            ):
                units = round(seasonal(i, base=100 + 50 * p + 30 * r))
                lines.append(
                    SalesLine(
                        line_key=f"FC-{i}-{p}-{r}",
                        date=month.replace(day=10),
                        month=month,
                        kind="sell_in",
                        customer=customer,
                        product=product,
                        category=category,
                        region=region,
                        salesperson=person,
                        quantity_milli=units * 1000,
                        unit_price_fen=100_00,
                        amount_fen=units * 100_00,
                        cost_fen=0,
                        gross_profit_fen=units * 100_00,
                    )
                )
    SalesLine.objects.bulk_create(lines)
    rollups.rebuild_months({add_months(FIRST, i) for i in range(MONTHS)})
    warehouses = {
        "east": Warehouse.objects.create(code="FC-E", name="华东仓", region=east),
        "south": Warehouse.objects.create(code="FC-S", name="华南仓", region=south),
    }
    for warehouse in warehouses.values():
        for product in products:
            StockLevel.objects.create(warehouse=warehouse, product=product, on_hand=5000)
    return {"category": category, "products": products, "warehouses": warehouses}


@pytest.fixture
def fitted(history, personas, immediate_tasks, django_capture_on_commit_callbacks):
    from salescope.forecasting import services

    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_run(actor=personas["director"], horizon=6, today=TODAY)
    run.refresh_from_db()
    return run
