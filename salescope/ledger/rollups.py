"""Rollups at the report and target grains, rebuilt for the months a write touched.

``salesrollup``: month × kind × salesperson × region × category, from the lines.
``regionrollup``: month × kind × region × category, from ``salesrollup`` (smaller still).

A rebuild deletes and re-aggregates whole months inside the caller's transaction: an import
or a posting touches few months, and a month is one indexed range of lines, so the rollups are
always exactly the sum of the lines they summarise (the golden tests check that).
"""

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from salescope.ledger.models import RegionRollup, SalesLine, SalesRollup

_MEASURES = "amount_fen, quantity_milli, cost_fen, gross_profit_fen, lines"
_SUMS = "SUM(amount_fen), SUM(quantity_milli), SUM(cost_fen), SUM(gross_profit_fen), {count}"


def rebuild_months(months: Iterable[dt.date]) -> int:
    """Re-aggregate both rollups for ``months``; returns the number of rollup rows written."""
    months = sorted(set(months))
    if not months:
        return 0
    lines = SalesLine._meta.db_table
    person = SalesRollup._meta.db_table
    region = RegionRollup._meta.db_table
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(months), 200):
            chunk = months[start : start + 200]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {person} WHERE month IN ({marks})", chunk)  # noqa: S608
            cursor.execute(f"DELETE FROM {region} WHERE month IN ({marks})", chunk)  # noqa: S608
            cursor.execute(
                f"INSERT INTO {person} (month, kind, salesperson_id, region_id, category_id, "  # noqa: S608
                f"{_MEASURES}) SELECT month, kind, salesperson_id, region_id, category_id, "
                f"{_SUMS.format(count='COUNT(*)')} FROM {lines} WHERE month IN ({marks}) "
                "GROUP BY month, kind, salesperson_id, region_id, category_id",
                chunk,
            )
            written += cursor.rowcount
            cursor.execute(
                f"INSERT INTO {region} (month, kind, region_id, category_id, {_MEASURES}) "  # noqa: S608
                f"SELECT month, kind, region_id, category_id, {_SUMS.format(count='SUM(lines)')} "
                f"FROM {person} WHERE month IN ({marks}) "
                "GROUP BY month, kind, region_id, category_id",
                chunk,
            )
            written += cursor.rowcount
    return written


def rebuild_all() -> int:
    months = SalesLine.objects.values_list("month", flat=True).distinct()
    return rebuild_months(list(months))
