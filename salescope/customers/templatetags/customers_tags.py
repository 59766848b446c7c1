"""Tags of the customer pages (and the ledger pages that share their tabs)."""

import functools
from typing import Any

from django import template
from django.urls import get_resolver, get_script_prefix, get_urlconf, resolve, reverse

from salescope.org.permissions import allows

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open(context: dict[str, Any], url_name: str) -> bool:
    """Whether the viewer holds the permission the page at ``url_name`` declares with
    ``org.permissions.requires`` (pages declaring none are open), so a tab is offered only to
    those who may use its page: ``{% may_open "ledger:imports" as ok %}{% if ok %}…``."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    code = _declared_permission(url_name, get_resolver(get_urlconf()), get_script_prefix())
    return code is None or allows(user, code)


@functools.lru_cache(maxsize=256)
def _declared_permission(url_name: str, resolver: Any, prefix: str) -> str | None:
    """The permission the page at ``url_name`` declares, looked up once per URL configuration
    (the resolver: a new one after the URLs change) and script prefix: a reverse and a resolve
    were ~0.1 ms per tab on every page that shows the tabs (issue 20 item 9)."""
    view = resolve(reverse(url_name)).func
    return getattr(view, "salescope_permission", None)
