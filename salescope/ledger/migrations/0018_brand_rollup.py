"""The brand rollup (``ledger.BrandRollup``): month × kind × region × category × brand, the
product rollup without the product, from which the explorer answers pivots of brands,
categories and regions (``ledger.explorer.SOURCES``).

Filled here from the product rollup already held (``ledger.rollups._derive_brands`` keeps it
after), in one ``INSERT … SELECT … GROUP BY``: at 10M lines (bench_explorer's ledger) it reads
the product rollup's rows once (~440k for two years), not the lines.
"""

import django.db.models.deletion
from django.db import migrations, models

_KEYS = "month, kind, region_id, category_id, brand_id"
_MEASURES = "amount_fen, quantity_milli, cost_fen, gross_profit_fen, lines"
_SUMS = "SUM(amount_fen), SUM(quantity_milli), SUM(cost_fen), SUM(gross_profit_fen), SUM(lines)"


def derive_brands(apps, schema_editor):
    """The brand rollup of the product rollup's rows (``ledger.rollups`` keeps it after)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO ledger_brandrollup ({_KEYS}, {_MEASURES}) "  # noqa: S608
            f"SELECT {_KEYS}, {_SUMS} FROM ledger_productrollup GROUP BY {_KEYS} "
            "ORDER BY month, brand_id"
        )
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("ANALYZE ledger_brandrollup")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_versions_and_supply_status"),
        ("ledger", "0017_person_rollup_region"),
        ("org", "0004_people_manager_restricted"),
    ]

    operations = [
        migrations.CreateModel(
            name="BrandRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount_fen", models.BigIntegerField(default=0)),
                ("quantity_milli", models.BigIntegerField(default=0)),
                ("cost_fen", models.BigIntegerField(default=0)),
                ("gross_profit_fen", models.BigIntegerField(default=0)),
                ("lines", models.BigIntegerField(default=0)),
                ("month", models.DateField()),
                (
                    "kind",
                    models.CharField(
                        choices=[("sell_in", "Sell-in"), ("sell_through", "Sell-through")],
                        max_length=14,
                    ),
                ),
                (
                    "brand",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="catalog.brand",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="catalog.category",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="org.orgunit",
                    ),
                ),
            ],
            options={
                "verbose_name": "sales rollup by brand",
                "indexes": [models.Index(fields=["month", "brand"], name="rollup_brand_key")],
            },
        ),
        migrations.RunPython(derive_brands, migrations.RunPython.noop),
    ]
