"""Statuses, metrics, axes and methods of plans and targets (A1–A8)."""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")


class Metric(models.TextChoices):
    SALES_AMOUNT = "sales_amount", _("Sales amount")
    QUANTITY = "quantity", _("Quantity")
    GROSS_PROFIT = "gross_profit", _("Gross profit")
    COLLECTIONS = "collections", _("Collections")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    NEW_OUTLETS = "new_outlets", _("New outlets")
    EXPENSE_BUDGET = "expense_budget", _("Expense budget")
    MARKET_SHARE = "market_share", _("Market share (%)")
    BRAND_AWARENESS = "brand_awareness", _("Brand awareness (%)")


class Unit(models.TextChoices):
    MONEY = "money", _("Amount (CNY)")
    QUANTITY = "quantity", _("Quantity")
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percent")


@dataclass(frozen=True)
class MetricInfo:
    unit: str
    quantum: int  # smallest split in hundredths: 1 = one fen / 0.01; 100 = one whole
    source: str  # "ledger" (sales rollups), "collections", or "manual"
    additive: bool = True  # market share does not add up over people

    @property
    def label(self) -> Promise:
        return Unit(self.unit).label

    @property
    def most(self) -> int | None:
        """The largest figure in hundredths: a percentage is at most 100 %."""
        return 100 * 100 if self.unit == Unit.PERCENT else None


METRICS: dict[str, MetricInfo] = {
    Metric.SALES_AMOUNT: MetricInfo(Unit.MONEY, 1, "ledger"),
    Metric.QUANTITY: MetricInfo(Unit.QUANTITY, 1, "ledger"),
    Metric.GROSS_PROFIT: MetricInfo(Unit.MONEY, 1, "ledger"),
    Metric.COLLECTIONS: MetricInfo(Unit.MONEY, 1, "collections"),
    Metric.NEW_CUSTOMERS: MetricInfo(Unit.COUNT, 100, "manual"),
    Metric.NEW_OUTLETS: MetricInfo(Unit.COUNT, 100, "manual"),
    Metric.EXPENSE_BUDGET: MetricInfo(Unit.MONEY, 1, "manual"),
    Metric.MARKET_SHARE: MetricInfo(Unit.PERCENT, 1, "manual", additive=False),
    Metric.BRAND_AWARENESS: MetricInfo(Unit.PERCENT, 1, "manual", additive=False),
}


class Axis(models.TextChoices):
    ROOT = "root", _("Whole plan")
    ORG = "org", pgettext_lazy("decomposition axis", "Organization")
    PRODUCT = "product", _("Product category")
    BRAND = "brand", _("Brand")
    SKU = "sku", _("SKU")
    CUSTOMER = "customer", _("Key customer")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


class Method(models.TextChoices):
    EQUAL = "equal", _("Equal shares")
    LAST_YEAR = "last_year", _("Last year's share")
    SEASONALITY = "seasonality", _("Seasonality from history")
    FORECAST = "forecast", _("By forecast")
    CUSTOM = "custom", _("Custom weights")


class Grain(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


class PaceBasis(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING_DAYS = "working_days", _("Working days")
    SEASONALITY = "seasonality", _("Seasonality profile")


class StepStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action step", "Open")
    DONE = "done", pgettext_lazy("action step", "Done")


# The plan document of seed 000: 现状分析、销量目标、费用目标、销售区域、达成时间、销售策略、
# 组织安排、行动步骤、过程控制、结果评估.
SECTIONS: list[tuple[str, Promise]] = [
    ("situation", _("Situation analysis")),
    ("volume_target", _("Volume target")),
    ("expense_target", _("Expense target")),
    ("regions", _("Sales regions")),
    ("deadline", pgettext_lazy("plan section", "Deadline")),
    ("strategy", _("Sales strategy")),
    ("organization", pgettext_lazy("plan section", "Organization")),
    ("action_steps", _("Action steps")),
    ("process_control", _("Process control")),
    ("evaluation", _("Results evaluation")),
]
SECTION_KEYS = [key for key, _label in SECTIONS]
