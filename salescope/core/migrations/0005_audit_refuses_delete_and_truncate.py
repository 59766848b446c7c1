"""The database refuses to delete audit entries too, whoever the client is (R15).

0003 refused UPDATE only. Here DELETE is refused on both databases (a row trigger) and TRUNCATE
on PostgreSQL (a statement trigger; SQLite has no TRUNCATE). The one sanctioned way to empty
the table is ``salescope flush`` (which empties every table, and which test teardowns call):
it turns these triggers off inside its own transaction and back on before committing, which
needs the DDL rights on the table that could drop the triggers anyway (see
``salescope.core.management.commands.flush``).
"""

from django.db import migrations

SQLITE_FORWARD = """
CREATE TRIGGER core_auditentry_no_delete
BEFORE DELETE ON core_auditentry
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS core_auditentry_no_delete;"

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditentry_refuse_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_no_delete
BEFORE DELETE ON core_auditentry
FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse_delete();
CREATE TRIGGER core_auditentry_no_truncate
BEFORE TRUNCATE ON core_auditentry
FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_refuse_delete();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
DROP TRIGGER IF EXISTS core_auditentry_no_delete ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_refuse_delete();
"""


def forward(apps, schema_editor):
    sql = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(
        schema_editor.connection.vendor
    )
    if sql:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    sql = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(
        schema_editor.connection.vendor
    )
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_calendar_day")]

    operations = [migrations.RunPython(forward, backward)]
