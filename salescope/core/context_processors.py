from django.conf import settings
from django.http import HttpRequest

from salescope.core.navigation import navigation


def shell(request: HttpRequest) -> dict:
    """What the page shell needs on every page: the areas and the language choices."""
    return {
        "nav_areas": navigation(request.path) if request.user.is_authenticated else [],
        "shell_languages": settings.LANGUAGES,
    }
