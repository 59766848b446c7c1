"""Page handler plumbing for the plan and tracking pages."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from salescope.core.errors import NotFound, PermissionDenied


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in only; missing or invisible → the 404 page (same as a missing id, R1);
    visible but forbidden → the 403 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied:
            raise DjangoPermissionDenied from None

    return login_required(wrapped)
