"""``flush`` empties every table, the audit trail included (test teardowns call it too).

The audit table's triggers refuse DELETE and TRUNCATE for every client (migrations 0003 and
0005, R15). Emptying the whole database is the one sanctioned exception: this command turns
the triggers off inside the flush's own transaction and back on before it commits, so no other
connection ever sees the table unguarded and a failed flush leaves them in place. Doing the
same by hand needs the DDL rights on the table that could drop the triggers anyway; the
triggers stop every client that does not deliberately change the schema.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

AUDIT_TABLE = "core_auditentry"


@contextmanager
def audit_triggers_off(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Within one transaction: the audit table's triggers off, then back as they were."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if AUDIT_TABLE not in connection.introspection.table_names(cursor):
            yield
            return
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER USER")
            yield
            cursor.execute(f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AUDIT_TABLE],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        else:
            yield


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if options["interactive"]:
            name = connection.settings_dict["NAME"]
            answer = input(
                f'This will IRREVERSIBLY DESTROY all data in the "{name}" database, the audit '
                "trail included.\n    Type 'yes' to continue, or 'no' to cancel: "
            )
            if answer != "yes":
                self.stdout.write("Flush cancelled.")
                return
        with audit_triggers_off(connection):
            super().handle(**{**options, "interactive": False})
