"""Tags of the customer pages (and the ledger pages that share their tabs)."""

from typing import Any

from django import template
from django.urls import resolve, reverse

from salescope.org.permissions import allows

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open(context: dict[str, Any], url_name: str) -> bool:
    """Whether the viewer holds the permission the page at ``url_name`` declares with
    ``org.permissions.requires`` (pages declaring none are open), so a tab is offered only to
    those who may use its page: ``{% may_open "ledger:imports" as ok %}{% if ok %}…``."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    view = resolve(reverse(url_name)).func
    code = getattr(view, "salescope_permission", None)
    return code is None or allows(user, code)
