"""The maths of plans and targets: decomposition, redistribution, pace, projection, attainment.

Pure functions, no ORM. Amounts are **integers in minor units** (fen for money; hundredths for
quantities, counts and percentages), so every sum is exact on SQLite and PostgreSQL alike.

Conventions (documented once, used by the pages, the API, the CLI and the tests):

* **Decomposition** splits a parent total over children by weights with the largest-remainder
  method. Children always sum exactly to the parent. Each child first gets the floor of its
  exact share; the units left over go one by one to the children with the largest fractional
  remainder, ties broken by position (the caller orders children by a stable key, e.g. unit
  code, username, month). So the same input always gives the same output (R9).
* **Quantum**: counts (new customers, outlets) are split in whole units (quantum 100
  hundredths); money in fen (quantum 1). A total that is not a multiple of the quantum leaves a
  sub-quantum rest, which goes to the child that received the largest share (ties: first).
* **Locks**: locked children keep their value; only the free children share what is left.
  Locks that exceed the parent (or leave something for no free child) are infeasible.
* **Variance** = actual − target (negative = short of target).
* **Attainment** = actual ÷ target × 100, a percentage with two decimals (``None`` if the target
  is zero).
* **Pace** = target × elapsed share of the period (calendar days, working days, or the
  seasonality profile), rounded half-up to the minor unit: what should have been reached by
  ``as_of``. **Pace gap** = actual − pace.
* **Projection** = actual ÷ elapsed share (the run rate carried to period end), rounded half-up;
  ``None`` before the period starts; equal to the actual once the period is over.

Percentages (market share, brand awareness: ``METRICS[metric].additive`` is False) are
**levels**, not quantities accumulated over the period (:func:`track_level`):

* cells that fold into one row (two regions, twelve months) give their **mean**, rounded
  half-up (:func:`mean_half_up`, the rounding of ``analytics.manual``), never their sum; a
  year's or quarter's level is the level of each of its months, not split over them;
* **pace** is the target itself once the period has begun (the level applies from the first
  day), 0 before it;
* **projection** is the **latest actual level**: the level of the latest month begun that has
  a figure (a share is where the market is now, and a run rate means nothing for a level);
  ``None`` before the period starts or while no figure has been entered;
* variance = actual − target and attainment = actual ÷ target as above, the actual being the
  mean of the figures;
* **decomposing** a level copies it into each part (:func:`level_parts`), whatever the method;
  the planner then types each part's own level. The parts of a level never re-split: editing
  one changes neither its siblings, nor the parent, nor the parts below it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

Weight = int | Decimal | Fraction


class InfeasibleAllocation(ValueError):
    """Locked values cannot be kept while the children add up to the parent."""


def _to_fraction(value: Weight) -> Fraction:
    return Fraction(value) if not isinstance(value, Fraction) else value


def round_half_up(value: Fraction | int) -> int:
    """Round a rational to the nearest integer, halves away from zero (as invoices do)."""
    if isinstance(value, int):
        return value
    numerator, denominator = value.numerator, value.denominator
    whole, rest = divmod(abs(numerator), denominator)
    if 2 * rest >= denominator:
        whole += 1
    return -whole if numerator < 0 else whole


def largest_remainder(total: int, weights: Sequence[Weight]) -> list[int]:
    """Split the integer ``total`` over ``weights`` (non-negative) exactly.

    All-zero (or empty-sum) weights split equally. Ties in the remainder go to the earlier
    position. ``sum(result) == total`` always.
    """
    if not weights:
        if total != 0:
            raise InfeasibleAllocation("nothing to allocate into")
        return []
    if all(isinstance(w, int) for w in weights):
        return _largest_remainder_int(total, list(weights))  # type: ignore[arg-type]
    fractions = [_to_fraction(w) for w in weights]
    if any(w < 0 for w in fractions):
        raise ValueError("weights must not be negative")
    # Scale to integers over the common denominator: the same shares, exact and fast.
    denominator = 1
    for w in fractions:
        denominator = denominator * w.denominator // math.gcd(denominator, w.denominator)
    scaled = [w.numerator * (denominator // w.denominator) for w in fractions]
    return _largest_remainder_int(total, scaled)


def _largest_remainder_int(total: int, weights: list[int]) -> list[int]:
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    count = len(weights)
    weight_sum = sum(weights)
    if weight_sum == 0 or all(w == weights[0] for w in weights):
        share, left = divmod(total, count)
        return [share + 1 if i < left else share for i in range(count)]
    floors = []
    remainders = []
    for w in weights:
        floor, rest = divmod(total * w, weight_sum)
        floors.append(floor)
        remainders.append(rest)
    left = total - sum(floors)
    if left:
        order = sorted(range(count), key=lambda i: (-remainders[i], i))
        for i in order[:left]:
            floors[i] += 1
    return floors


def allocate(
    total: int,
    weights: Sequence[Weight],
    *,
    locked: Mapping[int, int] | None = None,
    quantum: int = 1,
) -> list[int]:
    """Split ``total`` over children with ``weights``, keeping ``locked`` {index: value}.

    The free children share ``total − sum(locked)`` in multiples of ``quantum`` by the largest
    remainder; a sub-quantum rest goes to the free child with the largest share (first on ties).
    Raises :class:`InfeasibleAllocation` when the locks cannot hold.
    """
    if quantum < 1:
        raise ValueError("quantum must be at least 1")
    locked = dict(locked or {})
    if any(i < 0 or i >= len(weights) for i in locked):
        raise IndexError("locked index out of range")
    free = [i for i in range(len(weights)) if i not in locked]
    rest = total - sum(locked.values())
    if not free:
        if rest != 0:
            raise InfeasibleAllocation("all children are locked and they do not add up")
        return [locked[i] for i in range(len(weights))]
    if (total >= 0 and rest < 0) or (total < 0 and rest > 0):
        raise InfeasibleAllocation("locked values exceed the total")
    units, sub_quantum = divmod(rest, quantum)
    shares = largest_remainder(units, [weights[i] for i in free])
    values = [s * quantum for s in shares]
    if sub_quantum:
        biggest = max(range(len(values)), key=lambda k: (values[k], -k))
        values[biggest] += sub_quantum
    result = [0] * len(weights)
    for i, value in zip(free, values, strict=True):
        result[i] = value
    for i, value in locked.items():
        result[i] = value
    return result


def level_parts(level: int, count: int) -> list[int]:
    """The ``count`` parts of a level (a percentage such as market share) as a decomposition
    first makes them: each starts at the parent's level, a copy and not a split.

    18 % market share for the company is 18 % for each region and each month until the planner
    types a part's own level; the parts do not add up to the parent (their mean is what the
    parent's scope would reach), and no weight or history changes where they start.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    return [level] * count


def redistribute(
    total: int,
    current: Sequence[int],
    *,
    locked: Mapping[int, int] | None = None,
    quantum: int = 1,
) -> list[int]:
    """Re-split ``total`` keeping locked children and the free children's current proportions.

    Used after a cell is edited (it becomes locked at its new value) or the parent changes.
    Negative current values weigh as zero.
    """
    return allocate(total, [max(v, 0) for v in current], locked=locked, quantum=quantum)


# --- time -------------------------------------------------------------------------------


class PaceBasis(StrEnum):
    CALENDAR = "calendar"
    WORKING_DAYS = "working_days"
    SEASONALITY = "seasonality"


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def is_working_day(
    day: dt.date, holidays: frozenset[dt.date], workdays: frozenset[dt.date]
) -> bool:
    """Monday–Friday, minus public holidays, plus the make-up working weekends (调休)."""
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


@dataclass(frozen=True)
class Period:
    """A closed date range ``[start, end]``: a month, quarter or year of a plan."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("period ends before it starts")


def elapsed_share(
    period: Period,
    as_of: dt.date,
    basis: PaceBasis = PaceBasis.CALENDAR,
    *,
    holidays: Iterable[dt.date] = (),
    workdays: Iterable[dt.date] = (),
    season: Mapping[dt.date, Weight] | None = None,
) -> Fraction:
    """Share of ``period`` that has elapsed by the end of ``as_of`` (0 … 1).

    * calendar: days elapsed ÷ days in the period;
    * working days: working days elapsed ÷ working days in the period;
    * seasonality: ``season`` maps each month (first day) to its weight (e.g. last year's sales
      of that month); whole months count by weight, the current month by its calendar-day share.
      Months missing from ``season`` weigh zero; all-zero weights fall back to calendar days.
    """
    if as_of < period.start:
        return Fraction(0)
    if as_of >= period.end:
        return Fraction(1)
    if basis == PaceBasis.CALENDAR:
        total = (period.end - period.start).days + 1
        return Fraction((as_of - period.start).days + 1, total)
    if basis == PaceBasis.WORKING_DAYS:
        hol, work = frozenset(holidays), frozenset(workdays)
        total = sum(1 for d in _days(period.start, period.end) if is_working_day(d, hol, work))
        if total == 0:
            return elapsed_share(period, as_of, PaceBasis.CALENDAR)
        done = sum(1 for d in _days(period.start, as_of) if is_working_day(d, hol, work))
        return Fraction(done, total)
    return _seasonal_share(period, as_of, season or {})


def _seasonal_share(period: Period, as_of: dt.date, season: Mapping[dt.date, Weight]) -> Fraction:
    total = Fraction(0)
    done = Fraction(0)
    month = period.start.replace(day=1)
    while month <= period.end:
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        first, last = max(month, period.start), min(next_month - dt.timedelta(days=1), period.end)
        weight = _to_fraction(season.get(month, 0))
        total += weight
        if as_of >= last:
            done += weight
        elif as_of >= first:
            done += weight * Fraction((as_of - first).days + 1, (last - first).days + 1)
        month = next_month
    if total == 0:
        return elapsed_share(period, as_of, PaceBasis.CALENDAR)
    return done / total


def pace(target: int, share: Fraction) -> int:
    """What should have been reached by now: ``target × share``, half-up to the minor unit."""
    return round_half_up(target * share)


def projection(actual: int, share: Fraction) -> int | None:
    """Run rate carried to period end: ``actual ÷ share`` (``None`` before the period starts)."""
    if share <= 0:
        return None
    if share >= 1:
        return actual
    return round_half_up(Fraction(actual) / share)


def variance(actual: int, target: int) -> int:
    """actual − target: negative when short of the target."""
    return actual - target


def attainment(actual: int, target: int) -> Decimal | None:
    """actual ÷ target as a percentage with two decimals, half-up; ``None`` if target is 0."""
    if target == 0:
        return None
    ratio = Fraction(actual * 100, target)
    return (Decimal(ratio.numerator) / Decimal(ratio.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


class Tracking(NamedTuple):
    """One cell's target against its actual at a date (immutable; a named tuple because a
    report builds thousands of them and a frozen dataclass costs twice as much to build)."""

    target: int
    actual: int
    pace: int
    projection: int | None
    variance: int
    pace_gap: int
    attainment: Decimal | None
    share: Fraction | None  # elapsed share of the period (None where not worth computing)


def track(target: int, actual: int, share: Fraction) -> Tracking:
    due = pace(target, share)
    return Tracking(
        target=target,
        actual=actual,
        pace=due,
        projection=projection(actual, share),
        variance=variance(actual, target),
        pace_gap=actual - due,
        attainment=attainment(actual, target),
        share=share,
    )


def _div_half_up(numerator: int, denominator: int) -> int:
    whole, rest = divmod(abs(numerator), denominator)
    if 2 * rest >= denominator:
        whole += 1
    return -whole if numerator < 0 else whole


def track_due(target: int, actual: int, due: Fraction | int) -> Tracking:
    """:func:`track` for a row whose pace is known exactly as ``due`` (Σ target_m × share_m):
    pace = due rounded half-up once, share = due ÷ target. Integer arithmetic only; gives the
    same results as ``track(target, actual, due / target)`` with the pace rounded once."""
    if target <= 0:
        return track(target, actual, Fraction(0))
    if isinstance(due, int):  # whole months only: no Fraction to build
        num, den, due_pace = due, 1, due
    else:
        due = Fraction(due)
        num, den = due.numerator, due.denominator  # due = num / den
        due_pace = _div_half_up(num, den)
    if num <= 0:
        projection_value = None
    elif num >= target * den:
        projection_value = actual
    else:
        projection_value = _div_half_up(actual * target * den, num)  # actual ÷ (due ÷ target)
    hundredths = _div_half_up(actual * 10_000, target)
    return Tracking(
        target=target,
        actual=actual,
        pace=due_pace,
        projection=projection_value,
        variance=actual - target,
        pace_gap=actual - due_pace,
        attainment=Decimal(hundredths).scaleb(-2),
        share=None,  # due ÷ target, left out: a Fraction per row costs more than the row
    )


def track_whole(target: int, actual: int) -> Tracking:
    """:func:`track_due` for a period wholly elapsed (``due == target > 0``): pace is the
    target and the projection the actual."""
    return Tracking(
        target=target,
        actual=actual,
        pace=target,
        projection=actual,
        variance=actual - target,
        pace_gap=actual - target,
        attainment=Decimal(_div_half_up(actual * 10_000, target)).scaleb(-2),
        share=None,
    )


def behind_pace(tracking: Tracking, threshold_percent: Decimal) -> bool:
    """True when the actual is short of the pace by more than ``threshold_percent`` of pace."""
    if tracking.pace <= 0:
        return False
    return Fraction(tracking.pace - tracking.actual) * 100 > Fraction(tracking.pace) * _to_fraction(
        threshold_percent
    )


def over_budget(tracking: Tracking, threshold_percent: Decimal) -> bool:
    """For a budget (a ceiling): spending ahead of the pace by more than ``threshold_percent``
    of pace, or projected past the budget at the current run rate."""
    if tracking.pace > 0 and Fraction(tracking.actual - tracking.pace) * 100 > Fraction(
        tracking.pace
    ) * _to_fraction(threshold_percent):
        return True
    return tracking.projection is not None and tracking.projection > tracking.target


def projected_short(tracking: Tracking) -> bool:
    return tracking.projection is not None and tracking.projection < tracking.target


# --- levels (percentages) ------------------------------------------------------------------


def mean_half_up(total: int, count: int) -> int:
    """The mean of ``count`` values adding up to ``total``, rounded half away from zero to the
    minor unit (0 for no value): how percentages fold, in reports, manual figures and the grid."""
    if count <= 0:
        return 0
    return _div_half_up(total, count)


def fold(values: list[int], *, additive: bool) -> int | None:
    """Parts as one figure: an amount's sum; a level's mean, half-up (``None``: no parts)."""
    if additive:
        return sum(values)
    return mean_half_up(sum(values), len(values)) if values else None


def track_level(target: int, actual: int, latest: int | None, share: Fraction | int) -> Tracking:
    """Track a level such as a market share: ``target`` and ``actual`` are levels (means of
    their cells and figures), ``latest`` the level of the latest month begun that has a figure
    (``None`` if none), ``share`` the elapsed share of the period (only whether it has begun
    matters). Pace is the target once begun; the projection is the latest level."""
    begun = share > 0
    due = target if begun else 0
    return Tracking(
        target=target,
        actual=actual,
        pace=due,
        projection=latest if begun else None,
        variance=variance(actual, target),
        pace_gap=actual - due,
        attainment=attainment(actual, target),
        share=Fraction(share),
    )


# --- chains of decomposition (A3) ----------------------------------------------------------


def allocate_reserving(
    total: int,
    weights: Sequence[Weight],
    *,
    locked: Mapping[int, int] | None = None,
    reserved: Mapping[int, int] | None = None,
    quantum: int = 1,
) -> list[int]:
    """:func:`allocate` where some free children must receive at least ``reserved`` {index:
    amount} (the locked cells somewhere below them): each free child gets its reserve plus its
    weighted share of what is left once the locks and the reserves are taken out.

    Raises :class:`InfeasibleAllocation` when the locks and reserves exceed the total."""
    reserved = {i: v for i, v in (reserved or {}).items() if v and i not in (locked or {})}
    if not reserved:
        return allocate(total, weights, locked=locked, quantum=quantum)
    locked = dict(locked or {})
    free = [i for i in range(len(weights)) if i not in locked]
    pool = total - sum(locked.values()) - sum(reserved.values())
    if (total >= 0 and pool < 0) or (total < 0 and pool > 0):
        raise InfeasibleAllocation("locked values below the children exceed the total")
    shares = allocate(pool, [weights[i] for i in free], quantum=quantum)
    result = [0] * len(weights)
    for i, share in zip(free, shares, strict=True):
        result[i] = share + reserved.get(i, 0)
    for i, value in locked.items():
        result[i] = value
    return result


def split_tree(
    total: int,
    parents: Sequence[int],
    weights: Sequence[Weight],
    *,
    locked: Mapping[int, int] | None = None,
    quantum: int = 1,
    additive: bool = True,
) -> list[int]:
    """The values of a whole decomposition chain at once: a tree of ``len(parents)`` nodes,
    node 0 the cell being decomposed (``parents[0] == -1``), every other node after its parent
    (``parents[i] < i``), each with its weight among its siblings.

    * node 0 is ``total``; every node's children sum exactly to it (:func:`allocate`, the
      largest remainder in multiples of ``quantum``), so the leaves sum exactly to ``total``;
    * ``locked`` {node: value} keep their value (a lock on node 0 is ignored: it is ``total``);
      a free node with locked nodes below it first reserves what they hold
      (:func:`allocate_reserving`), so a lock deep in the chain holds whatever the steps above;
      a node whose parts are all locked is held at their sum;
    * a level (``additive`` False: a percentage) is copied into each part; locked parts keep
      theirs and their own parts start from it.

    Raises :class:`InfeasibleAllocation` when locks cannot hold (more locked than there is)."""
    count = len(parents)
    if count == 0:
        return []
    if parents[0] != -1 or any(not 0 <= parents[i] < i for i in range(1, count)):
        raise ValueError("every node must come after its parent, node 0 being the root")
    locked = {i: v for i, v in (locked or {}).items() if i != 0}
    values = [0] * count
    values[0] = total
    if not additive:
        for i in range(1, count):
            values[i] = locked.get(i, values[parents[i]])
        return values
    children: list[list[int]] = [[] for _ in range(count)]
    for i in range(1, count):
        children[parents[i]].append(i)
    reserve = [0] * count  # what the locked cells below (or at) each node hold
    if locked:
        # A node all of whose parts are locked (or so pinned themselves) is pinned at their sum:
        # nothing under it could absorb a difference.
        locked = dict(locked)
        for i in range(count - 1, 0, -1):
            kids = children[i]
            if i not in locked and kids and all(k in locked for k in kids):
                locked[i] = sum(locked[k] for k in kids)
        below = [0] * count
        for i in range(count - 1, 0, -1):
            reserve[i] = locked[i] if i in locked else below[i]
            below[parents[i]] += reserve[i]
    for node in range(count):
        kids = children[node]
        if not kids:
            continue
        if locked:
            parts = allocate_reserving(
                values[node],
                [weights[k] for k in kids],
                locked={j: locked[k] for j, k in enumerate(kids) if k in locked},
                reserved={j: reserve[k] for j, k in enumerate(kids) if reserve[k]},
                quantum=quantum,
            )
        else:
            parts = allocate(values[node], [weights[k] for k in kids], quantum=quantum)
        for kid, value in zip(kids, parts, strict=True):
            values[kid] = value
    return values
