"""Request-wide concerns: session lifetime, the user's language, the audit source."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.client_ip import client_ip
from salescope.core.errors import (
    BadRequest,
    DomainError,
    ErrorCode,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)

SESSION_LOGIN_AT = "salescope_login_at"
SESSION_RENEWED_AT = "salescope_renewed_at"
# The idle expiry is pushed back at most this often: renewing it is a write of the session row
# (and a Set-Cookie), which on every page was a database write per click (issue 20 item 9).
# An idle session therefore ends between SESSION_COOKIE_AGE - this and SESSION_COOKIE_AGE after
# the last request.
SESSION_RENEW_SECONDS = 60

Handler = Callable[[HttpRequest], HttpResponse]


class SessionLifetimeMiddleware:
    """Ends a session past its absolute lifetime, whatever the activity, and renews its idle
    expiry on activity, at most once every SESSION_RENEW_SECONDS (R19)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            login_at = request.session.get(SESSION_LOGIN_AT)
            if login_at is None:
                request.session[SESSION_LOGIN_AT] = now
            elif now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return self.get_response(request)
            renewed_at = request.session.get(SESSION_RENEWED_AT)
            if renewed_at is None or not 0 <= now - renewed_at < SESSION_RENEW_SECONDS:
                # A changed session is saved with a fresh expiry and cookie (SessionMiddleware).
                request.session[SESSION_RENEWED_AT] = now
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
        with audit_source(source, remote_addr=client_ip(request)):
            return self.get_response(request)


class MethodNotAllowed(DomainError):
    status = 405
    default_code = ErrorCode.METHOD_NOT_ALLOWED
    default_detail = translation.gettext_lazy("This method is not allowed here.")


class ServerError(DomainError):
    status = 500
    default_code = ErrorCode.SERVER_ERROR
    default_detail = translation.gettext_lazy("Internal error. It has been logged.")


_ERRORS_BY_STATUS: dict[int, type[DomainError]] = {
    400: BadRequest,
    401: NotAuthenticated,
    403: PermissionDenied,
    404: NotFound,
    405: MethodNotAllowed,
    422: ValidationFailed,
    429: RateLimited,
}


class ApiErrorBodyMiddleware:
    """Every error under /api/ leaves as ``{"code","detail","fields"}`` JSON, never as HTML.

    Ninja's handlers already answer in JSON; this catches what happens outside them: unknown
    paths (404), a wrong method (405), Django's CSRF refusal and server errors (500, whose
    page could otherwise carry a traceback when DEBUG is on).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            error = _ERRORS_BY_STATUS.get(status, ServerError if status >= 500 else BadRequest)()
            json_response = JsonResponse(error.as_dict(), status=status)
            if response.has_header("Allow"):
                json_response["Allow"] = response["Allow"]
            if response.has_header("Retry-After"):
                json_response["Retry-After"] = response["Retry-After"]
            return json_response
        return response
