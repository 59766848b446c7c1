from typing import Any

from django import template

from salescope.org.permissions import allows
from salescope.pipeline import permissions as perms

register = template.Library()


@register.simple_tag(takes_context=True)
def may_configure_pipelines(context: Any) -> bool:
    """Whether the signed-in person may configure pipelines (the settings tab is shown)."""
    return allows(context["request"].user, perms.PIPELINE_CONFIGURE.code)
