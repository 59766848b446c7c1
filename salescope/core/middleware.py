"""Request-wide concerns: session lifetime, the user's language, the audit source."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from salescope.core.audit_context import AuditSource, audit_source

SESSION_LOGIN_AT = "salescope_login_at"

Handler = Callable[[HttpRequest], HttpResponse]


class SessionLifetimeMiddleware:
    """Ends a session past its absolute lifetime, whatever the activity (R19)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            login_at = request.session.get(SESSION_LOGIN_AT)
            if login_at is None:
                request.session[SESSION_LOGIN_AT] = time.time()
            elif time.time() - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's (after LocaleMiddleware)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = getattr(request.user, "language", "")
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class AuditSourceMiddleware:
    """Marks writes made during this request as coming from the API or a page."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.PAGE
        with audit_source(source, remote_addr=request.META.get("REMOTE_ADDR")):
            return self.get_response(request)
