"""The pure maths of field activity: distance of a check-in, periods, coverage against the
tier rules, spreading rule visits over working days, checklist completion and a report's facts.
No ORM here: the services and queries feed plain values in."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance in whole metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a))))


def valid_position(latitude: float | None, longitude: float | None) -> bool:
    if latitude is None or longitude is None:
        return False
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the week holding ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def period_of(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    return week_of(day) if period == "week" else month_of(day)


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


@dataclass(frozen=True)
class Gap:
    customer_id: int
    required: int
    planned: int

    @property
    def missing(self) -> int:
        return max(0, self.required - self.planned)


def coverage_gaps(
    customers: Iterable[tuple[int, str]],
    required_by_tier: dict[str, int],
    planned: dict[int, int],
) -> list[Gap]:
    """Customers whose planned (or made) visits in the period fall short of their tier's rule,
    most missing first. ``customers`` are (id, tier); ``required_by_tier`` the visits each tier
    needs in this period; ``planned`` visits per customer id."""
    gaps = [
        Gap(cid, required_by_tier[tier], planned.get(cid, 0))
        for cid, tier in customers
        if required_by_tier.get(tier, 0) > planned.get(cid, 0)
    ]
    return sorted(gaps, key=lambda g: (-g.missing, g.customer_id))


def spread(working_days: Sequence[dt.date], count: int, seed: int) -> list[dt.date]:
    """``count`` visit days spread evenly over ``working_days``, shifted by ``seed`` (the
    customer's id) so one person's customers do not all land on the first day."""
    if not working_days or count <= 0:
        return []
    n = len(working_days)
    step = n / count
    offset = seed % max(1, int(step)) if step >= 1 else 0
    return sorted(working_days[min(n - 1, int(i * step) + offset) % n] for i in range(count))


def completion_rates(answers: Iterable[tuple[object, bool]]) -> dict[object, tuple[int, int]]:
    """(done, total) per key, e.g. per person or per checklist item."""
    counts: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    for key, done in answers:
        counts[key][1] += 1
        if done:
            counts[key][0] += 1
    return {key: (done, total) for key, (done, total) in counts.items()}


def percent(done: int, total: int) -> int | None:
    return None if total == 0 else round(100 * done / total)


@dataclass(frozen=True)
class VisitFact:
    customer: str
    status: str
    outcome: str
    minutes: int | None
    cost_fen: int
    far: bool


def report_facts(
    visits: Sequence[VisitFact],
    *,
    orders_fen: int,
    order_count: int,
    collections_fen: int,
    new_customers: Sequence[str],
    checklist_done: int,
    checklist_total: int,
) -> dict:
    """What a work report states as fact: visits made and planned, outcomes, time in the
    field, cost, orders and collections, new customers, checklist completion."""
    made = [v for v in visits if v.status == "done"]
    outcomes: dict[str, int] = defaultdict(int)
    for v in made:
        if v.outcome:
            outcomes[v.outcome] += 1
    return {
        "visits_planned": len([v for v in visits if v.status != "cancelled"]),
        "visits_made": len(made),
        "visits_far": len([v for v in made if v.far]),
        "field_minutes": sum(v.minutes or 0 for v in made),
        "cost_fen": sum(v.cost_fen for v in made),
        "outcomes": dict(sorted(outcomes.items())),
        "customers": [v.customer for v in made],
        "orders_fen": orders_fen,
        "order_count": order_count,
        "collections_fen": collections_fen,
        "new_customers": list(new_customers),
        "checklist_done": checklist_done,
        "checklist_total": checklist_total,
    }


def checklist_lines(text: str) -> list[tuple[str, str]]:
    """Checklist items written one a line as ``text | kind`` (kind: check, number or text;
    ``check`` when left out)."""
    items = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        item, _bar, kind = line.partition("|")
        items.append((item.strip(), kind.strip() or "check"))
    return items
