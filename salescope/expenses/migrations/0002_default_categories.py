"""The categories a company starts with (差旅, 招待, 样品, 促销, 进场费, 其他); finance and the
administrators change them afterwards on the categories page (audited)."""

from django.db import migrations

DEFAULTS = [
    ("travel", "差旅费"),
    ("entertainment", "招待费"),
    ("samples", "样品费"),
    ("promotion", "促销费"),
    ("listing", "进场费"),
    ("other", "其他"),
]


def add_defaults(apps, schema_editor):  # noqa: ARG001 - Django's signature
    category = apps.get_model("expenses", "ExpenseCategory")
    for position, (code, name) in enumerate(DEFAULTS):
        category.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("expenses", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
