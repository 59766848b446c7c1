"""Full-text search restricted to the viewer's people (issue 16 E1: a salesperson's search).

SQLite: the FTS5 table gains a second column, the entry's author as a token
(``feedback.search.owner_token``), so a viewer who sees a few people's entries asks the index
for their matches only instead of reading every match to find the few they may see. Writes
cost one more token per entry; the triggers also follow a change of author. Rebuilding the
index reads every entry once (≈ 2.5 min for 1M entries on the bench machine).
"""

from django.db import migrations


def owned_index(apps, schema_editor):
    from salescope.feedback import search

    if schema_editor.connection.vendor == "sqlite":
        for sql in [*search.SQLITE_DROP, *search.SQLITE_CREATE_OWNED]:
            schema_editor.execute(sql)


def keyed_index(apps, schema_editor):
    from salescope.feedback import search

    if schema_editor.connection.vendor == "sqlite":
        for sql in [*search.SQLITE_DROP, *search.SQLITE_CREATE_KEYED]:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0004_intelligence_search_newest_first")]

    operations = [migrations.RunPython(owned_index, keyed_index)]
