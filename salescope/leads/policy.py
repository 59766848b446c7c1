"""The pool's numbers, from settings (defaults in parentheses).

``LEADS_RECYCLE_DAYS`` (14): a lead nobody worked for this many days returns to the pool (公海).
``LEADS_CLAIM_LIMIT`` (20): open leads a salesperson may hold when claiming from the pool.
``LEADS_SLA_HOURS`` (48): time from assignment to first contact before a lead is overdue.
``LEADS_NURTURE_DAYS`` (30): when a nurtured lead is looked at again, unless given a date.
``LEADS_CAPTURE_PER_MINUTE`` (30): leads one web form key (and one client address) may post
per minute.
"""

from django.conf import settings


def recycle_days() -> int:
    return int(getattr(settings, "LEADS_RECYCLE_DAYS", 14))


def claim_limit() -> int:
    return int(getattr(settings, "LEADS_CLAIM_LIMIT", 20))


def sla_hours() -> int:
    return int(getattr(settings, "LEADS_SLA_HOURS", 48))


def nurture_days() -> int:
    return int(getattr(settings, "LEADS_NURTURE_DAYS", 30))


def capture_per_minute() -> int:
    return int(getattr(settings, "LEADS_CAPTURE_PER_MINUTE", 30))
