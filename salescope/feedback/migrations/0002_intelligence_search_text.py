"""Full-text search for market intelligence: the jieba-segmented ``search_text`` column, filled
for existing entries, and its index (SQLite: an FTS5 table kept in step by triggers;
PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)``)."""

from django.db import migrations, models


def fill_search_text(apps, schema_editor):
    from salescope.feedback.search import intelligence_search_text

    Intelligence = apps.get_model("feedback", "Intelligence")
    entries = Intelligence.objects.select_related("customer", "product", "category", "region")
    batch = []
    for entry in entries.iterator(chunk_size=2000):
        entry.search_text = intelligence_search_text(entry)
        batch.append(entry)
        if len(batch) >= 2000:
            Intelligence.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Intelligence.objects.bulk_update(batch, ["search_text"])


def create_index(apps, schema_editor):
    from salescope.feedback import search

    vendor = schema_editor.connection.vendor
    statements = {"sqlite": search.SQLITE_CREATE, "postgresql": search.POSTGRES_CREATE}
    for sql in statements.get(vendor, []):
        schema_editor.execute(sql)


def drop_index(apps, schema_editor):
    from salescope.feedback import search

    vendor = schema_editor.connection.vendor
    statements = {"sqlite": search.SQLITE_DROP, "postgresql": search.POSTGRES_DROP}
    for sql in statements.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="intelligence",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
