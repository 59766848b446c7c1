from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """What happened. Apps above the timeline add their kinds here as they arrive (visits)."""

    NOTE = "note", _("Note")
    STAGE_CHANGED = "stage_changed", _("Stage changed")
    OPPORTUNITY_CREATED = "opportunity_created", _("Opportunity created")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    CALL = "call", _("Call")
    TASK = "task", _("Task")
    VISIT = "visit", _("Visit")
    ORDER = "order", _("Order")
    INVOICE = "invoice", _("Invoice")
    COLLECTION = "collection", _("Collection")
    WARNING = "warning", _("Warning")
