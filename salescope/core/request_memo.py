"""What a request that changes nothing may read once and reuse (``ReadOnlyRequestMiddleware``).

A page reads what its viewer manages for its list, again for its filters and its pager's share
test (issue 20 item 9: the team lead's sales-line page read the org tree twice and counted
everyone). Within a GET nothing changes the org tree, so the reads are kept for the request's
lifetime only; a write (POST…) reads afresh each time, as does anything outside a request.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

T = TypeVar("T")

_memo: ContextVar[dict[Any, Any] | None] = ContextVar("salescope_request_memo", default=None)


def remembered(key: Any, read: Callable[[], T]) -> T:
    """``read()``, once per read-only request for ``key`` (every time outside one)."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def remember(key: Any, value: Any) -> None:
    """Keep ``value`` for ``key`` in a read-only request (nothing outside one)."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


@contextmanager
def read_only_request() -> Iterator[None]:
    """A scope in which ``remembered`` keeps what it reads (a GET's, or a test's)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class ReadOnlyRequestMiddleware:
    """Opens the memo for a GET, HEAD or OPTIONS request; it ends with the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        with read_only_request():
            return self.get_response(request)
