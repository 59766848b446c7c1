"""When can a customer get Q of a product? (H3) Pure maths, no ORM."""

import datetime as dt
from collections.abc import Iterable


def earliest_date(
    *,
    available_now: int,
    incoming: Iterable[tuple[dt.date, int]],
    quantity: int,
    as_of: dt.date,
    horizon_days: int,
) -> dt.date | None:
    """The first day on which stock on hand plus supply arrived by then covers ``quantity``;
    ``None`` when that does not happen within ``horizon_days`` of ``as_of``."""
    if quantity <= available_now:
        return as_of
    horizon = as_of + dt.timedelta(days=horizon_days)
    total = available_now
    for day, amount in sorted(incoming):
        if day > horizon:
            break
        total += amount
        if total >= quantity:
            return max(day, as_of)
    return None
