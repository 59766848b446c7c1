"""An index on the visit's day, for reads of one month's visits of everyone (the KPI library,
issue 17): PostgreSQL cannot use ``visit_owner_day`` (owner first) for a range of days over all
owners and scanned the whole table (1M visits of the bench for a month's 33k: 0.36 s). Created by SQL, not on the model:
the performance helper added it without touching the activities app's models (to move into
``Visit.Meta.indexes`` by the app's owner, with a state-only migration)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_monthly_reports"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX visit_month_day ON activities_visit (planned_date)",
            "DROP INDEX visit_month_day",
        ),
    ]
