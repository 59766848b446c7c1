"""The roles a person holds in Salescope: the vocabulary every app's permissions speak.

They live in the shared kernel because permissions (``core.permissions``) and record ownership
(``core.ownership``) of every app name them; ``org`` assigns them to people.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    EXECUTIVE = "executive", _("Executive")
    SALES_DIRECTOR = "sales_director", _("Sales director")
    MANAGER = "manager", _("Manager")
    SALESPERSON = "salesperson", _("Salesperson")
    FINANCE = "finance", _("Finance")
    MARKETING = "marketing", _("Marketing")


def viewer_roles(viewer: object) -> frozenset[str]:
    """The viewer's roles: the main ``role`` plus any ``extra_roles``."""
    roles = {getattr(viewer, "role", None)}
    roles.update(getattr(viewer, "extra_roles", None) or [])
    return frozenset(str(r) for r in roles if r)
