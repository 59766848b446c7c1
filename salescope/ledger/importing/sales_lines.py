"""Set-based import of sales lines (H1, R12, R13).

1. Read the file (CSV in any of our encodings, or XLSX) and map its headers to fields; a
   plain CSV file is parsed by polars, in chunks (``importing/readers.py``).
2. Validate the rows in batches, column by column, in polars, against in-memory lookups
   (``importing/columns.py``); a bad row becomes an error with its line number, column (as
   written in the file) and reason; good rows stay a data frame.
3. Hand each batch to the ledger writer (``importing/merge.py``), which stages it
   (a multi-row ``INSERT`` on SQLite, ``COPY`` on PostgreSQL), finds its new and changed lines
   against the ledger in one join (none is needed when all its keys sort after the ledger's
   last one), inserts the new ones and updates the changed ones, on a thread of its own while
   the next batch is validated; the rollups move once at the end by the difference those
   lines made. Unchanged lines are not touched.
4. Write one audit entry — all in one transaction, so a crash leaves nothing half-written and
   a re-run gives the same final state.

The natural key is the mapped ``line_id``, else ``document#line_no``. Lines sharing a document
and product are distinct lines unless they share that key.
"""

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.errors import ValidationFailed
from salescope.core.importing.common import overlay_mapping
from salescope.core.importing.readers import read_table
from salescope.core.importing.signals import import_finished
from salescope.core.memory import cycle_collector_paused
from salescope.ledger.importing.columns import BatchValidator
from salescope.ledger.importing.fields import SALES_LINE_FIELDS, guess_mapping
from salescope.ledger.importing.merge import LineWriter
from salescope.ledger.importing.refused import RefusedLines
from salescope.ledger.importing.sightings import FirstSightings
from salescope.ledger.permissions import IMPORT_RUN
from salescope.org.permissions import require

BATCH = 50_000
# The first batch is smaller: the writer waits for it to be validated, and starts sooner on
# a small one while the rest of the file is validated beside it (a day's 100k lines: the
# writer started 0.35 s after the read began, now about 0.1 s).
FIRST_BATCH = 10_000
LOCK_KEY = 40_424_201  # PostgreSQL advisory lock: one sales-line writer at a time


@dataclass
class ImportOptions:
    mapping: dict[str, str] = field(default_factory=dict)  # source header → field
    create_missing: bool = False
    dry_run: bool = False
    date_format: str = "auto"
    complete_mapping: bool = False  # as in importing/common.py: columns left out are ignored


@dataclass
class ImportResult:
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rounded: int = 0
    # The first ``refused.KEPT`` refused lines, in line order; every one is in ``refused``.
    errors: list[dict[str, Any]] = field(default_factory=list)
    created_customers: int = 0
    created_products: int = 0
    created_regions: int = 0
    # Each distinct problem once ("unknown region 华东: 2,500 lines, first 2, 3, 5"); the
    # per-line list is ``errors`` (and the job's downloadable error file).
    problems: list[dict[str, Any]] = field(default_factory=list)
    discount_as_rate: bool = False  # the discount column held rates (0.2, 20%), read as such
    months: list[str] = field(default_factory=list)
    dry_run: bool = False
    encoding: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # time per phase, for operators
    # Every refused line (``{"line", "column", "reason"}``), read back from a temporary file.
    refused: RefusedLines | None = field(default=None, repr=False, compare=False)

    def every_error(self) -> Iterable[dict[str, Any]]:
        return self.errors if self.refused is None else self.refused

    def as_dict(self, *, every_error: bool = False) -> dict[str, Any]:
        """The result as data; its ``errors`` are the kept ones, or (``every_error``, for an
        answer that shows them all) every refused line."""
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rounded": self.rounded,
            "errors": list(self.every_error()) if every_error else self.errors,
            "created_customers": self.created_customers,
            "created_products": self.created_products,
            "created_regions": self.created_regions,
            "problems": self.problems,
            "discount_as_rate": self.discount_as_rate,
            "months": self.months,
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "mapping": self.mapping,
            "seconds": self.seconds,
        }


def resolve_mapping(
    headers: list[str], explicit: dict[str, str], complete: bool = False
) -> dict[str, str]:
    """The guessed mapping with the explicit ``--map`` entries laid over it (``"列名="`` ignores
    a column); or, ``complete``, the explicit mapping alone (the page's choice, where
    "(ignore)" leaves a column out)."""
    unknown = sorted({f for f in explicit.values() if f and f not in SALES_LINE_FIELDS})
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)},
            fields={"map": unknown},
        )
    return overlay_mapping(guess_mapping(headers), headers, explicit, complete)


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


def lock_writers() -> None:
    """Serialise sales-line writers on PostgreSQL (SQLite's IMMEDIATE transactions already do).

    Also turns off JIT compilation for the import's transaction: compiling the 22-column
    comparisons costs more than running them on a day's lines; and gives its sorts room to
    stay in memory (a batch of 50k lines sorted for the ledger's indexes is about 8 MB; with
    the default 4 MB it went to disk)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")


Progress = Callable[[int, int], None]


def _first_split(frames: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """``frames``, the first one split after ``FIRST_BATCH`` rows."""
    for number, frame in enumerate(frames):
        if number == 0 and frame.height > FIRST_BATCH:
            yield frame.head(FIRST_BATCH)
            frame = frame.slice(FIRST_BATCH)
        yield frame


def _used_ids(field_name: str, ids: list[int]) -> set[int]:
    """The ids among ``ids`` that some stored sales line names in ``field_name``."""
    from salescope.ledger.models import SalesLine

    used: set[int] = set()
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        used.update(
            SalesLine.objects.unrestricted()
            .filter(**{f"{field_name}__in": chunk})
            .values_list(field_name, flat=True)
            .distinct()
        )
    return used


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
    mapping = resolve_mapping(table.headers, options.mapping, options.complete_mapping)
    check_required(mapping)
    result = ImportResult(dry_run=options.dry_run, encoding=table.encoding, mapping=mapping)
    header_of = {f: src for src, f in mapping.items()}
    key_field = "line_id" if header_of.get("line_id") else "line_no"
    clock = time.perf_counter()
    with (
        audit_source(AuditSource.IMPORT),
        transaction.atomic(),
        # millions of short-lived, acyclic lists and tuples: reading a CSV took 2–3× longer
        cycle_collector_paused(),
    ):
        lock_writers()
        validator = BatchValidator(
            mapping, table.headers, options.create_missing, options.date_format, actor
        )
        # Merging on a writer thread, except while validation creates master data through
        # the ORM on the same connection.
        threaded = not options.create_missing
        with LineWriter(threaded=threaded, expected_rows=table.total_rows) as writer:
            seen = FirstSightings(raw=writer.raw, expected_rows=table.total_rows)
            processed = 0
            refused = result.refused = RefusedLines(header_of)
            duplicate_of = _("duplicate of line %d").replace("%d", "{}")
            for frame in _first_split(table.frames(BATCH)):
                processed += frame.height
                staged, bad = validator.validate(frame)
                fresh, duplicates = seen.split(staged)
                if duplicates.height:
                    bad = pl.concat(
                        [
                            bad,
                            duplicates.select(
                                pl.col("src_line").alias("line"),
                                pl.lit(key_field).alias("field"),
                                pl.format(duplicate_of, "first").alias("reason"),
                                pl.lit(None, pl.String).alias("value"),
                            ),
                        ]
                    )
                refused.add(bad)
                writer.write_frame(fresh)
                if progress:
                    progress(processed, max(processed, table.total_rows))
            result.errors = refused.kept
            result.problems = refused.problems()
            validated = time.perf_counter() - clock - writer.waited
            started = time.perf_counter()
            months = writer.finish()
            seen.close()
            # Master data made for lines that were all refused goes again (one transaction).
            # When no line was refused, every line was stored or was already stored as it is,
            # and a line already stored names no master data this run created: all is used
            # (a first load of 1M lines asked the ledger about 100k customers for nothing).
            if len(refused):
                validator.resolver.forget_unused(_used_ids)
        result.seconds["read_and_validate"] = round(validated, 3)
        result.seconds["stage_and_merge"] = round(writer.busy, 3)
        result.seconds["rollups_and_wait"] = round(time.perf_counter() - started, 3)
        for step, seconds in writer.finish_seconds.items():
            result.seconds[step] = round(seconds, 3)
        created, updated, unchanged = writer.created, writer.updated, writer.unchanged
        result.accepted = len(seen)
        result.rejected = len(refused)
        result.created, result.updated, result.unchanged = created, updated, unchanged
        result.rounded = validator.rounded
        result.created_customers = validator.resolver.created_customers
        result.created_products = validator.resolver.created_products
        result.created_regions = validator.resolver.created_regions
        result.discount_as_rate = bool(validator.discount_is_rate)
        result.months = sorted(m.strftime("%Y-%m") for m in months)
        counts = {
            k: v for k, v in result.as_dict().items() if k not in {"errors", "mapping", "problems"}
        }
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
            import_finished.send(sender="sales_lines", actor=actor)
    return result
