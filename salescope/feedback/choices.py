"""The vocabularies of feedback: kinds of market intelligence, problem severity and status."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IntelKind(models.TextChoices):
    COMPETITOR = "competitor", _("Competitor move")
    PRICE = "price", _("Price")
    CUSTOMER_NEED = "customer_need", _("Customer need")
    DEALER_REQUEST = "dealer_request", _("Dealer request")
    PRODUCT_PROBLEM = "product_problem", _("Product problem")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class GuidanceKind(models.TextChoices):
    COACHING = "coaching", _("Coaching note")
    INSTRUCTION = "instruction", _("Instruction")


class GuidanceStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    FOLLOWED_UP = "followed_up", _("Followed up")


# Days a problem's owner gets, by severity, before it goes to the next manager up.
ESCALATION_DAYS = {
    Severity.LOW: 7,
    Severity.MEDIUM: 3,
    Severity.HIGH: 2,
    Severity.CRITICAL: 1,
}


class CaseOutcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
