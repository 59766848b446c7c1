"""The database itself refuses to change an audit entry, whoever the client is (R15).

Only UPDATE is refused at this level: test-database flushes must still be able to empty the
table. Deletes are refused by the ORM, the admin and the API.
"""

from django.db import migrations

SQLITE_FORWARD = """
CREATE TRIGGER core_auditentry_append_only
BEFORE UPDATE ON core_auditentry
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS core_auditentry_append_only;"

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditentry_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
BEFORE UPDATE ON core_auditentry
FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse_update();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_refuse_update();
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
    dependencies = [("core", "0002_initial")]

    operations = [migrations.RunPython(forward, backward)]
