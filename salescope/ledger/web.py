"""Helpers shared by the customer, catalogue and ledger pages."""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from salescope.core.errors import NotFound, PermissionDenied
from salescope.core.paging import capped_page

PAGE_SIZE = 50


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in; missing or invisible → the 404 page (R1); forbidden → 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied:
            raise DjangoPermissionDenied from None

    return wrapped


def paginate(request: HttpRequest, queryset: Any, count: int | None = None) -> Any:
    """A page of ``queryset``; the total is counted only as far as needed (core/paging.py),
    or not at all when ``count`` is known."""
    return capped_page(queryset, PAGE_SIZE, request.GET.get("page"), count)


def date_param(request: HttpRequest, name: str, default: dt.date | None = None) -> dt.date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return default


def int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    return int(raw) if raw.isdigit() else None
