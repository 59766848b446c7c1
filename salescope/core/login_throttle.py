"""How long a login lockout has left (R20), for the 429 page and its Retry-After.

The lockout began at the failure that reached ``AXES_FAILURE_LIMIT``: attempts while locked
are not recorded (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so that
attempt's time stays put and the lockout ends ``AXES_COOLOFF_TIME`` after it.
"""

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def seconds_left(request: HttpRequest, credentials: object = None) -> float:
    cooloff = settings.AXES_COOLOFF_TIME.total_seconds()
    began = (
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=getattr(request, "axes_ip_address", None),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if began is None:
        return cooloff
    return min(cooloff, max(1.0, cooloff - (timezone.now() - began).total_seconds()))
