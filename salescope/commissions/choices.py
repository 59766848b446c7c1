"""Statuses and bases of commission plans and statements (提成, G5)."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Base(models.TextChoices):
    """What the commission is a percentage of."""

    SALES_AMOUNT = "sales_amount", _("Sales amount")
    GROSS_PROFIT = "gross_profit", _("Gross profit")
    COLLECTIONS = "collections", _("Collections")


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class CommissionErrorCode(StrEnum):
    """Stable ``code`` values of this app's errors (core.errors: ``{code, detail, fields}``)."""

    PLAN_FROZEN = "commission_plan_frozen"  # an approved commission plan cannot change
    STATEMENT_FROZEN = "commission_statement_frozen"  # an approved statement cannot change
    ASSIGNED_TWICE = "commission_assigned_twice"  # already assigned to another plan
