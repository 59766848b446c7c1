"""Pages of the shared kernel: the sign-in lockout and the refused-form page."""

import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from salescope.core import login_throttle


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: object = None
) -> HttpResponse:
    """What django-axes shows after too many failed logins (R20): 429, and how long is left.

    The lockout began at the failure that reached the limit (attempts while locked are not
    recorded, AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), and ends the cool-off after it.
    """
    seconds = math.ceil(login_throttle.seconds_left(request, credentials))
    context = {"cooloff_minutes": math.ceil(seconds / 60)}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused write (R18) in the app's own words and language, instead of Django's page."""
    context = {
        "reason": _(
            "The form has expired or did not come from Salescope. Reload the page and try again."
        )
    }
    return render(request, "403.html", context, status=403)
