import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class ForecastingRunIn(Schema):
    horizon: int = 6


class ForecastingRunOut(Schema):
    id: int
    history_to: dt.date
    horizon: int
    status: str
    series_count: int
    seconds: float | None


class ForecastingSeriesOut(Schema):
    id: int
    name: str
    product: int | None
    category: int | None
    region: int | None
    region_name: str
    model: str
    wape: float | None
    mape: float | None
    bias: float | None
    baseline_wape: float | None
    beats_baseline: bool
    amount: Decimal
    quantity: Decimal


class ForecastingValueOut(Schema):
    month: dt.date
    amount: Decimal
    quantity: Decimal


class ForecastingSeriesDetailOut(Schema):
    id: int
    model: str
    wape: float | None
    baseline_wape: float | None
    values: list[ForecastingValueOut]


class ForecastingRiskOut(Schema):
    product: int
    sku: str
    product_name: str
    warehouse: int
    warehouse_code: str
    kind: str
    date: dt.date | None
    gap: int
    weeks_of_cover: float | None
    available: int
    projection: list[int]
    weekly_demand: list[int]


class ForecastingRiskPageOut(Schema):
    items: list[ForecastingRiskOut]
    count: int = Field(description="Rows at risk in all (every page).")
