from django.db import models
from django.utils.translation import gettext_lazy as _

from salescope.core.roles import Role

__all__ = ["Role", "ShareAccess", "TerritoryKind", "UnitKind"]  # Role lives in core.roles


class UnitKind(models.TextChoices):
    COMPANY = "company", _("Company")
    REGION = "region", _("Region")
    BRANCH = "branch", _("Branch")
    TEAM = "team", _("Team")
    DEPARTMENT = "department", _("Department")


class TerritoryKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    AREA = "area", _("Area")


class ShareAccess(models.TextChoices):
    VIEW = "view", _("Read only")
    CHANGE = "change", _("Read and write")
