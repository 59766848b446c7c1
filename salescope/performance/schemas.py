from typing import Any

from ninja import Schema


class PerformanceKpiRowOut(Schema):
    key: int | None
    label: str
    unit: str
    people: int
    kpis: dict[str, str | None]
    attainment: dict[str, str | None]


class PerformanceKpiReportOut(Schema):
    period: str
    group_by: str
    working_days: int
    formulas: dict[str, str]
    rows: list[PerformanceKpiRowOut]
    total: PerformanceKpiRowOut


class PerformanceDrillOut(Schema):
    kpi: str
    formula: str
    rows: list[dict[str, Any]]
