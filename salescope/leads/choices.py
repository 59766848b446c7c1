from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadSource(models.TextChoices):
    WEBSITE = "website", _("Website form")
    EXHIBITION = "exhibition", _("Exhibition")
    REFERRAL = "referral", _("Referral")
    PHONE = "phone", _("Inbound call")
    ADVERTISING = "advertising", _("Advertising")
    SOCIAL = "social", _("Social media")
    EVENT = "event", _("Seminar / event")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    NURTURE = "nurture", _("Nurturing (市场部培育)")
    POOL = "pool", _("In the pool (公海)")
    ASSIGNED = "assigned", _("Assigned")
    WORKING = "working", _("Contacted")
    CONVERTED = "converted", _("Converted")
    DISQUALIFIED = "disqualified", _("Disqualified")


OPEN_STATUSES = (LeadStatus.ASSIGNED, LeadStatus.WORKING)


class CriterionKind(models.TextChoices):
    OPTIONS = "options", _("Options with points")
    SCALE = "scale", _("Number scale")


class RuleStrategy(models.TextChoices):
    WORKLOAD = "workload", _("Fewest open leads and opportunities")
    ROUND_ROBIN = "round_robin", _("Round robin")


class AssignmentKind(models.TextChoices):
    RULE = "rule", _("Distribution rule")
    CLAIM = "claim", _("Claimed from the pool")
    REASSIGN = "reassign", _("Reassigned by a manager")
    RECYCLE = "recycle", _("Returned to the pool")
    NURTURE = "nurture", _("Sent to nurturing")


class LeadErrorCode(StrEnum):
    """Stable ``code`` values of this app's errors (core.errors: ``{code, detail, fields}``)."""

    NOT_IN_POOL = "not_in_pool"
    ALREADY_CLAIMED = "already_claimed"
    CLAIM_LIMIT = "claim_limit"
    NOT_CONVERTIBLE = "not_convertible"
    NOT_QUALIFIED = "not_qualified"
