"""Set-based import of sales lines (H1, R12, R13).

1. Read the file (CSV in any of our encodings, or XLSX) and map its headers to fields.
2. Validate each row in Python against in-memory lookups; a bad row becomes an error with its
   line number, column (as written in the file) and reason; good rows become tuples.
3. Write the tuples into a temporary staging table (``executemany`` on SQLite, ``COPY`` on
   PostgreSQL), count new / changed / unchanged lines against the ledger in one join, and
   upsert on the natural key ``line_key`` in one statement that only touches changed rows.
4. Rebuild the rollups of the months whose lines were created or changed, and write one audit
   entry — all in one transaction, so a crash leaves nothing half-written and a re-run gives
   the same final state.

The natural key is the mapped ``line_id``, else ``document#line_no``. Lines sharing a document
and product are distinct lines unless they share that key.
"""

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.errors import ValidationFailed
from salescope.ledger import rollups
from salescope.ledger.choices import LineKind
from salescope.ledger.importing.fields import SALES_LINE_FIELDS, guess_mapping, normalize_header
from salescope.ledger.importing.parse import CellError, DateParser, is_blank, scaled
from salescope.ledger.importing.readers import read_table
from salescope.ledger.importing.resolver import Resolver
from salescope.ledger.models import SalesLine
from salescope.ledger.permissions import IMPORT_RUN
from salescope.org.permissions import require

BATCH = 20_000
LOCK_KEY = 40_424_201  # PostgreSQL advisory lock: one sales-line writer at a time

STAGE_COLUMNS = (
    "line_key",
    "line_id",
    "document",
    "line_no",
    "date",
    "month",
    "kind",
    "customer_id",
    "product_id",
    "brand_id",
    "category_id",
    "salesperson_id",
    "region_id",
    "channel",
    "sale_location",
    "quantity_milli",
    "unit_price_fen",
    "amount_fen",
    "cost_fen",
    "gross_profit_fen",
    "discount_fen",
    "cross_territory",
)
_PG_TYPES = {
    "line_no": "integer",
    "date": "date",
    "month": "date",
    "cross_territory": "boolean",
    "line_key": "varchar(140)",
    "line_id": "varchar(80)",
    "document": "varchar(80)",
    "kind": "varchar(14)",
    "channel": "varchar(40)",
    "sale_location": "varchar(60)",
}

KIND_WORDS = {
    normalize_header(word): kind
    for kind, words in {
        LineKind.SELL_IN: ("sell_in", "sell-in", "sellin", "进货", "出库", "发货", "销售", "SI"),
        LineKind.SELL_THROUGH: (
            "sell_through",
            "sell-through",
            "sellthrough",
            "sell out",
            "sellout",
            "流向",
            "动销",
            "纯销",
            "分销",
            "ST",
        ),
    }.items()
    for word in words
}


@dataclass
class ImportOptions:
    mapping: dict[str, str] = field(default_factory=dict)  # source header → field
    create_missing: bool = False
    dry_run: bool = False
    date_format: str = "auto"


@dataclass
class ImportResult:
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rounded: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    created_customers: int = 0
    created_products: int = 0
    months: list[str] = field(default_factory=list)
    dry_run: bool = False
    encoding: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # time per phase, for operators

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rounded": self.rounded,
            "errors": self.errors,
            "created_customers": self.created_customers,
            "created_products": self.created_products,
            "months": self.months,
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "mapping": self.mapping,
            "seconds": self.seconds,
        }


class RowError(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        self.field_name = field_name
        self.reason = reason


def resolve_mapping(headers: list[str], explicit: dict[str, str]) -> dict[str, str]:
    """The guessed mapping with the explicit ``--map`` entries laid over it."""
    unknown = [source for source in explicit if source not in headers]
    if unknown:
        raise ValidationFailed(
            _("These mapped columns are not in the file: %(cols)s") % {"cols": ", ".join(unknown)},
            fields={"map": [", ".join(unknown)]},
        )
    mapping = {s: f for s, f in guess_mapping(headers).items() if f not in explicit.values()}
    mapping.update(explicit)
    return mapping


def check_required(mapping: dict[str, str]) -> None:
    fields = set(mapping.values())
    missing = []
    if "date" not in fields:
        missing.append("date")
    if not fields & {"customer_code", "customer_name"}:
        missing.append("customer_code")
    if not fields & {"product_sku", "product_name"}:
        missing.append("product_sku")
    if "quantity" not in fields:
        missing.append("quantity")
    if not fields & {"amount", "unit_price"}:
        missing.append("amount")
    if "line_id" not in fields and not {"document", "line_no"} <= fields:
        missing.append("line_id")
    if missing:
        raise ValidationFailed(
            _("Required columns are missing: %(fields)s") % {"fields": ", ".join(missing)},
            fields={name: [_("No column is mapped to this field.")] for name in missing},
        )


_LIMITS = {
    "line_id": 80,
    "document": 80,
    "customer_code": 40,
    "customer_name": 200,
    "product_sku": 60,
    "product_name": 200,
    "brand": 100,
    "category": 100,
    "subcategory": 100,
    "salesperson": 150,
    "region": 100,
    "kind": 40,
    "channel": 40,
    "sale_location": 60,
}


def _fen(raw: Any) -> tuple[int, bool]:
    """Money to fen, with a fast path for plain ``123`` / ``123.4`` / ``123.45`` text."""
    if raw.__class__ is str:
        whole, dot, frac = raw.strip().partition(".")
        if whole.isdigit() and (not dot or (frac.isdigit() and len(frac) <= 2)):
            return int(whole) * 100 + (int(frac.ljust(2, "0")) if dot else 0), False
    return scaled(raw, 2)


def _milli(raw: Any) -> tuple[int, bool]:
    if raw.__class__ is str:
        text = raw.strip()
        if text.isdigit():
            return int(text) * 1000, False
    elif raw.__class__ is int:
        return raw * 1000, False
    return scaled(raw, 3)


class RowValidator:
    """Turns one row of cells into a staging tuple or raises :class:`RowError`.

    Written as one flat pass with per-value caches: it runs a million times per file."""

    def __init__(self, mapping: dict[str, str], headers: list[str], options: ImportOptions):
        width = len(headers)
        self.width = width
        # Absent fields point one past the row, where a ``None`` is appended to every row.
        self.at = dict.fromkeys(SALES_LINE_FIELDS, width)
        self.at.update({f: headers.index(src) for src, f in mapping.items()})
        self.mapped = set(mapping.values())
        self.text_fields = [(n, self.at[n], lim) for n, lim in _LIMITS.items() if n in self.mapped]
        self.blank = dict.fromkeys(_LIMITS, "")
        self.options = options
        self.dates = DateParser(options.date_format)
        self.resolver = Resolver()
        self.rounded = 0
        self._date_cache: dict[Any, tuple[str, str]] = {}
        self._people: dict[str, int | None] = {}
        self._regions: dict[str, int | None] = {}
        self._kinds: dict[str, str | None] = {}
        self._fen_cache: dict[Any, tuple[int, bool]] = {}

    def _texts(self, row: list[Any]) -> dict[str, str]:
        texts = self.blank.copy()
        for name, position, limit in self.text_fields:
            value = row[position]
            if value is None:
                continue
            text = value.strip() if value.__class__ is str else str(value).strip()
            if len(text) > limit:
                raise RowError(name, _("longer than %d characters") % limit)
            texts[name] = text
        return texts

    def _money(self, row: list[Any], name: str) -> int | None:
        raw = row[self.at[name]]
        if raw is None or raw == "" or (raw.__class__ is str and raw.isspace()):
            return None
        cache = self._fen_cache
        try:
            fen, rounded = cache[raw]
        except (KeyError, TypeError):
            try:
                fen, rounded = _fen(raw)
            except CellError as exc:
                raise RowError(name, str(exc)) from None
            if len(cache) > 200_000:
                cache.clear()
            with contextlib.suppress(TypeError):
                cache[raw] = (fen, rounded)
        if rounded:
            self.row_rounded = True
        return fen

    def _key(self, row: list[Any], t: dict[str, str]) -> tuple[str, int | None]:
        raw_no = row[self.at["line_no"]]
        line_no = None
        if not is_blank(raw_no):
            if raw_no.__class__ is str and raw_no.strip().isdigit():
                line_no = int(raw_no)
            else:
                try:
                    line_no, rounded = scaled(raw_no, 0)
                except CellError:
                    raise RowError("line_no", _("not a whole number")) from None
                if rounded:
                    raise RowError("line_no", _("not a whole number"))
        if t["line_id"]:
            return t["line_id"], line_no
        if t["document"] and line_no is not None:
            return f"{t['document']}#{line_no}", line_no
        raise RowError("line_id", _("no line id and no document with a line number"))

    def _date(self, raw: Any) -> tuple[str, str]:
        try:
            return self._date_cache[raw]
        except (KeyError, TypeError):
            pass
        try:
            iso = self.dates(raw).isoformat()
        except CellError as exc:
            raise RowError("date", str(exc)) from None
        value = (iso, iso[:8] + "01")
        with contextlib.suppress(TypeError):
            self._date_cache[raw] = value
        return value

    def _salesperson(self, name: str) -> int | None:
        if name not in self._people:
            users = self.resolver.user_by_name
            self._people[name] = users.get(name.lower()) or users.get(name)
        found = self._people[name]
        if found is None:
            raise RowError("salesperson", _("unknown salesperson"))
        return found

    def _region(self, name: str) -> int:
        if name not in self._regions:
            self._regions[name] = self.resolver.region_by_name.get(normalize_header(name))
        found = self._regions[name]
        if found is None:
            raise RowError("region", _("unknown region"))
        return found

    def _kind(self, text: str) -> str:
        if not text:
            return LineKind.SELL_IN.value
        if text not in self._kinds:
            kind = KIND_WORDS.get(normalize_header(text))
            self._kinds[text] = None if kind is None else str(kind)
        found = self._kinds[text]
        if found is None:
            raise RowError("kind", _("unknown kind (use sell_in or sell_through)"))
        return found

    def __call__(self, row: list[Any]) -> tuple:
        if len(row) < self.width:
            row = [*row, *([None] * (self.width - len(row)))]
        row.append(None)
        self.row_rounded = False
        t = self._texts(row)
        key, line_no = self._key(row, t)
        iso, month = self._date(row[self.at["date"]])
        customer_id, product_id = self._parties(t)
        quantity, amount, unit_price, cost, profit = self._amounts(row, product_id)
        salesperson_id = (
            self._salesperson(t["salesperson"])
            if t["salesperson"]
            else self.resolver.customer_owner.get(customer_id)
        )
        if t["region"]:
            region_id = self._region(t["region"])
        else:
            region_id = self.resolver.user_region.get(salesperson_id) if salesperson_id else None
        kind = self._kind(t["kind"])
        location = t["sale_location"]
        cross = bool(
            kind == "sell_through"
            and location
            and self.resolver.outside_area(customer_id, location)
        )
        if self.row_rounded:
            self.rounded += 1
        brand_id, category_id, _cost = self.resolver.product_info[product_id]
        return (
            key,
            t["line_id"],
            t["document"],
            line_no,
            iso,
            month,
            kind,
            customer_id,
            product_id,
            brand_id,
            category_id,
            salesperson_id,
            region_id,
            t["channel"],
            location,
            quantity,
            unit_price,
            amount,
            cost,
            profit,
            self._money(row, "discount") or 0,
            cross,
        )

    def _parties(self, t: dict[str, str]) -> tuple[int, int]:
        resolver, create = self.resolver, self.options.create_missing
        code = t["customer_code"]
        customer_id = resolver.customer_by_code.get(code) if code else None
        if customer_id is None:
            customer_id = resolver.customer(code, t["customer_name"], create)
        if customer_id is None:
            column = "customer_code" if code or "customer_code" in self.mapped else "customer_name"
            raise RowError(column, _("unknown customer"))
        sku = t["product_sku"]
        product_id = resolver.product_by_sku.get(sku) if sku else None
        if product_id is None:
            product_id = resolver.product(
                sku, t["product_name"], t["brand"], t["category"], t["subcategory"], create
            )
        if product_id is None:
            column = "product_sku" if sku or "product_sku" in self.mapped else "product_name"
            raise RowError(column, _("unknown product"))
        return customer_id, product_id

    def _amounts(self, row: list[Any], product_id: int) -> tuple[int, int, int, int, int]:
        raw_qty = row[self.at["quantity"]]
        if is_blank(raw_qty):
            raise RowError("quantity", _("quantity is missing"))
        try:
            quantity, q_rounded = _milli(raw_qty)
        except CellError as exc:
            raise RowError("quantity", str(exc)) from None
        if quantity < 0:
            raise RowError("quantity", _("negative quantity"))
        self.row_rounded |= q_rounded
        unit_price = self._money(row, "unit_price")
        amount = self._money(row, "amount")
        if amount is None:
            if unit_price is None:
                raise RowError("amount", _("amount is missing"))
            exact = unit_price * quantity
            amount = (exact + 500) // 1000
            self.row_rounded |= exact % 1000 != 0
        if amount < 0:
            raise RowError("amount", _("negative amount"))
        if unit_price is None:
            unit_price = (amount * 1000 + quantity // 2) // quantity if quantity else 0
        cost = self._money(row, "cost")
        profit = self._money(row, "gross_profit")
        if cost is None:
            if profit is not None:
                cost = amount - profit
            else:
                unit_cost = self.resolver.product_info[product_id][2]
                cost = (unit_cost * quantity + 500) // 1000
        if profit is None:
            profit = amount - cost
        return quantity, amount, unit_price, cost, profit


class Stage:
    """A temporary staging table on this connection, written in batches."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.name = "ledger_stage"

    def create(self) -> None:
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                columns = ", ".join(f"{c} {_PG_TYPES.get(c, 'bigint')}" for c in STAGE_COLUMNS)
                cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
                cursor.execute(f"CREATE TEMP TABLE {self.name} ({columns}) ON COMMIT DROP")
            else:
                # The import gets a larger page cache (DESIGN.md): 256 MB for this connection.
                cursor.execute("PRAGMA cache_size = -262144")
                cursor.execute(f"DROP TABLE IF EXISTS temp.{self.name}")
                cursor.execute(f"CREATE TEMP TABLE {self.name} ({', '.join(STAGE_COLUMNS)})")

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor  # psycopg 3 cursor: COPY is the fast path
                with raw.copy(f"COPY {self.name} ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(STAGE_COLUMNS))
                cursor.connection.executemany(
                    f"INSERT INTO {self.name} VALUES ({marks})",  # noqa: S608
                    rows,
                )

    def drop(self) -> None:
        if self.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS temp.{self.name}")


_DATA_COLUMNS = [c for c in STAGE_COLUMNS if c != "line_key"]


def _changed(left: str, right: str) -> str:
    return (
        "(" + " OR ".join(f"{left}.{c} IS DISTINCT FROM {right}.{c}" for c in _DATA_COLUMNS) + ")"
    )


def merge_stage(stage: Stage) -> tuple[int, int, int, set[dt.date]]:
    """Count and upsert the staged lines; returns created, updated, unchanged, touched months."""
    lines = SalesLine._meta.db_table
    created = updated = unchanged = 0
    months: set[Any] = set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.month, l.month, CASE WHEN l.id IS NULL THEN 'n' "  # noqa: S608
            f"WHEN {_changed('l', 's')} THEN 'u' ELSE 's' END AS state, COUNT(*) "
            f"FROM {stage.name} s LEFT JOIN {lines} l ON l.line_key = s.line_key "
            "GROUP BY s.month, l.month, state"
        )
        for new_month, old_month, state, count in cursor.fetchall():
            if state == "n":
                created += count
                months.add(new_month)
            elif state == "u":
                updated += count
                months.update([new_month, old_month])
            else:
                unchanged += count
        if created or updated:
            columns = ", ".join(STAGE_COLUMNS)
            assignments = ", ".join(f"{c} = excluded.{c}" for c in _DATA_COLUMNS)
            cursor.execute(
                f"INSERT INTO {lines} ({columns}) SELECT {columns} FROM {stage.name} "  # noqa: S608
                f"WHERE true ORDER BY line_key ON CONFLICT (line_key) DO UPDATE SET {assignments} "
                f"WHERE {_changed(lines, 'excluded')}"
            )
    return created, updated, unchanged, {_as_date(m) for m in months}


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def lock_writers() -> None:
    """Serialise sales-line writers on PostgreSQL (SQLite's IMMEDIATE transactions already do)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


Progress = Callable[[int, int], None]


def import_sales_lines(
    *,
    actor: Any,
    path: Path | str,
    options: ImportOptions,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Import a sales-line file; one transaction, one audit entry. See the module docstring."""
    require(actor, IMPORT_RUN.code)
    table = read_table(path)
    mapping = resolve_mapping(table.headers, options.mapping)
    check_required(mapping)
    result = ImportResult(dry_run=options.dry_run, encoding=table.encoding, mapping=mapping)
    header_of = {f: src for src, f in mapping.items()}
    clock = time.perf_counter()
    staging = 0.0
    with audit_source(AuditSource.IMPORT), transaction.atomic():
        lock_writers()
        validator = RowValidator(mapping, table.headers, options)
        stage = Stage()
        stage.create()
        seen: dict[str, int] = {}
        batch: list[tuple] = []
        processed = 0
        for line, row in table.rows:
            processed += 1
            try:
                values = validator(row)
                first = seen.get(values[0])
                if first is not None:
                    raise RowError(
                        "line_id" if "line_id" in header_of else "line_no",
                        _("duplicate of line %d") % first,
                    )
            except RowError as exc:
                result.errors.append(
                    {
                        "line": line,
                        "column": header_of.get(exc.field_name, exc.field_name),
                        "reason": exc.reason,
                    }
                )
                continue
            seen[values[0]] = line
            batch.append(values)
            if len(batch) >= BATCH:
                started = time.perf_counter()
                stage.write(batch)
                staging += time.perf_counter() - started
                batch = []
                if progress:
                    progress(processed, table.total_rows)
        started = time.perf_counter()
        stage.write(batch)
        staging += time.perf_counter() - started
        result.seconds["read_and_validate"] = round(time.perf_counter() - clock - staging, 3)
        result.seconds["stage"] = round(staging, 3)
        if progress:
            progress(processed, max(processed, table.total_rows))
        started = time.perf_counter()
        created, updated, unchanged, months = merge_stage(stage)
        result.seconds["merge"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        if months:
            rollups.rebuild_months(months)
        result.seconds["rollups"] = round(time.perf_counter() - started, 3)
        stage.drop()
        result.accepted = len(seen)
        result.rejected = len(result.errors)
        result.created, result.updated, result.unchanged = created, updated, unchanged
        result.rounded = validator.rounded
        result.created_customers = validator.resolver.created_customers
        result.created_products = validator.resolver.created_products
        result.months = sorted(m.strftime("%Y-%m") for m in months)
        counts = {k: v for k, v in result.as_dict().items() if k not in {"errors", "mapping"}}
        if options.dry_run:
            transaction.set_rollback(True)
        else:
            audit.record(
                actor=actor,
                action="ledger.sales_lines.imported",
                obj=job,
                object_type="" if job else "ledger.salesline",
                object_repr=Path(path).name,
                changes=counts,
            )
    return result
