"""A test-only owned model: an "owned record" with an owner, a unit and a finance grant, the
shape every sales record declares. Its app label is not installed, so it never appears in
migrations, the admin or model enumeration; ``conftest`` creates its table in the test DB."""

from django.conf import settings
from django.db import models

from salescope.org.choices import Role
from salescope.org.visibility import Ownership


class Widget(models.Model):
    name = models.CharField(max_length=50, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,  # so flushing the real tables between tests never trips on it
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    version = models.PositiveIntegerField(default=1)

    ownership = Ownership(person="owner", unit="unit", roles={Role.FINANCE: {"view"}})

    class Meta:
        app_label = "visibility_tests"

    def __str__(self) -> str:
        return self.name
