"""Page plumbing every app's views share: sign-in, errors as pages, paging, query parameters.

A page handler is wrapped in :func:`page` (signed in; a missing or hidden record → the 404
page, the same as a missing id (R1); a visible record one may not change → the 403 page).
Writes show a service's error next to the fields it names with :func:`form_error`.
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from salescope.core.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    RateLimited,
    duplicate_key,
)
from salescope.core.paging import capped_page

PAGE_SIZE = 50


def page_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Missing or invisible → the 404 page (R1); visible but forbidden → the 403 page; a key
    taken by a concurrent request → the 409 page; a spent allowance (core.ratelimit) → 429."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied:
            raise DjangoPermissionDenied from None
        except RateLimited as error:
            response = render(request, "429.html", {"detail": error.detail}, status=429)
            response["Retry-After"] = str(error.retry_after or 60)
            return response
        except IntegrityError as error:
            # Two requests raced for one key and the database stopped the second (409).
            conflict = duplicate_key(error)
            if conflict is None:
                raise
            return render(request, "409.html", {"detail": conflict.detail}, status=409)

    return wrapped


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in only, with :func:`page_errors`."""
    return login_required(page_errors(view))


def form_error(form: Any, error: DomainError) -> int:
    """Put a service's error next to the fields it names (or on the form); its status."""
    if not error.fields:
        form.add_error(None, error.detail)
    for name, msgs in error.fields.items():
        for message in msgs:
            form.add_error(name if name in form.fields else None, message)
    return error.status


def paginate(request: HttpRequest, queryset: Any, count: int | None = None) -> Any:
    """A page of ``queryset``; the total is counted only as far as needed (core/paging.py),
    or not at all when ``count`` is known."""
    return capped_page(queryset, PAGE_SIZE, request.GET.get("page"), count)


_PK_SLOT = 918273645  # stands for the id in a URL reversed once for many rows


def url_for_each(name: str) -> Callable[[int], str]:
    """``pk → reverse(name, args=[pk])`` for a list's rows, reversed once: ``reverse`` costs
    ~60 µs, 50 rows a page (issue 20 item 9). ``name`` takes one integer id."""
    head, slot, tail = reverse(name, args=[_PK_SLOT]).rpartition(str(_PK_SLOT))
    assert slot, name
    return lambda pk: f"{head}{int(pk)}{tail}"


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
