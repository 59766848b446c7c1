"""The vocabularies of expenses: a claim's (报销单) status along its approval."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting the manager")
    MANAGER_APPROVED = "manager_approved", _("Awaiting finance")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


# A claim's records count as spending once finance approved them (paid ones stay counted).
SPENT = frozenset({ClaimStatus.APPROVED, ClaimStatus.PAID})
# The claimant may still change the records of a claim in these states (and resubmit it).
EDITABLE = frozenset({ClaimStatus.DRAFT, ClaimStatus.REJECTED})
