"""API plumbing shared by every app: authentication, error bodies, the core endpoints.

All errors leave the API as ``{"code", "detail", "fields"}`` with the status of the domain
error; nothing reaches the client as a traceback.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DataError, IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from pydantic import BaseModel, ConfigDict

from salescope.core.bounds import MAX_OFFSET
from salescope.core.errors import (
    BadRequest,
    DomainError,
    ErrorCode,
    NotAuthenticated,
    NotFound,
    ValidationFailed,
    duplicate_key,
)
from salescope.core.paging import count_up_to

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
    response = api.create_response(request, error.as_dict(), status=error.status)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


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

    @api.exception_handler(OverflowError)
    def overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # A safety net: every numeric parameter is bounded (core.bounds); should one be
        # missed, a number too large for the database is still the client's error.
        return _error(api, request, ValidationFailed(_("A number is out of range.")))

    @api.exception_handler(DataError)
    def data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        # PostgreSQL: numeric value (22003) or date/time field (22008) out of range.
        if getattr(exc.__cause__, "sqlstate", None) in {"22003", "22008"}:
            return _error(api, request, ValidationFailed(_("A number is out of range.")))
        return server_error(request, exc)

    @api.exception_handler(MultiPartParserError)
    def bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        return _error(api, request, BadRequest(_("The uploaded form data is malformed.")))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error on %s %s", request.method, request.path)
        body = DomainError(_("Internal error. It has been logged."), code=ErrorCode.SERVER_ERROR)
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


# Statuses any operation may answer with an error body: a malformed body (400), no or a bad
# token (401), a forbidden action (403), a missing or invisible record (404), invalid or
# out-of-range input (422), too many requests (429); writes also a conflict (409).
COMMON_ERROR_STATUSES = (400, 401, 403, 404, 422, 429)
WRITE_ERROR_STATUSES = (409,)
_WRITE_METHODS = {"post", "put", "patch", "delete"}


class SalescopeAPI(NinjaAPI):
    """The API whose schema documents the error statuses every operation can answer (R22)."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorOut", ErrorOut.json_schema())
        error = {
            "description": "Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for path in schema.get("paths", {}).values():
            for method, operation in path.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                statuses: tuple[int, ...] = COMMON_ERROR_STATUSES
                if method in _WRITE_METHODS:
                    statuses = (*statuses, *WRITE_ERROR_STATUSES)
                for status in statuses:
                    operation["responses"].setdefault(status, error)
        return schema


def field_of(obj: Any, name: str) -> Any:
    """An output's value under another name (a model attribute or a dict key).

    Out schemas resolve renamed values with this rather than a pydantic alias: ninja writes
    the alias into the OpenAPI schema but answers with the field's name (R22).
    """
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name)


class OutSchema(BaseModel):
    """An answer that pydantic-core reads straight from the model's attributes (or a dict).

    ninja's ``Schema`` wraps every object in a Python getter that resolves each attribute in
    turn: on a page of 50 customers that is 1.5 of the request's ~9 ms of CPU, against 0.2 ms
    here (issue 20 item 9). Long lists' rows derive from this. A value under another name is a
    ``validation_alias``: the answer and the OpenAPI schema keep the field's name.
    """

    model_config = ConfigDict(from_attributes=True)


class InputSchema(Schema):
    """A request body: a field it does not declare is refused by name (422), never ignored."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Rows:
    """A long list read as values (a ``values_list`` queryset), and what makes the answer's row
    of each: a handler returns it to the pager instead of a queryset of model instances.

    On a page of 50 customers the instances (each customer and its owner) cost ~1 ms of ~5 ms of
    Python per request, for a row the answer reads a dozen values of (issue 20 item 9). The
    pager counts and slices ``queryset`` as any other, then makes only the page's rows.
    """

    queryset: QuerySet
    row: Callable[[Any], Any]


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """ninja's ?limit=&offset= paging with an offset the databases can hold (R22), and a count
    that reaches one row past the page asked for, read with the page itself.

    Any count is a second query over what the viewer may see: at 100k customers a regional
    manager's count to 1,000 cost as much as the page (planning and scan, ~1.4 ms of ~7 ms per
    call, issue 20 item 9). So the page is read one row long: ``count`` is the rows up to the
    page's end, and one more with ``count_capped`` when there are more, as cursor-paged APIs
    answer ``has_more``. A page past the end counts the rows before it. A client that needs the
    total asks for it with ``exact_count=true``.
    """

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
        exact_count: bool = Field(
            False,
            description="Count every row (slower on long lists) instead of reading one row "
            "past the page.",
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description="Rows in the list, or at least this many if count_capped: the rows up "
            "to the end of this page, and one more when there are more."
        )
        count_capped: bool = Field(
            False,
            description="True when rows follow this page: there are at least count rows (ask "
            "exact_count=true for the total).",
        )

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        row = None
        if isinstance(queryset, Rows):
            queryset, row = queryset.queryset, queryset.row
        offset = pagination.offset
        limit: int = min(pagination.limit, self.max_limit)
        if pagination.exact_count or not hasattr(queryset, "query"):
            count, capped = self._items_count(queryset), False
            items = list(queryset[offset : offset + limit])
        else:
            items = list(queryset[offset : offset + limit + 1])
            capped = len(items) > limit
            del items[limit:]
            if items or offset == 0:
                count = offset + len(items) + capped
            else:  # past the end: the rows there are, all before the offset
                count = count_up_to(queryset, offset)
        return {
            self.items_attribute: items if row is None else [row(values) for values in items],
            "count": count,
            "count_capped": capped,
        }


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
