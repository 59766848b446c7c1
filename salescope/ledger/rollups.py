"""Rollups at the report and target grains, kept equal to the sum of the lines they summarise.

``salesrollup``: month × kind × salesperson × region × category, from the lines.
``regionrollup``: month × kind × region × category, from ``salesrollup`` (smaller still).
``personrollup``: month × kind × salesperson × region, from ``salesrollup`` (target tracking by
person).
``productrollup`` (month × kind × region × category × brand × product) and ``customerrollup``
(month × kind × salesperson × region × customer × channel): the explorer's grains
(``ledger.explorer``); ``brandrollup`` (month × kind × region × category × brand): the product
rollup without the product, derived from it; ``pairrollup``: year × kind × salesperson ×
product × customer (the explorer ranks product × customer pairs from it); ``unitrollup``:
month × kind × unit × region × category, ``salesrollup`` with each person replaced by the unit
they are in now (``_derive_units``: for the months ``salesrollup`` changed, every month when
someone's unit changed since).

Three ways to keep them, all inside the caller's transaction:
- ``apply_delta``: add (new − old) of the lines a write created or changed to the rollup rows
  they fall in — what imports use, so a day's import costs what the day costs. The delta
  comes at the lines' full grain (``DELTA_KEYS``); the three small rollups' touched months
  are read, summed with it and written back, the explorer's three (too large to rewrite a month
  of for a day's lines) are moved row by row in SQL: only the rows the delta names; the brand
  rollup of the months moved is derived again from the product rollup;
- ``rebuild_months``: delete and re-aggregate whole months (bulk loads, demo load, repairs),
  and the whole years that hold them in the yearly pair rollup;
- ``write_new_months``: write months that have no rollup rows yet from the lines' sums, taken
  while the lines were written (a first load).
The tests check that all three give exactly what a full re-aggregation gives.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db import connection, transaction

from salescope.core.db import for_one_query
from salescope.ledger.frames import copy_frame, defer_indexes
from salescope.ledger.models import (
    BrandRollup,
    CustomerRollup,
    PairRollup,
    PersonRollup,
    ProductRollup,
    RegionRollup,
    SalesLine,
    SalesRollup,
    UnitRollup,
    UnitRollupState,
)
from salescope.org.models import User

_MEASURES = "amount_fen, quantity_milli, cost_fen, gross_profit_fen, lines"
_SUMS = "SUM(amount_fen), SUM(quantity_milli), SUM(cost_fen), SUM(gross_profit_fen), {count}"
_KEYS = ("month", "kind", "salesperson_id", "region_id", "category_id")
_MEASURE_LIST = ("amount_fen", "quantity_milli", "cost_fen", "gross_profit_fen", "lines")
# A delta's keys: the lines' full grain, every key some rollup holds.
DELTA_KEYS = (*_KEYS, "brand_id", "product_id", "customer_id", "channel")
# The coarser rollups and their keys, derived from ``salesrollup``'s five.
_COARSER = (
    (RegionRollup, ("month", "kind", "region_id", "category_id")),
    (PersonRollup, ("month", "kind", "salesperson_id", "region_id")),
)


def rebuild_months(months: Iterable[dt.date]) -> int:
    """Re-aggregate both rollups for ``months``; returns the number of rollup rows written."""
    months = sorted(set(months))
    if not months:
        return 0
    lines = SalesLine._meta.db_table
    person = SalesRollup._meta.db_table
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(months), 200):
            chunk = months[start : start + 200]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {person} WHERE month IN ({marks})", chunk)  # noqa: S608
            cursor.execute(
                f"INSERT INTO {person} (month, kind, salesperson_id, region_id, category_id, "  # noqa: S608
                f"{_MEASURES}) SELECT month, kind, salesperson_id, region_id, category_id, "
                f"{_SUMS.format(count='COUNT(*)')} FROM {lines} WHERE month IN ({marks}) "
                "GROUP BY month, kind, salesperson_id, region_id, category_id",
                chunk,
            )
            written += cursor.rowcount
            written += _derive_coarser(cursor, chunk)
            written += _rebuild_detail(cursor, chunk)
    return written


# The explorer's rollups and their keys, the first of which is the period: the month, or for
# the pair rollup the year (its 1 January, summed from the lines' months by ``_key_sql``).
_MONTHLY_EXPLORER = (
    (ProductRollup, ("month", "kind", "region_id", "category_id", "brand_id", "product_id")),
    (CustomerRollup, ("month", "kind", "salesperson_id", "region_id", "customer_id", "channel")),
)
_PAIRS = (PairRollup, ("year", "kind", "salesperson_id", "product_id", "customer_id"))
_EXPLORER = (*_MONTHLY_EXPLORER, _PAIRS)
# The brand rollup: the product rollup's keys but the product, summed from its rows.
_BRANDS = (BrandRollup, ("month", "kind", "region_id", "category_id", "brand_id"))
EXPLORER_ROLLUPS = (ProductRollup, BrandRollup, CustomerRollup, PairRollup)


def _key_sql(name: str) -> str:
    """The SQL giving a rollup's key ``name`` from rows of the lines' grain (the lines, or a
    delta): the column itself, or for ``year`` the 1 January of the row's month."""
    if name != "year":
        return name
    if connection.vendor == "postgresql":
        return "CAST(date_trunc('year', month) AS date)"
    return "date(month, 'start of year')"


def _years(months: Iterable[dt.date]) -> list[dt.date]:
    return sorted({as_date(m).replace(month=1, day=1) for m in months})


def rebuild_detail_months(months: Iterable[dt.date]) -> int:
    """Re-aggregate the explorer's rollups for ``months`` from the lines (set-based: one
    ``INSERT … SELECT … GROUP BY`` per rollup and chunk of months); returns the rows written."""
    months = sorted({as_date(m) for m in months})
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(months), 200):
            written += _rebuild_detail(cursor, months[start : start + 200])
    return written


def _rebuild_detail(cursor, months: list[dt.date]) -> int:
    marks = ", ".join(["%s"] * len(months))
    written = 0
    for model, names in _MONTHLY_EXPLORER:
        table, columns = model._meta.db_table, ", ".join(names)
        cursor.execute(f"DELETE FROM {table} WHERE month IN ({marks})", months)  # noqa: S608
        # In the order of the rollup's (month, key) index: a month's rows stay together, so
        # an import that moves them reads and dirties that month's pages only (migration
        # 0014: these tables keep room on their pages for updates in place).
        order = ", ".join(_ORDER[model])
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {_MEASURES}) "  # noqa: S608
            f"SELECT {columns}, {_SUMS.format(count='COUNT(*)')} "
            f"FROM {SalesLine._meta.db_table} WHERE month IN ({marks}) GROUP BY {columns} "
            f"ORDER BY {order}",
            months,
        )
        written += cursor.rowcount
    written += _derive_brands(cursor, months)
    return written + _rebuild_pairs(cursor, months)


def _rebuild_pairs(cursor, months: list[dt.date]) -> int:
    """Re-aggregate the pair rollup's years that hold ``months``, each from all its lines (a
    year's rows cannot be told apart by month): a repair or a bulk load pays for the whole
    years it touches (at 10M lines, ~5M lines a year)."""
    model, names = _PAIRS
    table, columns = model._meta.db_table, ", ".join(names)
    keys = ", ".join(_key_sql(n) for n in names)
    written = 0
    for year in _years(months):
        cursor.execute(f"DELETE FROM {table} WHERE year = %s", [year])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {_MEASURES}) "  # noqa: S608
            f"SELECT {keys}, {_SUMS.format(count='COUNT(*)')} "
            f"FROM {SalesLine._meta.db_table} WHERE month >= %s AND month < %s "
            f"GROUP BY {keys} ORDER BY {', '.join(_key_sql(n) for n in _ORDER[model])}",
            [year, year.replace(year=year.year + 1)],
        )
        written += cursor.rowcount
    return written


def _derive(cursor, source, grains, months: list[dt.date], *, hashed: bool = False) -> int:
    """Replace the rows of ``months`` of each rollup of ``grains`` (model, keys) by the sums of
    the ``source`` rollup's rows there: work in proportion to the source's months, never the
    lines'. ``hashed``: grouped by hashing on PostgreSQL, where the planner expects a group per
    few rows (the keys' distinct values multiplied) and sorts them all, on disk."""
    if not months:  # (PostgreSQL refuses "IN ()": a first load whose every line was refused)
        return 0
    marks = ", ".join(["%s"] * len(months))
    written = 0
    for model, names in grains:
        table, keys = model._meta.db_table, ", ".join(names)
        cursor.execute(f"DELETE FROM {table} WHERE month IN ({marks})", months)  # noqa: S608
        with for_one_query(**({"enable_sort": "off"} if hashed else {})):
            cursor.execute(
                f"INSERT INTO {table} ({keys}, {_MEASURES}) "  # noqa: S608
                f"SELECT {keys}, {_SUMS.format(count='SUM(lines)')} "
                f"FROM {source._meta.db_table} WHERE month IN ({marks}) GROUP BY {keys}",
                months,
            )
            written += cursor.rowcount
    return written


def _derive_coarser(cursor, months: list[dt.date]) -> int:
    """The region and the salesperson × month rollups of ``months`` (at most a few hundred),
    summed from the month × salesperson × region × category rollup; and the unit rollup."""
    return _derive(cursor, SalesRollup, _COARSER, months) + _derive_units(cursor, months)


_UNIT_KEYS = ("month", "kind", "unit_id", "region_id", "category_id")


def people_units() -> tuple[list[tuple[int, int]], str]:
    """Every person's unit now (of the people in one), and the fingerprint of the whole
    mapping, people without a unit included: what the unit rollup is derived under."""
    # visibility: the system derives a rollup from everyone's unit (ids only)
    rows = list(User.objects.unrestricted().order_by("pk").values_list("pk", "unit_id"))
    return [(p, u) for p, u in rows if u is not None], mapping_fingerprint(rows)


def unit_rollup_current() -> bool:
    """Whether the unit rollup was derived under the mapping of people to units of now: its
    stored fingerprint is the current mapping's. One query (the state's fingerprint beside
    every person's unit): a pivot asks it, ~1.5 ms of CPU for 500 people."""
    people, state = User._meta.db_table, UnitRollupState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT fingerprint FROM {state} WHERE id = 1), id, unit_id "  # noqa: S608
            f"FROM {people} ORDER BY id"
        )
        rows = cursor.fetchall()
    return bool(rows) and rows[0][0] == mapping_fingerprint(row[1:] for row in rows)


def mapping_fingerprint(rows: Iterable[tuple[int, int | None]]) -> str:
    """The fingerprint of (person, unit or ``None``) pairs in the order of the people's ids."""
    text = ";".join(f"{person}:{'' if unit is None else unit}" for person, unit in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def _derive_units(cursor, months: list[dt.date] | None) -> int:
    """The unit rollup of ``months`` (``None``: all), summed from ``salesrollup`` with each
    person mapped to their unit now; of every month when the mapping it was derived under
    (``UnitRollupState``) is not today's, and then the new mapping's fingerprint kept. Every
    writer of the unit rollup comes here and waits for the state's row (PostgreSQL: ``FOR
    UPDATE``): an import and a derivation after a move do not interleave their months."""
    UnitRollupState.objects.get_or_create(pk=1)
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    state = UnitRollupState._meta.db_table
    cursor.execute(f"SELECT fingerprint FROM {state} WHERE id = 1{lock}")  # noqa: S608
    (stored,) = cursor.fetchone()
    mapping, current = people_units()
    if stored != current:
        months = None
    elif months is not None and not months:
        return 0
    table, source = UnitRollup._meta.db_table, SalesRollup._meta.db_table
    if mapping:
        pairs = ", ".join(f"({int(person)}, {int(unit)})" for person, unit in mapping)
        unit, join = "u.column2", f"LEFT JOIN (VALUES {pairs}) u ON u.column1 = s.salesperson_id"
    else:
        unit, join = "CAST(NULL AS BIGINT)", ""
    keys = f"s.month, s.kind, {unit}, s.region_id, s.category_id"
    sums = ", ".join(f"SUM(s.{m})" for m in _MEASURE_LIST)
    written = 0
    chunks: list[list[dt.date] | None] = [None]
    if months is not None:
        chunks = [months[i : i + 200] for i in range(0, len(months), 200)]
    for chunk in chunks:
        params: list[dt.date] = list(chunk or [])
        where = "" if chunk is None else f" WHERE month IN ({', '.join(['%s'] * len(params))})"
        cursor.execute(f"DELETE FROM {table}{where}", params)  # noqa: S608
        # Hashed on PostgreSQL: the planner expects a group per row (as ``_derive``'s brands).
        with for_one_query(enable_sort="off"):
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(_UNIT_KEYS)}, {_MEASURES}) "  # noqa: S608
                f"SELECT {keys}, {sums} FROM {source} s {join}"
                f"{where.replace('month', 's.month')} GROUP BY {keys}",
                params,
            )
            written += cursor.rowcount
    if stored != current:
        cursor.execute(f"UPDATE {state} SET fingerprint = %s WHERE id = 1", [current])  # noqa: S608
    return written


def derive_unit_rollup() -> int:
    """The unit rollup of every month again, if someone's unit changed since it was derived
    (after a move: ``ledger.tasks.derive_unit_rollup``); returns the rows written (0: it was
    current)."""
    with connection.cursor() as cursor:
        return _derive_units(cursor, [])


def _derive_brands(cursor, months: list[dt.date]) -> int:
    """The brand rollup of ``months``, summed from the product rollup (at 10M lines ~18k rows a
    month). Hashed: two months' 36k rows to 384 took 58 → 16 ms, all 24 months' 438k rows
    856 → 289 ms (EXPLAIN ANALYZE, bench_explorer's 10M lines)."""
    return _derive(cursor, ProductRollup, (_BRANDS,), months, hashed=True)


def refresh_coarser(months: Iterable[dt.date] | None = None) -> int:
    """Derive the region and salesperson × month rollups again from ``salesrollup``, and the
    brand rollup from the product rollup (all the months each holds by default): for repairs,
    and for tests that write ``salesrollup`` rows directly."""
    written = 0
    asked = None if months is None else {as_date(m) for m in months}  # (an iterator: read once)
    derived = (
        (SalesRollup, _derive_coarser, (UnitRollup,)),
        (ProductRollup, _derive_brands, (BrandRollup,)),
    )
    for source, derive, targets in derived:
        chosen = sorted(asked or set())
        if months is None:  # the source's months, and those its derived rows still hold
            for model in (source, *targets):
                held = model.objects.unrestricted().values_list("month", flat=True).distinct()
                chosen = sorted({*chosen, *(as_date(m) for m in held)})
        with connection.cursor() as cursor:
            for start in range(0, len(chosen), 200):
                written += derive(cursor, chosen[start : start + 200])
    return written


def rebuild_all(months: Iterable[dt.date] = ()) -> int:
    """Re-aggregate every rollup for ``months`` (all months holding lines by default)."""
    if not months:
        months = SalesLine.objects.unrestricted().values_list("month", flat=True).distinct()
    return rebuild_months(list(months))


def _sums_sql(measures=None, *, named: bool = False) -> str:
    return ", ".join(
        f"CAST(SUM({m}) AS BIGINT)" + (f" AS {m}" if named else "")
        for m in (measures or _MEASURE_LIST)
    )


def _delta_months(table: str) -> list[dt.date]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT month FROM {table}")  # noqa: S608
        return sorted({as_date(month) for (month,) in cursor.fetchall()})


def apply_delta(table: str) -> set[dt.date]:
    """Move every rollup by the delta held in the temporary table ``table``: rows of
    ``DELTA_KEYS`` (``month`` a date, or ISO text on SQLite), the four measures and ``lines``,
    any number of rows per key, negated for the old state of a changed line. Returns the
    months touched.

    The delta is summed by the database, never read whole into this process: it is about as
    long as the import's file (the lines' full grain barely compresses), and a 200 MB file's
    delta held here took hundreds of MB (issue 20). Only its sums at ``salesrollup``'s grain
    are read (as many rows as that rollup has in the touched months, whatever the file's
    size).

    The three small rollups: the touched months' ``salesrollup`` rows are read, summed with
    the delta per key and written back (keys whose lines all moved away drop out), with the
    coarser rollups of those months derived from them: work in proportion to the rollup (tens
    of thousands of rows a month), not the lines (about a million a month at 10M). The sums
    are polars', not the database's: a day's import into a 10M-line ledger moved its month in
    0.41 s in SQL, 0.26 s so. The explorer's rollups: see ``_move_explorer``."""
    months = _delta_months(table)
    if not months:
        return set()
    measures = list(_MEASURE_LIST)
    keys = ", ".join(_KEYS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {keys}, {_sums_sql()} FROM {table} GROUP BY {keys}"  # noqa: S608
        )
        coarse = frame_of_rows(cursor.fetchall(), [*_KEYS, *measures])
    for start in range(0, len(months), _MONTHS_PER_PASS):
        chunk = [m.isoformat() for m in months[start : start + _MONTHS_PER_PASS]]
        merged = (
            pl.concat([_read(chunk), coarse.filter(pl.col("month").is_in(chunk))])
            .group_by(_KEYS)
            .agg(pl.col(measures).sum())
            .filter(pl.col("lines") != 0)
        )
        marks = ", ".join(["%s"] * len(chunk))
        for model, names, rows in _each_rollup(merged):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE month IN ({marks})",  # noqa: S608
                    chunk,
                )
            _write_rows(model, names, rows)
    with connection.cursor() as cursor:
        _derive_units(cursor, months)
    _move_explorer(table, months=months)
    return set(months)


# The explorer rollups' keys that may be null (matched as equal when both are).
_NULLABLE = {"salesperson_id", "region_id", "category_id", "brand_id"}
MOVES_TABLE = "ledger_rollup_moves"


def _move_explorer(delta: str, grains=_EXPLORER, months: Iterable[dt.date] | None = None) -> None:
    """Move the explorer's rollups by the delta in the table ``delta`` (``DELTA_KEYS``; its
    ``months``, read from it when not given), in SQL: the delta summed to each rollup's keys
    (keys it leaves unchanged dropped), in the order of the rollup's (month, customer) or
    (month, product) index — the pair rollup's (year, customer) — finds its key's row through
    that index once; rows left with no lines are deleted, the others updated, and keys without
    a row inserted. A day's 100k lines into a 10M-line ledger touch about as many rollup rows,
    where re-aggregating their months read a fifth of the ledger. On PostgreSQL one ``MERGE``
    a rollup (``_merge_moves``), on SQLite the keys staged with their row's id first
    (``_stage_moves``). Each of the three steps used to find its rows by the key again
    (bench_ledger ``--statements``, 10M lines, realistic daily import: the three rollups' moves
    took 8.4 s of the database's CPU, the pair rollup's ``INSERT … WHERE NOT EXISTS`` alone
    3.95 s; 4.4 s staged with the ids, 1.7 s merged)."""
    measures = list(_MEASURE_LIST)
    unchanged = " OR ".join(f"SUM({m}) <> 0" for m in measures)
    postgres = connection.vendor == "postgresql"
    months = _delta_months(delta) if months is None else sorted({as_date(m) for m in months})
    for model, names in grains:
        table, period = model._meta.db_table, names[0]
        periods: list = _years(months) if period == "year" else months
        if not periods:
            continue
        if not postgres:
            periods = [p.isoformat() for p in periods]  # (stored as ISO text there)
        keys = ", ".join(_key_sql(n) for n in names)
        named = ", ".join(f"{_key_sql(n)} AS {n}" for n in names)
        same = "IS NOT DISTINCT FROM" if postgres else "IS"
        match = " AND ".join(
            f"r.{c} {same} d.{c}" if c in _NULLABLE else f"r.{c} = d.{c}" for c in names
        )
        # And the rollup's rows of the delta's months only, said outright: else PostgreSQL
        # may hash the whole rollup for the join (3.3M customer rows at 10M lines: 13.9 s).
        # Not an index term on SQLite (``+``): without statistics (a new table's) it read
        # the rollup's rows of two years through it and scanned the delta for each (the
        # pair rollup, a day's 20k lines at 2M: not done in 10 minutes, 0.3 s so).
        plus = "" if postgres else "+"
        match += f" AND {plus}r.{period} IN ({', '.join(['%s'] * len(periods))})"
        summed = (
            f"SELECT {named}, {_sums_sql(named=True)} FROM {delta} "  # noqa: S608
            f"GROUP BY {keys} HAVING {unchanged} "
            f"ORDER BY {', '.join(_key_sql(n) for n in _ORDER[model])}"
        )
        if postgres and not _holds_periods(table, period, periods):
            # Every key new (a first load's year): inserted, with no row to look for.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(names)}, {_MEASURES}) {summed}"  # noqa: S608
                )
        elif postgres:
            _merge_moves(table, names, summed, match, periods)
        else:
            _stage_moves(table, names, summed, match, periods, model)
        if model is ProductRollup:
            with connection.cursor() as cursor:
                _derive_brands(cursor, months)


def _holds_periods(table: str, period: str, periods: list) -> bool:
    """Whether the rollup ``table`` has rows of any of ``periods`` (through its index)."""
    marks = ", ".join(["%s"] * len(periods))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {period} IN ({marks}))",  # noqa: S608
            periods,
        )
        return bool(cursor.fetchone()[0])


def _stage_moves(table: str, names: tuple[str, ...], summed: str, match: str, periods, model):
    """SQLite: the delta's sums ``summed`` staged with the id of their key's row in ``table``
    (``NULL``: none), then rows left with no lines deleted, the others updated by their id, and
    keys without a row inserted (in the order of the rollup's index)."""
    measures = list(_MEASURE_LIST)
    columns = ", ".join(names)
    found = f"SELECT d.*, (SELECT r.id FROM {table} r WHERE {match}) FROM ({summed}) d"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MOVES_TABLE}")
        cursor.execute(
            f"CREATE TEMP TABLE {MOVES_TABLE} ({', '.join((*names, *measures, 'row_id'))})"
        )
        cursor.execute(
            f"INSERT INTO {MOVES_TABLE} ({columns}, {_MEASURES}, row_id) {found}",  # noqa: S608
            periods,
        )
        if not cursor.rowcount:
            cursor.execute(f"DROP TABLE {MOVES_TABLE}")
            return
        # Only a key that lost lines can be left with none.
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT d.row_id FROM {MOVES_TABLE} d "  # noqa: S608
            f"JOIN {table} r ON r.id = d.row_id WHERE d.lines < 0 AND d.row_id IS NOT NULL "
            "AND r.lines + d.lines = 0)"
        )
        added = ", ".join(f"{m} = r.{m} + d.{m}" for m in measures)
        cursor.execute(
            f"UPDATE {table} AS r SET {added} FROM {MOVES_TABLE} d WHERE r.id = d.row_id"  # noqa: S608
        )
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {_MEASURES}) "  # noqa: S608
            f"SELECT {', '.join('d.' + c for c in (*names, *measures))} FROM {MOVES_TABLE} d "
            f"WHERE d.row_id IS NULL ORDER BY {', '.join('d.' + c for c in _ORDER[model])}"
        )
        cursor.execute(f"DROP TABLE {MOVES_TABLE}")


# How ``_merge_moves`` joins a delta's keys to a rollup's rows: by probing the rollup's index
# per key. Not by hashing or sorting the rollup's period (a day's keys against a year's rows),
# nor by scanning the rollup for each key: planned over an empty rollup (a first load's, with
# no statistics) each such scan read again every row the MERGE had inserted so far (the 10M-line
# bench's first load: its pair rollup's MERGE ran for over 9 minutes).
MERGE_PLAN = {"enable_hashjoin": "off", "enable_mergejoin": "off", "enable_seqscan": "off"}


def _merge_moves(table: str, names: tuple[str, ...], summed: str, match: str, periods) -> None:
    """PostgreSQL: move the rollup ``table`` (keys ``names``) by the delta's sums ``summed`` in
    one ``MERGE``: each key's row is found once through the rollup's (period, key) index, in
    the index's order, and updated (or deleted, left with no lines) where it was found; keys
    without a row are inserted. Staging each key with its row's id, then updating the rows by
    their ids through the primary key, read every moved row twice (bench_ledger
    ``--statements``, 10M lines, realistic daily import, the database's CPU: the pair rollup
    1.44 → 0.97 s, the customer rollup 0.93 → 0.66 s). Planned as ``MERGE_PLAN`` says."""
    measures = list(_MEASURE_LIST)
    added = ", ".join(f"{m} = r.{m} + d.{m}" for m in measures)
    columns = ", ".join((*names, *measures))
    values = ", ".join(f"d.{c}" for c in (*names, *measures))
    with (
        transaction.atomic(),  # (``for_one_query`` sets its settings inside a transaction)
        for_one_query(**MERGE_PLAN),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"MERGE INTO {table} r USING ({summed}) d ON {match} "  # noqa: S608
            "WHEN MATCHED AND d.lines < 0 AND r.lines + d.lines = 0 THEN DELETE "
            f"WHEN MATCHED THEN UPDATE SET {added} "
            f"WHEN NOT MATCHED THEN INSERT ({columns}) VALUES ({values})",
            periods,
        )


# Months read, merged and written back at a time: at 10M lines a month's rollup is ~25k rows.
_MONTHS_PER_PASS = 24


def _each_rollup(rows: pl.DataFrame):
    """(model, keys, rows) for the three rollups: ``rows`` at ``salesrollup``'s five keys,
    then summed to each coarser rollup's keys."""
    yield SalesRollup, _KEYS, rows
    for model, keys in _COARSER:
        yield model, keys, rows.group_by(keys).agg(pl.col(_MEASURE_LIST).sum())


def _write_rows(model, keys: tuple[str, ...], rows: pl.DataFrame) -> None:
    """Append ``rows`` to ``model``'s table in the order of its widest index (salesperson ×
    month, or month × customer / product), where it has one."""
    order = [k for k in _ORDER.get(model, ("salesperson_id", "month")) if k in keys]
    copy_frame(model._meta.db_table, rows.sort(order).select(*keys, *_MEASURE_LIST))


_ORDER = {
    CustomerRollup: ("month", "customer_id"),
    ProductRollup: ("month", "product_id"),
    PairRollup: ("year", "customer_id"),
}


def _with_text_months(frame: pl.DataFrame) -> pl.DataFrame:
    """``month`` as ISO text, whichever way it came (a date from PostgreSQL, text from SQLite
    and from staged frames)."""
    if frame.schema["month"] == pl.String:
        return frame
    return frame.with_columns(pl.col("month").cast(pl.Date).dt.strftime("%Y-%m-%d"))


def _read(months: list[str]) -> pl.DataFrame:
    """The ``salesrollup`` rows of ``months``, as a frame of the five keys and the measures."""
    columns = [*_KEYS, *_MEASURE_LIST]
    marks = ", ".join(["%s"] * len(months))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {SalesRollup._meta.db_table} "  # noqa: S608
            f"WHERE month IN ({marks})",
            months,
        )
        return frame_of_rows(cursor.fetchall(), columns)


def frame_of_rows(rows: list[tuple], columns: list[str]) -> pl.DataFrame:
    """Rollup rows fetched from the database (``month`` first, as a date or ISO text; ``kind``
    and ``channel`` text; ids and integer measures) as a frame with ``month`` as ISO text."""
    schema: dict[str, Any] = {
        c: pl.String if c in ("month", "kind", "channel") else pl.Int64 for c in columns
    }
    if rows and not isinstance(rows[0][0], str):
        schema["month"] = pl.Date
    return _with_text_months(pl.DataFrame(rows, schema=schema, orient="row"))


def write_new_months(table: str) -> set[dt.date] | None:
    """Write every rollup of months that hold no rollup rows yet, summed by the database from
    the temporary table ``table``: lines summed by ``DELTA_KEYS`` (a first load's lines, summed
    as they were written). Returns the months; or ``None``, writing nothing, when one of them
    already has rows (then the table is a delta for ``apply_delta``)."""
    months = _delta_months(table)
    every = (SalesRollup, RegionRollup, PersonRollup, ProductRollup, BrandRollup, CustomerRollup)
    if any(model.objects.unrestricted().filter(month__in=months).exists() for model in every):
        return None
    grains: list[tuple[Any, tuple[str, ...]]] = [
        (SalesRollup, _KEYS),
        *_COARSER,
        *_MONTHLY_EXPLORER,
    ]
    for model, keys in grains:
        table_name = model._meta.db_table
        # On SQLite, an empty table (a first load's) gets its indexes once afterwards (950k
        # lines' 277k rollup rows: 2.1 s → 0.9 s). Not on PostgreSQL: dropping an index locks
        # the table, and a report holding a rollup while it waits for the (locked) ledger
        # would deadlock with the import. There the rows go in the order of the salesperson
        # × month index (277k rows: 2.2 s → 1.8 s).
        deferred = []
        if connection.vendor == "sqlite" and not model.objects.unrestricted().exists():
            deferred = defer_indexes(table_name)
        order = ", ".join(k for k in _ORDER.get(model, ("salesperson_id", "month")) if k in keys)
        columns = ", ".join(keys)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table_name} ({columns}, {_MEASURES}) "  # noqa: S608
                f"SELECT {columns}, {_sums_sql()} FROM {table} GROUP BY {columns} "
                f"HAVING SUM(lines) <> 0 ORDER BY {order}"
            )
            for _name, statement in deferred:
                cursor.execute(statement)
    with connection.cursor() as cursor:
        _derive_brands(cursor, months)
        _derive_units(cursor, months)
    # A new month's year may hold rows already (the months before it): moved, not written.
    _move_explorer(table, (_PAIRS,), months)
    return set(months)


def as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
