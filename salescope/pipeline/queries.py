"""Reads of pipelines and opportunities, always for a viewer (the one rule)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core.errors import ValidationFailed
from salescope.core.money import from_fen
from salescope.core.periods import add_months, company_calendar
from salescope.org.models import User
from salescope.pipeline import rules, winmodel
from salescope.pipeline.choices import StageKind
from salescope.pipeline.models import ForecastAdjustment, Opportunity, Pipeline, Stage, StageChange


def list_pipelines(*, viewer: User) -> QuerySet[Pipeline]:
    return (
        Pipeline.objects.visible_to(viewer, "view")
        .filter(is_active=True)
        .select_related("product_line")
    )


def get_pipeline(*, viewer: User, pk: Any) -> Pipeline:
    return Pipeline.objects.get_visible(viewer, pk)


def stages_of(*, viewer: User, pipeline: Pipeline) -> list[Stage]:
    return list(
        Stage.objects.visible_to(viewer, "view").filter(pipeline=pipeline).order_by("order")
    )


def get_stage(*, viewer: User, pk: Any) -> Stage:
    return Stage.objects.get_visible(viewer, pk)


def list_opportunities(
    *,
    viewer: User,
    scope: str = "",
    customer: Any = None,
    pipeline: Any = None,
    stage: Any = None,
    open_only: bool = False,
    search: str = "",
    incomplete: bool = False,
) -> QuerySet[Opportunity]:
    """Opportunities the viewer may see; ``scope="mine"`` only their own; ``incomplete`` those
    with no customer (e.g. imported with an account no customer matched)."""
    opportunities = Opportunity.objects.visible_to(viewer, "view").select_related(
        "stage", "owner", "customer", "pipeline"
    )
    if scope == "mine":
        opportunities = opportunities.filter(owner=viewer)
    if customer is not None:
        opportunities = opportunities.filter(customer=customer)
    if pipeline is not None:
        opportunities = opportunities.filter(pipeline=pipeline)
    if stage is not None:
        opportunities = opportunities.filter(stage=stage)
    if open_only:
        opportunities = opportunities.filter(stage__kind=StageKind.OPEN)
    if incomplete:
        opportunities = opportunities.filter(customer__isnull=True)
    if search:
        opportunities = opportunities.filter(
            Q(name__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(account_name__icontains=search)
        )
    return opportunities.order_by("expected_close", "id")


def get_opportunity(*, viewer: User, pk: Any, action: str = "view") -> Opportunity:
    queryset = Opportunity.objects.select_related("stage", "owner", "customer", "pipeline", "order")
    return queryset.get_visible(viewer, pk, action)


def stage_history(*, viewer: User, opportunity: Opportunity) -> QuerySet[StageChange]:
    return (
        StageChange.objects.visible_to(viewer, "view")
        .filter(opportunity=opportunity)
        .select_related("from_stage", "to_stage", "actor")
        .order_by("at", "id")
    )


def forecast_adjustments(
    *, viewer: User, months: list[dt.date]
) -> dict[dt.date, ForecastAdjustment]:
    """The viewer's own adjustments for ``months``."""
    rows = ForecastAdjustment.objects.visible_to(viewer, "view").filter(
        manager=viewer, month__in=months
    )
    return {row.month: row for row in rows}


# --- the board ------------------------------------------------------------------------------

BOARD_CARDS = 30


def board(*, viewer: User, pipeline: Pipeline, scope: str = "") -> list[dict[str, Any]]:
    """The kanban of ``pipeline``: per open stage its count, amount, weighted amount and the
    first cards (soonest expected close). One aggregate query, then one query per column."""
    stages = [s for s in stages_of(viewer=viewer, pipeline=pipeline) if s.kind == StageKind.OPEN]
    opportunities = list_opportunities(viewer=viewer, scope=scope, pipeline=pipeline)
    # by the open stages' ids (not a join on their kind): read as ranges of opp_board_report
    totals: dict[int, dict[str, Any]] = {
        row["stage"]: dict(row)
        for row in opportunities.filter(stage__in=[s.pk for s in stages])
        .order_by()
        .values("stage")
        .annotate(count=Count("id"), total_fen=Sum("amount_fen"), weighted_sum=_WEIGHTED)
    }
    columns = []
    for stage in stages:
        row: dict[str, Any] = totals.get(stage.pk, {})
        cards = list(_cards(viewer, stage, scope)[:BOARD_CARDS]) if row else []
        columns.append(
            {
                "stage": stage,
                "count": row.get("count", 0),
                "amount_fen": row.get("total_fen") or 0,
                "weighted_fen": row.get("weighted_sum") or 0,
                "amount": from_fen(row.get("total_fen") or 0),
                "cards": cards,
            }
        )
    return columns


_WEIGHTED = Sum(F("amount_fen") * F("probability") / 100)


class _Elapsed(Func):
    """``closed_at - created_at`` as a duration. On SQLite in whole microseconds with the
    built-in date functions (Django's own subtraction there calls back into Python for every
    row, most of the report's time over 400k deals); the same value, to the microsecond."""

    output_field = DurationField()
    template = "(%(expressions)s)"  # PostgreSQL: timestamp − timestamp is an interval
    arg_joiner = " - "

    def __init__(self) -> None:
        super().__init__(F("closed_at"), F("created_at"))

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        (end, end_params), (start, start_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        # seconds (fractions dropped) × 10⁶ + the microsecond digits Django stores after the
        # seconds ("YYYY-MM-DD HH:MM:SS.ffffff"; none when zero)
        sql = (
            f"((CAST(strftime('%%s', {end}) AS INTEGER)"
            f" - CAST(strftime('%%s', {start}) AS INTEGER)) * 1000000"
            f" + CAST(substr({end}, 21, 6) AS INTEGER)"
            f" - CAST(substr({start}, 21, 6) AS INTEGER))"
        )
        return sql, (*end_params, *start_params, *end_params, *start_params)


def _cards(viewer: User, stage: Stage, scope: str) -> QuerySet[Opportunity]:
    """One column's cards, soonest close first: read along the (stage, expected_close) index,
    joined only to what a card shows (a join to the pipeline would make SQLite sort)."""
    cards = Opportunity.objects.visible_to(viewer, "view").filter(stage=stage)
    if scope == "mine":
        cards = cards.filter(owner=viewer)
    return cards.select_related("stage", "owner", "customer").order_by("expected_close", "id")


# --- stuck deals (B2) -------------------------------------------------------------------------


def _stuck_condition(as_of: dt.datetime) -> Q | None:
    # visibility: stages are configuration every signed-in person may view.
    stages = Stage.objects.unrestricted().filter(kind=StageKind.OPEN, rotting_days__isnull=False)
    condition = None
    for stage_id, days in stages.values_list("pk", "rotting_days"):
        one = Q(stage_id=stage_id, stage_entered_at__lt=as_of - dt.timedelta(days=days))
        condition = one if condition is None else condition | one
    return condition


def stuck_deals(*, viewer: Any, as_of: dt.datetime | None = None) -> QuerySet[Opportunity]:
    """Open opportunities that have sat in their stage longer than its rotting threshold
    (停滞商机), longest first. ``viewer=SYSTEM`` (``core.ownership``) reads as the system: the
    background evaluation that raises stuck-deal warnings (analytics calls this)."""
    as_of = as_of or timezone.now()
    opportunities = Opportunity.objects.visible_to(viewer, "view")
    condition = _stuck_condition(as_of)
    if condition is None:
        return opportunities.none()
    return (
        opportunities.filter(condition, stage__kind=StageKind.OPEN)
        .select_related("stage", "owner", "customer")
        .order_by("stage_entered_at", "id")
    )


def days_stuck(opportunity: Opportunity, as_of: dt.datetime | None = None) -> int:
    return rules.days_in_stage(opportunity.stage_entered_at, as_of or timezone.now())


# --- forecast (C4, H5) ------------------------------------------------------------------------


def forecast(
    *, viewer: User, start: dt.date, months: int = 6, scope: str = "", pipeline: Any = None
) -> dict[str, Any]:
    """Open and won deals by expected close month from ``start``'s month: amount, weighted
    amount, amount per forecast category, and the viewer's own adjustment for the month."""
    first = rules.month_of(start)
    month_list = [_add_months(first, n) for n in range(months)]
    end = _add_months(first, months)
    deals = (
        list_opportunities(viewer=viewer, scope=scope, pipeline=pipeline)
        .exclude(stage__kind=StageKind.LOST)
        .filter(expected_close__gte=first, expected_close__lt=end)
        .values_list("amount_fen", "probability", "forecast_category", "expected_close")
    )
    rows = {
        row.month: row
        for row in rules.forecast_by_month(rules.ForecastDeal(*values) for values in deals)
    }
    adjustments = forecast_adjustments(viewer=viewer, months=month_list)
    return {
        "months": [
            {
                "month": month,
                "row": rows.get(month) or rules.ForecastMonth(month=month),
                "adjustment": adjustments.get(month),
            }
            for month in month_list
        ]
    }


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


# --- reports: funnel, conversion, win rate, cycle, lost reasons ------------------------------

GROUPS = {
    "stage": ("stage__name", "stage__order"),
    "owner": ("owner__username", "owner__full_name"),
    "team": ("owner__unit__name",),
    "product_line": ("pipeline__product_line__name",),
    "pipeline": ("pipeline__name",),
    "source": ("source",),
    "month": ("created_month",),
}


def parse_group_by(raw: str | list[str]) -> list[str]:
    names = [n.strip() for n in (raw.split(",") if isinstance(raw, str) else raw) if n.strip()]
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        raise ValidationFailed(
            fields={"group_by": [_("Unknown grouping: %s") % ", ".join(unknown)]}
        )
    return names


def pipeline_report(  # noqa: PLR0913 - the report's filters
    *,
    viewer: User,
    group_by: str | list[str] = "stage",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    pipeline: Any = None,
    scope: str = "",
) -> dict[str, Any]:
    """Opportunities created in the period, grouped: count, open amount and weighted, won and
    lost, win rate, average cycle (days from creation to won), lost reasons; and each
    pipeline's funnel with stage-to-stage conversion. Only what the viewer may see."""
    groups = parse_group_by(group_by)
    opportunities = list_opportunities(viewer=viewer, scope=scope, pipeline=pipeline)
    if date_from:
        opportunities = opportunities.filter(created_at__date__gte=date_from)
    if date_to:
        opportunities = opportunities.filter(created_at__date__lte=date_to)
    opportunities = opportunities.annotate(created_month=TruncMonth("created_at"))
    # One GROUP BY for the rows and the funnels: by the stage's id (a stage's name, order and
    # kind are looked up, not joined and grouped as text), the lost reason, and the deal's
    # pipeline and furthest stage (the funnel); read from the opp_board_report index alone.
    keys = [field for name in groups if name != "stage" for field in GROUPS[name]]
    stages = _stages_by_id()
    # time from creation to close of the won deals, summed (the average cycle = this / their
    # count): computed only for their rows
    won = [pk for pk, stage in stages.items() if stage.kind == StageKind.WON]
    cycle: Any = (  # no won stage anywhere yet: nothing to time (an untyped SUM(NULL) fails)
        Sum(Case(When(stage__in=won, then=_Elapsed())), output_field=DurationField())
        if won
        else Value(None, output_field=DurationField())
    )
    sums = (
        opportunities.order_by()
        .values(*keys, "stage", "lost_reason", "pipeline", "furthest_order")
        .annotate(n=Count("id"), amount=Sum("amount_fen"), weighted=_WEIGHTED, cycle=cycle)
    )
    rows: dict[tuple, dict[str, Any]] = {}
    reached: dict[int, dict[int, int]] = {}
    for item in sums:
        stage = stages[item["stage"]]
        item["stage__name"], item["stage__order"], item["stage__kind"] = (
            stage.name,
            stage.order,
            stage.kind,
        )
        key = tuple(item[k] for name in groups for k in GROUPS[name])
        row = rows.get(key)
        if row is None:
            row = rows[key] = _empty_row(groups, item)
        _add_to_row(row, item)
        funnel = reached.setdefault(item["pipeline"], {})
        funnel[item["furthest_order"]] = funnel.get(item["furthest_order"], 0) + item["n"]
    result = [_finish_row(row) for row in rows.values()]
    result.sort(
        key=lambda r: tuple(_sortable(r["stage_order"] if g == "stage" else r[g]) for g in groups)
    )
    return {"group_by": groups, "rows": result, "funnels": _funnels(reached, stages)}


def _stages_by_id() -> dict[int, Stage]:
    # visibility: pipelines and stages are configuration every signed-in person may view.
    return {s.pk: s for s in Stage.objects.unrestricted().select_related("pipeline")}


def _sortable(value: Any) -> Any:
    return ("" if value is None else str(value)) if not isinstance(value, int) else f"{value:09d}"


def _empty_row(groups: list[str], item: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in groups:
        if name == "stage":
            row["stage"], row["stage_order"] = item["stage__name"], item["stage__order"]
        elif name == "owner":
            row["owner"] = item["owner__full_name"] or item["owner__username"]
        elif name == "month":
            month = item["created_month"]
            row["month"] = month.strftime("%Y-%m") if month else None
        else:
            row[name] = item[GROUPS[name][0]]
    row.update(
        count=0,
        open=0,
        open_amount_fen=0,
        weighted_fen=0,
        won=0,
        won_amount_fen=0,
        lost=0,
        lost_reasons={},
        _cycle_total=dt.timedelta(0),
    )
    return row


def _add_to_row(row: dict[str, Any], item: dict[str, Any]) -> None:
    n, amount = item["n"], item["amount"] or 0
    row["count"] += n
    kind = item["stage__kind"]
    if kind == StageKind.OPEN:
        row["open"] += n
        row["open_amount_fen"] += amount
        row["weighted_fen"] += item["weighted"] or 0
    elif kind == StageKind.WON:
        row["won"] += n
        row["won_amount_fen"] += amount
        if item["cycle"] is not None:
            row["_cycle_total"] += item["cycle"]
    else:
        row["lost"] += n
        reason = item["lost_reason"] or "other"
        row["lost_reasons"][reason] = row["lost_reasons"].get(reason, 0) + n


def _finish_row(row: dict[str, Any]) -> dict[str, Any]:
    total = row.pop("_cycle_total")
    row["win_rate"] = rules.win_rate(row["won"], row["lost"])
    row["average_cycle_days"] = rules.average_days([total / row["won"]] if row["won"] else [])
    return row


def _funnels(counts: dict[int, dict[int, int]], stages: dict[int, Stage]) -> list[dict[str, Any]]:
    """Per pipeline: how many of the deals reached each open stage, and the conversion; from
    the deals counted by their furthest stage (kept by the services), not their history."""
    by_pipeline: dict[int, list[Stage]] = {}
    for stage in sorted(stages.values(), key=lambda s: (s.pipeline_id, s.order)):
        by_pipeline.setdefault(stage.pipeline_id, []).append(stage)
    funnels = []
    for pipeline_id, reached in sorted(counts.items()):
        open_stages = [s for s in by_pipeline.get(pipeline_id, []) if s.kind == StageKind.OPEN]
        steps = rules.funnel_from_counts([s.order for s in open_stages], reached)
        funnels.append(
            {
                "pipeline": open_stages[0].pipeline.name if open_stages else "",
                "steps": [
                    {"stage": s.name, "reached": step.reached, "conversion": step.conversion}
                    for s, step in zip(open_stages, steps, strict=True)
                ],
            }
        )
    return funnels


def customer_choices(*, viewer: User) -> QuerySet:
    """Customers the viewer may open an opportunity for (those they may see)."""
    from salescope.customers.models import Customer

    return Customer.objects.visible_to(viewer, "view").filter(deleted_at__isnull=True)


def report_json(report: dict[str, Any]) -> dict[str, Any]:
    """The report as JSON-ready values: money in yuan as text, ratios as text."""

    def value(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [value(x) for x in v]
        if isinstance(v, Decimal):
            return str(v)
        return v

    rows = []
    for row in report["rows"]:
        out = {k: v for k, v in row.items() if not k.endswith("_fen")}
        out["open_amount"] = from_fen(row["open_amount_fen"])
        out["weighted"] = from_fen(row["weighted_fen"])
        out["won_amount"] = from_fen(row["won_amount_fen"])
        rows.append(out)
    return value({"group_by": report["group_by"], "rows": rows, "funnels": report["funnels"]})


# --- the quarter's forecast (H5) -----------------------------------------------------------


def quarter_forecast(
    viewer: User,
    *,
    as_of: dt.date | None = None,
    scope: str = "",
    owner: Any = None,
    unit: Any = None,
) -> dict[str, Any]:
    """The current fiscal quarter's weighted pipeline (本季度加权管道, H5), as ``viewer`` sees it:
    open deals expected to close in the quarter, their amount and amount × probability, what
    was won in the quarter (closed in it), and ``expected`` = won + weighted — the figure that
    goes beside the run rate on tracking. ``owner`` narrows to one person's deals, ``unit`` to
    the deals of the people in that unit's subtree."""
    day = as_of or timezone.localdate()
    calendar = company_calendar()
    months = calendar.months_of_quarter(calendar.year_of(day), calendar.quarter_of(day))
    start, end = months[0], add_months(months[0], 3)
    deals = list_opportunities(viewer=viewer, scope=scope)
    if owner is not None:
        deals = deals.filter(owner=owner)
    if unit is not None:
        deals = deals.filter(owner__unit__path__startswith=unit.path)
    open_row = (
        deals.filter(stage__kind=StageKind.OPEN, expected_close__gte=start, expected_close__lt=end)
        .order_by()
        .aggregate(count=Count("id"), amount=Sum("amount_fen"), weighted=_WEIGHTED)
    )
    tz = timezone.get_current_timezone()
    won_row = (
        deals.filter(
            stage__kind=StageKind.WON,
            closed_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            closed_at__lt=dt.datetime.combine(end, dt.time.min, tzinfo=tz),
        )
        .order_by()
        .aggregate(count=Count("id"), amount=Sum("amount_fen"))
    )
    weighted_fen = int(open_row["weighted"] or 0)
    won_fen = int(won_row["amount"] or 0)
    learnt = winmodel.learnt_weighted_fen(
        deals.filter(stage__kind=StageKind.OPEN, expected_close__gte=start, expected_close__lt=end)
        .select_related("stage", "pipeline__product_line")
        .order_by("pk")
        .iterator(chunk_size=winmodel.LEARNT_BATCH)
    )
    return {
        "quarter": calendar.label(day),
        "start": start,
        "end": end - dt.timedelta(days=1),
        "open_count": open_row["count"],
        "open_amount_fen": int(open_row["amount"] or 0),
        "weighted_fen": weighted_fen,
        "won_count": won_row["count"],
        "won_fen": won_fen,
        "expected_fen": won_fen + weighted_fen,
        # the same at the probability learnt from closed deals (None: no model in use yet)
        "learnt_weighted_fen": learnt,
        "learnt_expected_fen": None if learnt is None else won_fen + learnt,
    }
