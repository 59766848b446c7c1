"""What the master-data imports (customers, products, invoices, collections) share.

Each kind is a :class:`Spec`: its fields and the header names they are recognised by, the
required fields, the permission check, a row parser that turns cells into a record (or raises
:class:`RowError` naming the field) and a writer that stores the accepted records and says how
many were created, updated or unchanged. :func:`run_import` does the rest the same way for every
kind, with the user contract of the sales-line import (R12):

* the column mapping is guessed from the headers (Chinese and English) and ``--map`` overrides it;
* every rejected row is reported with its line number, the column as written and the reason;
  good rows land; the natural key repeated in the file is a rejected duplicate;
* one transaction and one audit entry per import; a dry run rolls everything back;
* lookups are dictionaries loaded once per run, never a query per row;
* a name that matches a stored one only once case, spacing and punctuation are folded
  (``names.NameIndex``) is used and reported as a data-quality finding (line, column, value,
  what it was read as), not refused.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.errors import ValidationFailed
from salescope.core.formulas import looks_like_formula
from salescope.core.importing.headers import normalize_header
from salescope.core.importing.names import NameIndex
from salescope.core.importing.parse import CellError, DateParser, is_blank, scaled
from salescope.core.importing.permissions import IMPORT_RUN
from salescope.core.importing.readers import read_table
from salescope.core.importing.signals import import_finished
from salescope.core.permissions import require

User = Any  # an org.User; core imports no app

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 2_000
AUDIT_DETAIL_LIMIT = 500  # keys listed in the one audit entry; the counts are always complete


@dataclass
class ImportOptions:
    mapping: dict[str, str] = field(default_factory=dict)  # source header → field
    dry_run: bool = False
    date_format: str = "auto"
    allocate: bool = True  # collections without invoice numbers: pay the oldest invoices first
    # The mapping is the whole mapping (chosen column by column in the page): columns left out
    # are ignored, not guessed. ``--map`` on the command line lays its entries over the guess.
    complete_mapping: bool = False


@dataclass
class ImportResult:
    kind: str = ""
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rounded: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)  # data quality, rows kept
    dry_run: bool = False
    encoding: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. brands created, allocations

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rounded": self.rounded,
            "errors": self.errors,
            "findings": self.findings,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "mapping": self.mapping,
            **self.extra,
        }


class RowError(Exception):
    """A row that cannot be used: the field at fault and the reason shown to the person."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field_name = field_name
        self.reason = reason


@dataclass
class Outcome:
    """What a spec's writer did with the accepted records."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: dict[str, Any] = field(default_factory=dict)  # for the audit entry
    extra: dict[str, Any] = field(default_factory=dict)  # for the result


def _cell_check(method: Callable[..., Any]) -> Callable[..., Any]:
    """A cell helper that remembers how each field was read, so that a rejected row's other
    cells can be checked too (:meth:`Spec.other_errors`)."""

    @wraps(method)
    def remembering(self: Spec, cells: Cells, name: str, *args: Any, **kwargs: Any) -> Any:
        self.cell_checks.setdefault(name, (method, args, kwargs))
        return method(self, cells, name, *args, **kwargs)

    return remembering


class Spec(ABC):
    """One kind of import. Subclasses fill in the class attributes and the three methods."""

    kind = ""
    audit_action = ""
    object_type = ""
    key_field = ""
    key_limit = 60
    fields: dict[str, tuple[str, ...]] = {}  # field → header names it is recognised by
    labels: dict[str, Any] = {}
    required: tuple[str, ...] = ()

    def __init__(self, actor: User, options: ImportOptions) -> None:
        self.actor = actor
        self.options = options
        self.dates = DateParser(options.date_format)
        self.row_rounded = False
        self.mapped: set[str] = set()
        # data-quality findings of the row being parsed: (field, value, what it was read as)
        self.row_findings: list[tuple[str, str, str]] = []
        # field → the cell helper (and its arguments) that reads it, learnt while parsing
        self.cell_checks: dict[str, tuple[Callable[..., Any], tuple, dict[str, Any]]] = {}

    def row_key(self, cells: Cells) -> Any:
        """The row's natural key (a repeated key is a duplicate of its first row): the
        ``key_field`` cell by default; a spec whose key spans columns overrides this."""
        return self.text(cells, self.key_field, self.key_limit, required=True)

    def check_permission(self) -> None:
        """The rights to run this kind of import at all (before the file is read)."""
        require(self.actor, IMPORT_RUN.code)

    def check_columns(self, mapped: set[str]) -> None:  # noqa: B027 - optional hook
        """Refuse columns the actor may not write (protected fields, R6)."""

    def load(self) -> None:  # noqa: B027 - optional hook
        """Load the lookups the rows need (one query each)."""

    @abstractmethod
    def parse(self, cells: Cells) -> dict[str, Any]:
        """One row's cells → a record, or :class:`RowError` naming the column and reason."""

    def reject_late(self, records: list[dict[str, Any]]) -> list[tuple[dict, RowError]]:
        """Rows that can only be judged once the whole file is read (they are removed from
        ``records`` here and reported like any other rejected row)."""
        return []

    @abstractmethod
    def write(self, records: list[dict[str, Any]]) -> Outcome:
        """Create or update the file's good records in one go; counts what changed."""

    def other_errors(self, cells: Cells, failed: str) -> list[RowError]:
        """Every other cell of a rejected row that is wrong on its own (a person fixes the
        whole row at once, not one error per run): each field read the way the spec reads it
        (learnt from the rows parsed so far)."""
        found = []
        rounded = self.row_rounded
        for name, (method, args, kwargs) in self.cell_checks.items():
            if name == failed:
                continue
            try:
                # whether a blank is allowed may depend on the row (a new record or a stored
                # one), so only values that are wrong in themselves are reported here
                lenient = {**kwargs, "required": False} if "required" in kwargs else kwargs
                method(self, cells, name, *args, **lenient)
            except RowError as exc:
                found.append(exc)
        self.row_rounded = rounded
        return found

    # Cell helpers shared by the specs ------------------------------------------------------

    @_cell_check
    def text(self, cells: Cells, name: str, limit: int, *, required: bool = False) -> str:
        raw = cells.get(name)
        if is_blank(raw):
            if required:
                raise RowError(name, _("%(field)s is missing") % {"field": self.label(name)})
            return ""
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # a code typed as a number in Excel: 1001.0 → "1001"
        text = raw.strip() if isinstance(raw, str) else str(raw).strip()
        if looks_like_formula(text):
            raise RowError(name, _("formula where text is expected"))
        if len(text) > limit:
            raise RowError(name, _("longer than %d characters") % limit)
        return text

    @_cell_check
    def money(self, cells: Cells, name: str, *, required: bool = False) -> int | None:
        """Fen, half-up rounded (counted); negative refused; ``None`` when the cell is blank."""
        raw = cells.get(name)
        if is_blank(raw):
            if required:
                raise RowError(name, _("%(field)s is missing") % {"field": self.label(name)})
            return None
        try:
            fen, rounded = scaled(raw, 2)
        except CellError as exc:
            raise RowError(name, str(exc)) from None
        if fen < 0:
            raise RowError(name, _("negative amount"))
        if abs(fen) >= 10**15:
            raise RowError(name, _("amount too large"))
        self.row_rounded |= rounded
        return fen

    @_cell_check
    def whole(self, cells: Cells, name: str, *, maximum: int = 100_000) -> int | None:
        raw = cells.get(name)
        if is_blank(raw):
            return None
        try:
            value, rounded = scaled(raw, 0)
        except CellError as exc:
            raise RowError(name, str(exc)) from None
        if rounded:
            raise RowError(name, _("not a whole number"))
        if value < 0:
            raise RowError(name, _("negative number"))
        if value > maximum:
            raise RowError(name, _("more than %d") % maximum)
        return value

    @_cell_check
    def date(self, cells: Cells, name: str, *, required: bool = False) -> dt.date | None:
        raw = cells.get(name)
        if is_blank(raw):
            if required:
                raise RowError(name, _("date is missing"))
            return None
        try:
            return self.dates(raw)
        except CellError as exc:
            raise RowError(name, str(exc)) from None

    def label(self, name: str) -> str:
        return str(self.labels.get(name, name))

    def note_finding(self, name: str, value: str, note: str) -> None:
        """Keep the row but tell the person: ``value`` in column ``name`` and what was made
        of it (reported with the row's line if the row is accepted)."""
        self.row_findings.append((name, value, note))

    def named(
        self, name: str, text: str, index: NameIndex, *, unknown: str | Callable[[], str]
    ) -> Any:
        """The record ``text`` names in ``index``: exactly, or once folded (then a finding);
        ``unknown`` is the reason when none matches (a callable: made only then); ``None``
        for a blank."""
        if not text:
            return None
        match = index.find(text)
        if match.ambiguous:
            raise RowError(name, _("「%(value)s」 matches several records") % {"value": text})
        if match.value is None:
            raise RowError(name, unknown() if callable(unknown) else unknown)
        if match.folded:
            self.note_finding(name, text, folded_note(match.name))
        return match.value


def folded_note(stored: str) -> str:
    """The finding for a name read as the stored name ``stored`` once folded."""
    return _("read as 「%(match)s」 (differs only in case, spacing or punctuation)") % {
        "match": stored
    }


class Cells:
    """The cells of one row by field name (``None`` where the field is not mapped)."""

    __slots__ = ("positions", "row")

    def __init__(self, positions: dict[str, int], row: list[Any]) -> None:
        self.positions = positions
        self.row = row

    def get(self, name: str) -> Any:
        position = self.positions.get(name)
        if position is None or position >= len(self.row):
            return None
        return self.row[position]


# Mapping -------------------------------------------------------------------------------------


def guess_mapping(headers: list[str], fields: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Source header → field for the headers recognised; each field taken once."""
    aliases = {normalize_header(a): f for f, names in fields.items() for a in (f, *names)}
    mapping: dict[str, str] = {}
    for header in headers:
        found = aliases.get(normalize_header(header))
        if found and found not in mapping.values():
            mapping[header] = found
    return mapping


IGNORE = ""  # ``--map "列名="``: the column is ignored, whatever its header would be guessed as


def parse_map_options(options: Iterable[str], fields: Iterable[str]) -> dict[str, str]:
    """``["源列=field", …]`` → ``{"源列": "field"}``; ``"源列="`` ignores the column. Raises
    ``ValueError`` naming a bad one."""
    known = set(fields)
    mapping = {}
    for option in options:
        source, sep, name = option.rpartition("=")
        name = name.strip()
        if not sep or not source.strip() or (name and name not in known):
            raise ValueError(option)
        mapping[source.strip()] = name
    return mapping


def check_explicit_mapping(headers: list[str], explicit: dict[str, str]) -> None:
    """Every mapped (or ignored) column is in the file, and no two columns go to one field (one
    of them would be silently lost). A column that is not in the file is named with the file's
    own headers, so the person can copy the right one."""
    missing = [source for source in explicit if source not in headers]
    if missing:
        shown = ", ".join(f"「{h}」" for h in headers)
        raise ValidationFailed(
            _("These mapped columns are not in the file: %(cols)s. The file's columns: %(all)s")
            % {"cols": ", ".join(f"「{m}」" for m in missing), "all": shown},
            fields={"map": [", ".join(missing)]},
            extra={"headers": list(headers)},
        )
    sources: dict[str, list[str]] = {}
    for source, name in explicit.items():
        if name != IGNORE:
            sources.setdefault(name, []).append(source)
    twice = {name: columns for name, columns in sources.items() if len(columns) > 1}
    if twice:
        raise ValidationFailed(
            _("Several columns are mapped to one field: %(pairs)s")
            % {
                "pairs": "; ".join(
                    f"{' + '.join(columns)} → {name}" for name, columns in twice.items()
                )
            },
            fields={"map": sorted(twice)},
        )


def overlay_mapping(
    guessed: dict[str, str], headers: list[str], explicit: dict[str, str], complete: bool
) -> dict[str, str]:
    """The guessed mapping with the explicit entries laid over it (an explicit ``""`` ignores
    its column); or, ``complete``, the explicit mapping alone (the page's choice, where
    "(ignore)" leaves a column out)."""
    check_explicit_mapping(headers, explicit)
    chosen = {s: f for s, f in explicit.items() if f != IGNORE}
    if complete:
        return chosen
    mapping = {s: f for s, f in guessed.items() if f not in chosen.values() and s not in explicit}
    mapping.update(chosen)
    return mapping


def resolve_mapping(
    spec: type[Spec], headers: list[str], explicit: dict[str, str], complete: bool = False
) -> dict:
    unknown_fields = sorted({f for f in explicit.values() if f and f not in spec.fields})
    if unknown_fields:
        raise ValidationFailed(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown_fields)},
            fields={"map": unknown_fields},
        )
    return overlay_mapping(guess_mapping(headers, spec.fields), headers, explicit, complete)


def check_required(spec: type[Spec], mapping: dict[str, str]) -> None:
    mapped = set(mapping.values())
    missing = [name for name in spec.required if name not in mapped]
    if missing:
        labels = ", ".join(f"{name} ({spec.labels.get(name, name)})" for name in missing)
        raise ValidationFailed(
            _("Required columns are missing: %(fields)s") % {"fields": labels},
            fields={name: [_("No column is mapped to this field.")] for name in missing},
        )


# Lookups ---------------------------------------------------------------------------------------


def unique_index(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """key → value, leaving out keys that stand for more than one value (ambiguous names)."""
    index: dict[str, Any] = {}
    ambiguous: set[str] = set()
    for key, value in pairs:
        if not key:
            continue
        if key in index and index[key] != value:
            ambiguous.add(key)
        index[key] = value
    for key in ambiguous:
        del index[key]
    return index


class People:
    """Users by username (case-insensitive) or by unambiguous full name; loaded once."""

    def __init__(self) -> None:
        users = list(
            get_user_model()
            .objects.unrestricted()
            .values_list("pk", "username", "full_name", "is_active")
        )
        self.active = {pk for pk, _u, _f, active in users if active}
        self.by_name: dict[str, int] = {u.lower(): pk for pk, u, _f, _a in users}
        for key, pk in unique_index((f.strip(), pk) for pk, _u, f, _a in users).items():
            self.by_name.setdefault(key, pk)

    def find(self, name: str, field_name: str, *, active: bool = True) -> int:
        pk = self.by_name.get(name.lower()) or self.by_name.get(name)
        if pk is None:
            raise RowError(field_name, _("unknown person"))
        if active and pk not in self.active:
            raise RowError(field_name, _("not an active person"))
        return pk


_LIST_SEPARATORS = re.compile(r"[,，;；、|\s]+")


def split_list(text: str) -> list[str]:
    return [part for part in _LIST_SEPARATORS.split(text or "") if part]


def words_index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalize_header(w): value for value, words in table.items() for w in (value, *words)}


# The run ---------------------------------------------------------------------------------------


def lock(kind: str) -> None:
    """One importer of a kind at a time on PostgreSQL (SQLite's IMMEDIATE transactions queue)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [40_424_202, kind])


def _error(line: int, exc: RowError, header_of: dict[str, str]) -> dict[str, Any]:
    """A rejected row as reported: its line, the column as written in the file, the reason."""
    return {
        "line": line,
        "column": header_of.get(exc.field_name, exc.field_name),
        "reason": exc.reason,
    }


def run_import(
    spec_class: type[Spec],
    *,
    actor: User,
    path: Path | str,
    options: ImportOptions,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Read, validate and store one file of ``spec_class``'s kind. See the module docstring."""
    spec = spec_class(actor, options)
    spec.check_permission()
    table = read_table(path)
    mapping = resolve_mapping(spec_class, table.headers, options.mapping, options.complete_mapping)
    spec.mapped = set(mapping.values())
    spec.check_columns(spec.mapped)
    check_required(spec_class, mapping)
    result = ImportResult(
        kind=spec.kind, dry_run=options.dry_run, encoding=table.encoding, mapping=mapping
    )
    header_of = {f: s for s, f in mapping.items()}
    positions = {f: table.headers.index(s) for s, f in mapping.items()}
    with audit_source(AuditSource.IMPORT), transaction.atomic():
        lock(spec.kind)
        spec.load()
        seen: dict[Any, int] = {}
        records: list[dict[str, Any]] = []
        processed = 0
        for line, row in table.rows:
            processed += 1
            if progress and processed % PROGRESS_EVERY == 0:
                progress(processed, table.total_rows)
            spec.row_rounded = False
            spec.row_findings = []
            cells = Cells(positions, row)
            try:
                # A key repeated in the file is a duplicate of its first row, whether or not
                # that row was accepted: which row counts never depends on what is stored, so
                # a second run of the same file decides every row the same way.
                key = spec.row_key(cells)
                if key in seen:
                    raise RowError(spec.key_field, _("duplicate of line %d") % seen[key])
                seen[key] = line
                record = spec.parse(cells)
            except RowError as exc:
                result.errors.append(_error(line, exc, header_of))
                result.errors.extend(
                    _error(line, other, header_of)
                    for other in spec.other_errors(cells, exc.field_name)
                )
                continue
            record["_line"] = line
            record["_rounded"] = spec.row_rounded
            records.append(record)
            result.findings.extend(
                {"line": line, "column": header_of.get(name, name), "value": value, "note": note}
                for name, value, note in spec.row_findings
            )
        late = spec.reject_late(records)
        result.errors.extend(_error(record["_line"], exc, header_of) for record, exc in late)
        if late:
            result.errors.sort(key=lambda error: error["line"])
        outcome = spec.write(records)
        if progress:
            progress(processed, max(processed, table.total_rows))
        result.accepted = len(records)
        result.rounded = sum(1 for record in records if record["_rounded"])
        result.rejected = len({error["line"] for error in result.errors})
        result.created, result.updated = outcome.created, outcome.updated
        result.unchanged = outcome.unchanged
        result.extra = outcome.extra
        if options.dry_run:
            transaction.set_rollback(True)
        else:
            counts = {
                k: v
                for k, v in result.as_dict().items()
                if k not in {"errors", "findings", "mapping", "dry_run"}
            }
            counts["findings"] = len(result.findings)
            audit.record(
                actor=actor,
                action=spec.audit_action,
                obj=job,
                object_type="" if job else spec.object_type,
                object_repr=Path(path).name,
                changes={**counts, **outcome.details},
            )
            import_finished.send(sender=spec.kind, actor=actor)
    return result


def capped(items: list[Any]) -> list[Any]:
    return items[:AUDIT_DETAIL_LIMIT]


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields of ``after`` whose value differs from ``before``."""
    return {
        name: [audit.json_value(before.get(name)), audit.json_value(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def by_external_id(
    new: list[dict[str, Any]],
    records: list[dict[str, Any]],
    update: Callable[[dict[str, Any], dict[str, Any]], None],
    *,
    extra: dict[str, Any] | None = None,
) -> Outcome:
    """The outcome of a file keyed by external id, once ``new`` records are created: each
    existing record whose values differ from the file is passed to ``update(existing, changed
    values)``; the rest count as unchanged. The audit details name the ids created and the
    fields changed per id (capped)."""
    updated: dict[str, Any] = {}
    unchanged = 0
    for record in records:
        existing = record["existing"]
        if existing is None:
            continue
        changes = changed_fields(existing, record["values"])
        if not changes:
            unchanged += 1
            continue
        update(existing, {name: record["values"][name] for name in changes})
        updated[record["external_id"]] = changes
    return Outcome(
        created=len(new),
        updated=len(updated),
        unchanged=unchanged,
        details={
            "created_ids": capped([r["external_id"] for r in new if r["external_id"]]),
            "updated_ids": dict(list(updated.items())[:AUDIT_DETAIL_LIMIT]),
        },
        extra=extra or {},
    )


def bulk_create_with_ids(model: Any, objects: list[Any], key: str) -> None:
    """``bulk_create`` and make sure every object has its id (both our databases return them;
    the look-up by natural key ``key`` is the fallback for a backend that does not)."""
    model.objects.bulk_create(objects, batch_size=500)
    missing = [obj for obj in objects if obj.pk is None]
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        ids = dict(
            model.objects.unrestricted()
            .filter(**{f"{key}__in": [getattr(o, key) for o in chunk]})
            .values_list(key, "pk")
        )
        for obj in chunk:
            obj.pk = ids[getattr(obj, key)]
