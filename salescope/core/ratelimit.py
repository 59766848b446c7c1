"""Per-person allowance for heavy exports and reports (R20): 429 with Retry-After when spent.

A heavy endpoint (a spreadsheet export, a summary over the whole ledger) calls :func:`spend`
with a bucket name. Each person may make ``HEAVY_REQUESTS_PER_WINDOW`` such requests per
``HEAVY_REQUEST_WINDOW_SECONDS`` (fixed windows, counted in Django's cache); the next one is
refused with :class:`~salescope.core.errors.RateLimited` carrying the seconds until the window
ends, which the API and the pages send as ``Retry-After``.

The count lives in the default cache. With the default in-process cache each server process
counts on its own, so N processes allow up to N times the allowance; configure a shared cache
(``CACHES``) for an exact limit.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache

from salescope.core.errors import RateLimited


def _now() -> float:
    return time.time()


def spend(user: object, bucket: str = "heavy") -> None:
    """Count one heavy request of ``user``; :class:`RateLimited` if the allowance is spent."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return  # anonymous requests never reach a heavy endpoint (401 first)
    limit = int(getattr(settings, "HEAVY_REQUESTS_PER_WINDOW", 20))
    window = int(getattr(settings, "HEAVY_REQUEST_WINDOW_SECONDS", 60))
    now = _now()
    window_no = int(now // window)
    key = f"ratelimit:{bucket}:{pk}:{window_no}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        retry_after = max(1, math.ceil((window_no + 1) * window - now))
        raise RateLimited(retry_after=retry_after)
