"""States, item kinds and scoring rules of evaluation (G3, G4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ItemKind(models.TextChoices):
    KPI = "kpi", _("KPI")
    ATTAINMENT = "attainment", _("Attainment of a plan metric")
    RATING = "rating", _("Manager's rating")


class ScoringRule(models.TextChoices):
    LINEAR = "linear", _("Linear to target")
    CAPPED = "capped", _("Linear to target, capped")
    THRESHOLD = "threshold", _("Nothing below a threshold, then linear (capped)")
    BANDS = "bands", _("Bands")


class ScorecardStatus(models.TextChoices):
    COMPUTED = "computed", _("Computed")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    APPEALED = "appealed", _("Appealed")


class PlanStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


DEFAULT_CRITERIA = (
    ("teamwork", _("Teamwork")),
    ("enthusiasm", _("Enthusiasm")),
    ("responsibility", _("Responsibility")),
)
