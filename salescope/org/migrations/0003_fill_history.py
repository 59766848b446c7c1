"""Fill the membership and manager history from the organisation as it stands (add → fill)."""

from django.db import migrations


def fill(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    user_model = apps.get_model("org", "User")
    unit_model = apps.get_model("org", "OrgUnit")
    membership = apps.get_model("org", "Membership")
    term = apps.get_model("org", "ManagerTerm")
    for person in user_model.objects.filter(unit__isnull=False).order_by("pk"):
        if not membership.objects.filter(person=person).exists():
            membership.objects.create(
                person=person, unit_id=person.unit_id, started_on=person.date_joined.date()
            )
    for unit in unit_model.objects.filter(manager__isnull=False).order_by("pk"):
        if not term.objects.filter(unit=unit).exists():
            started = unit.manager.date_joined.date()
            term.objects.create(unit=unit, manager_id=unit.manager_id, started_on=started)


class Migration(migrations.Migration):
    dependencies = [("org", "0002_org_history_territories_shares")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
