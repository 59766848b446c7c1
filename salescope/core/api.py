"""API plumbing shared by every app: authentication, error bodies, the core endpoints.

All errors leave the API as ``{"code", "detail", "fields"}`` with the status of the domain
error; nothing reaches the client as a traceback.
"""

import logging
from typing import Any

from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from salescope.core.errors import (
    DomainError,
    NotAuthenticated,
    NotFound,
    ValidationFailed,
    duplicate_key,
)

logger = logging.getLogger(__name__)

# Parameter containers that ninja puts first in an error location; they are not field names.
_LOCATION_ROOTS = {"body", "query", "path", "form", "header", "cookie", "file"}


def _field_name(location: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in _LOCATION_ROOTS:
        parts = parts[1:]
    # ninja nests a body under the handler's parameter name (e.g. "payload").
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def _error(api: NinjaAPI, request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(request, error.as_dict(), status=error.status)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return _error(api, request, exc)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for item in exc.errors:
            fields.setdefault(_field_name(item.get("loc", ())), []).append(str(item.get("msg")))
        return _error(api, request, ValidationFailed(fields=fields))

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return _error(api, request, NotAuthenticated())

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(api, request, NotFound())

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        body = DomainError(exc.message, code=_http_code(exc.status_code))
        body.status = exc.status_code
        return _error(api, request, body)

    @api.exception_handler(IntegrityError)
    def integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        conflict = duplicate_key(exc)
        if conflict is not None:
            return _error(api, request, conflict)
        return server_error(request, exc)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        body = DomainError(_("Internal error. It has been logged."), code="server_error")
        body.status = 500
        return _error(api, request, body)


def _http_code(status: int) -> str:
    return {
        400: "bad_request",
        401: "not_authenticated",
        403: "permission_denied",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        422: "validation_failed",
        429: "rate_limited",
    }.get(status, "error")


class ErrorOut(Schema):
    code: str
    detail: str
    fields: dict[str, list[str]]


class HealthOut(Schema):
    status: str
    time: str


router = Router(tags=["core"])


@router.get("/health", auth=None, response=HealthOut, summary="Liveness and database check")
def health(request: HttpRequest) -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "time": timezone.now().isoformat()}
