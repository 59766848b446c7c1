"""An index on the order's day, for the month's orders of everyone (the KPI "orders per
visit", issue 17). Without it both databases read every order: SQLite walked the 1M orders of
the bench in owner order (5.4 s, 1.26 s CPU under load for a month's 41k), PostgreSQL scanned
them all (0.30 s). Created by SQL from the performance app, which reads by it, without
touching the ledger's models; to move into ``Order.Meta.indexes`` by the ledger's owner with a
state-only migration."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0001_initial"),
        ("ledger", "0010_salesline_date_index"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX perf_order_day ON ledger_order (date)",
            "DROP INDEX perf_order_day",
        ),
    ]
