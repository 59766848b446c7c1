"""Full-text search that yields the newest matches first (issue 16: ≤ 200 ms over 1M entries).

SQLite: the FTS5 table becomes contentless, its rowid the entry's place in the list's order
(day observed, then id; ``feedback.search.sort_key``), so a page of the newest matches reads
the newest matches only; the triggers also follow a change of the day observed.
"""

from django.db import migrations


def keyed_index(apps, schema_editor):
    from salescope.feedback import search

    if schema_editor.connection.vendor == "sqlite":
        for sql in [*search.SQLITE_DROP, *search.SQLITE_CREATE_KEYED]:
            schema_editor.execute(sql)


def id_index(apps, schema_editor):
    from salescope.feedback import search

    if schema_editor.connection.vendor == "sqlite":
        for sql in [*search.SQLITE_DROP, *search.SQLITE_CREATE]:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_casereview")]

    operations = [migrations.RunPython(keyed_index, id_index)]
