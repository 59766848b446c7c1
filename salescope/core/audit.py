"""The audit trail every service writes through (R14).

A service calls :func:`record` inside its own transaction, after the change, with the old and
new values; if the transaction rolls back, the audit row goes with it, so a refused or failed
write leaves no trace but its error.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models

from salescope.core.audit_context import current_remote_addr, current_source
from salescope.core.models import AuditEntry

_PLAIN = frozenset({str, int, bool, float})


def json_value(value: Any) -> Any:
    """A JSON-safe form of a field value, exact for money and dates."""
    if value is None or type(value) in _PLAIN:  # most values: first, by their exact type
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values of ``instance`` in JSON-safe form; foreign keys by id."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = json_value(getattr(instance, attname))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    changed = {}
    for key in dict.fromkeys([*before, *after]):
        old, new = json_value(before.get(key)), json_value(after.get(key))
        if old != new:
            changed[key] = [old, new]
    return changed


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    source: str | None = None,
) -> AuditEntry:
    """Append one audit entry. ``action`` is ``"<app>.<entity>.<past_verb>"``."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else str(actor or ""))[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        changes=json_value(dict(changes or {})),
        source=source or current_source(),
        remote_addr=current_remote_addr(),
    )


@dataclass(frozen=True)
class AuditRow:
    """An entry not about one saved object (``record(object_type=…, object_id=…)``), for
    :func:`record_many`."""

    object_type: str
    object_id: str | int
    object_repr: str
    changes: Mapping[str, Any]


def record_many(
    *,
    actor: Any,
    action: str,
    entries: Iterable[tuple[models.Model, Mapping[str, Any]] | AuditRow],
    source: str | None = None,
) -> int:
    """Append one audit entry per ``(object, changes)`` pair (or :class:`AuditRow`), as
    :func:`record` would, in one bulk write (COPY on PostgreSQL): for a service that writes
    thousands of rows of one kind at once (a month's scorecards, 10k distributed leads). The
    objects must be saved (have their primary key). Returns how many entries were written."""
    from salescope.core.importing.bulk import insert_rows

    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    template = AuditEntry(
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else str(actor or ""))[:150],
        action=action,
        source=source or current_source(),
        remote_addr=current_remote_addr(),
    )
    changes_field = AuditEntry._meta.get_field("changes")
    assert isinstance(changes_field, models.JSONField)
    rows = []
    for entry in entries:
        if isinstance(entry, AuditRow):
            what = (entry.object_type, str(entry.object_id), entry.object_repr[:200])
            changes = entry.changes
        else:
            obj, changes = entry
            if obj.pk is None:
                raise ValueError("record_many: the object has no primary key yet (save it first)")
            what = (obj._meta.label_lower, str(obj.pk), str(obj)[:200])
        stored = changes_field.get_db_prep_save(json_value(dict(changes or {})), connection)
        rows.append((*what, stored))
    varying = ["object_type", "object_id", "object_repr", "changes"]
    insert_rows(AuditEntry, template, varying, rows)
    return len(rows)


def history(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """The audit entries of one record, newest first."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
