"""The ledger's lines keep a tenth of each new page free, so that a correction updates in place.

An import corrects a line (another quantity, amount, cost) by ``UPDATE`` of its measures
(``importing.merge``); no index holds a measure, so with room on the line's page PostgreSQL
updates it there (a HOT update) instead of writing the row elsewhere plus an entry in each of
the ledger's six indexes. At the default fillfactor of 100 the pages are full. Measured on a
copy of the bench's 10M-line ledger rewritten at fillfactor 90 (bench_ledger's realistic daily
import: 15,000 corrections of last week's lines): 12,184 of the 15,000 updates were HOT and the
``UPDATE`` took 0.26 s of the database's CPU instead of 0.46–0.49 s.

Only the setting changes: nothing is rewritten (instant at any size; a brief SHARE UPDATE
EXCLUSIVE lock). Pages written from now on (every import's new lines, the lines that
corrections will touch) keep the room; existing full pages stay as they are until rewritten.
The price: new lines take about 11 % more pages. SQLite has no fillfactor: nothing to do there.
"""

from django.db import migrations

FILLFACTOR = 90
TABLE = "ledger_salesline"


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = {FILLFACTOR})")


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0014_import_rollup_fillfactor")]

    operations = [migrations.RunPython(leave_room, fill_pages)]
