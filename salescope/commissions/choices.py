"""Statuses and bases of commission plans and statements (提成, G5)."""

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


class CommissionErrorCode(models.TextChoices):
    PLAN_FROZEN = "commission_plan_frozen", _("An approved commission plan cannot change")
    STATEMENT_FROZEN = "commission_statement_frozen", _("An approved statement cannot change")
    ASSIGNED_TWICE = "commission_assigned_twice", _("Already assigned to another plan")
