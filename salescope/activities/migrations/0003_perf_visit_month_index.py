"""An index on the visit's day, for reads of one month's visits of everyone (the KPI library,
issue 17): PostgreSQL cannot use ``visit_owner_day`` (owner first) for a range of days over all
owners and scanned the whole table (1M visits of the bench for a month's 33k: 0.36 s)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_monthly_reports"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["planned_date"], name="visit_month_day"),
        ),
    ]
