"""Set-based inserts of master data an import creates (``--create-missing``).

Django's ``bulk_create`` prepares every field of every object in Python; a customer has some
thirty fields, so 100k of them cost seconds before the database sees a row. Here the fields
that are the same for every new row (defaults, ``auto_now_add`` times) are prepared once from a
template instance and only the fields that vary are passed per row, in one ``executemany``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def insert_rows(
    model: type[models.Model],
    template: models.Model,
    varying: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Insert one row per item of ``rows``: the values of the fields named in ``varying``
    (attribute names: ``brand_id`` for a foreign key), every other field as in ``template``.
    Model ``save()`` hooks do not run: the caller sets any derived field itself."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    base = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
    position = {f.attname: i for i, f in enumerate(fields)}
    at = [position[name] for name in varying]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - our own names
        quote(model._meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )

    def full(row: Sequence[Any]) -> list[Any]:
        values = list(base)
        for i, value in zip(at, row, strict=True):
            values[i] = value
        return values

    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream the server parses in bulk, not one INSERT per row
            columns = ", ".join(quote(str(f.column)) for f in fields)
            statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(full(row))
            return
        for row in rows:
            batch.append(full(row))
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def ids_by_key(model: type[models.Model], key: str, keys: Sequence[str]) -> dict[str, int]:
    """``key`` value → id for ``keys`` (the rows just inserted), in chunks."""
    found: dict[str, int] = {}
    manager = model._default_manager
    queryset = manager.unrestricted() if hasattr(manager, "unrestricted") else manager.all()
    for start in range(0, len(keys), 5000):
        chunk = list(keys[start : start + 5000])
        found.update(queryset.filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
    return found
