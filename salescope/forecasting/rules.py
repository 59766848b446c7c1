"""Forecast accuracy, model choice and projected stock: pure maths, no ORM.

Accuracy follows the M4/M5 habits: WAPE (Σ|error| / Σ actual) is the headline — it stays
defined for months without sales, where MAPE does not —, MAPE over the months that sold, and
bias (Σ(forecast − actual) / Σ actual: positive = forecast too high). Seasonal-naive (the same
month last year) is the baseline every model must beat to be chosen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

SEASON = 12  # months
BASELINE = "SeasonalNaive"
STOCK_OUT = "stock_out"
OVERSTOCK = "overstock"


# --- accuracy ------------------------------------------------------------------------------


def wape(actual: Sequence[float], forecast: Sequence[float]) -> float | None:
    """Σ|forecast − actual| / Σ|actual|; ``None`` when nothing was sold (no scale)."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    scale = float(np.abs(a).sum())
    return float(np.abs(f - a).sum() / scale) if scale else None


def mape(actual: Sequence[float], forecast: Sequence[float]) -> float | None:
    """Mean |error| / actual over the months with sales; ``None`` if no month sold."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    sold = a != 0
    return float(np.mean(np.abs(f[sold] - a[sold]) / np.abs(a[sold]))) if sold.any() else None


def bias(actual: Sequence[float], forecast: Sequence[float]) -> float | None:
    """Σ(forecast − actual) / Σ|actual|: +0.1 means the forecast ran 10 % high."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    scale = float(np.abs(a).sum())
    return float((f - a).sum() / scale) if scale else None


def seasonal_naive(history: Sequence[float], horizon: int, season: int = SEASON) -> list[float]:
    """Each future month = the same month one season earlier (the last value repeated when the
    history is shorter than a season)."""
    h = list(history)
    if not h:
        return [0.0] * horizon
    if len(h) < season:
        return [float(h[-1])] * horizon
    last = h[-season:]
    return [float(last[i % season]) for i in range(horizon)]


def is_intermittent(history: Sequence[float]) -> bool:
    """Demand with many empty months (average interval between sales above 1.32 months, the
    Syntetos–Boylan cut-off): Croston's method suits it better than smoothing."""
    sold = sum(1 for v in history if v)
    return sold > 0 and len(history) / sold > 1.32


def choose_model(scores: Mapping[str, float | None]) -> str:
    """The model with the lowest backtest WAPE; seasonal-naive keeps the series unless a model
    strictly beats it (and when nothing could be scored)."""
    best, best_score = BASELINE, scores.get(BASELINE)
    for name, score in sorted(scores.items()):
        if score is None or name == BASELINE:
            continue
        if best_score is None or score < best_score:
            best, best_score = name, score
    return best


# --- demand vs stock (H4) ------------------------------------------------------------------


def week_starts(as_of: dt.date, weeks: int) -> list[dt.date]:
    """The Mondays of ``weeks`` weeks, starting with the week holding ``as_of``."""
    monday = as_of - dt.timedelta(days=as_of.weekday())
    return [monday + dt.timedelta(weeks=i) for i in range(weeks)]


def weekly_demand(monthly: Mapping[dt.date, float], weeks: Sequence[dt.date]) -> list[float]:
    """Monthly demand (month's first day → quantity) spread evenly over its days and summed
    per week (Monday to Sunday)."""
    out = []
    for start in weeks:
        total = 0.0
        for offset in range(7):
            day = start + dt.timedelta(days=offset)
            month = day.replace(day=1)
            value = monthly.get(month)
            if value:
                total += value / _days_in_month(month)
        out.append(total)
    return out


def _days_in_month(month: dt.date) -> int:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (following - month).days


def week_index(weeks: Sequence[dt.date], day: dt.date) -> int | None:
    """Index of the week holding ``day`` (days before the first week count in it); ``None``
    after the last."""
    if not weeks:
        return None
    if day < weeks[0]:
        return 0
    index = (day - weeks[0]).days // 7
    return index if index < len(weeks) else None


def project(*, start: float, incoming: Sequence[float], demand: Sequence[float]) -> list[float]:
    """Projected stock at the end of each week: start + Σ incoming − Σ demand so far (it may
    go below zero: that is the shortfall)."""
    level = float(start)
    out = []
    for arriving, taken in zip(incoming, demand, strict=True):
        level += arriving - taken
        out.append(level)
    return out


def project_matrix(start: np.ndarray, incoming: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """``project`` for many rows at once: ``start`` (n,), ``incoming`` and ``demand`` (n, w)."""
    return start[:, None] + np.cumsum(incoming - demand, axis=1)


@dataclass(frozen=True)
class Risk:
    kind: str  # STOCK_OUT or OVERSTOCK
    date: dt.date | None  # first week short (stock-out); None for overstock
    gap: float  # units short at the worst week (stock-out) or above the cover limit (overstock)
    weeks_of_cover: float | None  # stock now ÷ average weekly demand; None without demand


def weeks_of_cover(stock: float, demand: Sequence[float]) -> float | None:
    """Stock ÷ average weekly demand (0 when nothing is available); None without demand."""
    average = sum(demand) / len(demand) if demand else 0.0
    return max(stock, 0.0) / average if average > 0 else None


def assess(
    *,
    start: float,
    weeks: Sequence[dt.date],
    projection: Sequence[float],
    demand: Sequence[float],
    overstock_weeks: float,
) -> Risk | None:
    """Stock-out when the projection goes below zero (its first week and the deepest
    shortfall); otherwise overstock when the stock now covers more than ``overstock_weeks`` of
    the average weekly demand (stock with no demand at all is overstock too)."""
    cover = weeks_of_cover(start, demand)
    for week, level in zip(weeks, projection, strict=True):
        if level < 0:
            return Risk(STOCK_OUT, week, -min(projection), cover)
    if start > 0 and (cover is None or cover > overstock_weeks):
        average = sum(demand) / len(demand) if demand else 0.0
        return Risk(OVERSTOCK, None, start - overstock_weeks * average, cover)
    return None


def assign_regions(
    regions: Iterable[str | None], warehouses: Mapping[int, str | None], fallback: int
) -> dict[str | None, int]:
    """Which warehouse serves each sales region, by region paths ("0001.0003."): the warehouse
    whose region is the nearest ancestor-or-self of the sales region; ``fallback`` (the
    product's main warehouse) for a region no warehouse covers and for no region."""
    out: dict[str | None, int] = {}
    for region in regions:
        best, depth = fallback, -1
        for pk, path in warehouses.items():
            if region and path and region.startswith(path) and len(path) > depth:
                best, depth = pk, len(path)
        out[region] = best
    return out


def assess_matrix(
    start: np.ndarray, projection: np.ndarray, demand: np.ndarray, overstock_weeks: float
) -> dict[str, np.ndarray]:
    """``assess`` for many rows at once (the bench's 100k product × warehouse rows): per row
    ``kind`` (0 none, 1 stock-out, 2 overstock), ``first_short`` (week index, −1 if none),
    ``gap`` and ``cover`` (weeks of cover; NaN without demand)."""
    short = projection < 0
    any_short = short.any(axis=1)
    first = np.where(any_short, short.argmax(axis=1), -1)
    average = demand.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(average > 0, np.maximum(start, 0) / average, np.nan)
    over = ~any_short & (start > 0) & (np.isnan(cover) | (cover > overstock_weeks))
    kind = np.where(any_short, 1, np.where(over, 2, 0))
    gap = np.where(
        any_short, -projection.min(axis=1), np.where(over, start - overstock_weeks * average, 0)
    )
    return {"kind": kind, "first_short": first, "gap": gap, "cover": cover}
