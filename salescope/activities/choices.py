from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VisitType(models.TextChoices):
    ROUTINE = "routine", _("Routine visit")
    NEW_CUSTOMER = "new_customer", _("New customer development")
    ORDER = "order", _("Order taking")
    COLLECTION = "collection", pgettext_lazy("visit purpose", "Collection")
    MERCHANDISING = "merchandising", _("Store check & display")
    COMPLAINT = "complaint", _("Complaint handling")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("Checked in")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class VisitOutcome(models.TextChoices):
    ORDER_TAKEN = "order_taken", _("Order taken")
    FOLLOW_UP = "follow_up", _("Follow-up needed")
    INFORMATION = "information", _("Information gathered")
    PAYMENT = "payment", _("Payment collected")
    NO_RESULT = "no_result", _("No result")
    NOT_MET = "not_met", _("Contact not met")


class CoveragePeriod(models.TextChoices):
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")


class ReportKind(models.TextChoices):
    DAILY = "daily", _("Daily report")
    WEEKLY = "weekly", _("Weekly report")
    MONTHLY = "monthly", _("Monthly report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")


class ItemKind(models.TextChoices):
    CHECK = "check", _("Done / not done")
    NUMBER = "number", pgettext_lazy("checklist answer", "Number")
    TEXT = "text", _("Text")
