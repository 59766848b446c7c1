"""The unit rollup (``ledger.UnitRollup``): month × kind × unit × region × category, the
salesperson rollup with each person replaced by the unit they are in now, from which the
explorer answers pivots of teams and branches (``ledger.explorer.SOURCES``); and its state
(``ledger.UnitRollupState``): the fingerprint of the mapping of people to units it was derived
under (``ledger.rollups.mapping_fingerprint``, written out here as it is there).

Filled here from the salesperson rollup already held, in one ``INSERT … SELECT … GROUP BY``
(``ledger.rollups._derive_units`` keeps it after).
"""

import hashlib

import django.db.models.deletion
from django.db import migrations, models

_KEYS = "month, kind, unit_id, region_id, category_id"
_MEASURES = "amount_fen, quantity_milli, cost_fen, gross_profit_fen, lines"


def derive_units(apps, schema_editor):
    """The unit rollup of the salesperson rollup's rows, under the people's units now."""
    people = apps.get_model("org", "User")._meta.db_table if apps else "org_user"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, unit_id FROM {people} ORDER BY id")  # noqa: S608
        rows = cursor.fetchall()
        text = ";".join(f"{p}:{'' if u is None else u}" for p, u in rows)
        fingerprint = hashlib.sha256(text.encode()).hexdigest()
        mapping = [(int(p), int(u)) for p, u in rows if u is not None]
        if mapping:
            pairs = ", ".join(f"({p}, {u})" for p, u in mapping)
            unit = "u.column2"
            join = f"LEFT JOIN (VALUES {pairs}) u ON u.column1 = s.salesperson_id"
        else:
            unit, join = "CAST(NULL AS BIGINT)", ""
        keys = f"s.month, s.kind, {unit}, s.region_id, s.category_id"
        sums = ", ".join(f"SUM(s.{m.strip()})" for m in _MEASURES.split(","))
        cursor.execute("DELETE FROM ledger_unitrollup")
        cursor.execute(
            f"INSERT INTO ledger_unitrollup ({_KEYS}, {_MEASURES}) "  # noqa: S608
            f"SELECT {keys}, {sums} FROM ledger_salesrollup s {join} GROUP BY {keys}"
        )
        cursor.execute("DELETE FROM ledger_unitrollupstate")
        cursor.execute(
            "INSERT INTO ledger_unitrollupstate (id, fingerprint) VALUES (1, %s)", [fingerprint]
        )
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("ANALYZE ledger_unitrollup")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_versions_and_supply_status"),
        ("ledger", "0018_brand_rollup"),
        ("org", "0004_people_manager_restricted"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnitRollupState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("fingerprint", models.CharField(blank=True, max_length=64)),
            ],
            options={
                "verbose_name": "state of the sales rollup by org unit",
            },
        ),
        migrations.CreateModel(
            name="UnitRollup",
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
                (
                    "unit",
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
                "verbose_name": "sales rollup by org unit",
                "indexes": [models.Index(fields=["month"], name="rollup_unit_month")],
            },
        ),
        migrations.RunPython(derive_units, migrations.RunPython.noop),
    ]
