"""Domain errors: raised by services and queries, mapped to HTTP in one place (``core.api``).

Each error carries a stable machine-readable ``code``, a translated human ``detail`` and, for
validation problems, ``fields`` mapping a field name to its messages. The API renders them as
``{"code", "detail", "fields"}``; pages show ``detail`` and put ``fields`` next to the inputs.
"""

import re
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    BAD_REQUEST = "bad_request"
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    STALE_VERSION = "stale_version"
    VALIDATION_FAILED = "validation_failed"
    RATE_LIMITED = "rate_limited"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    SERVER_ERROR = "server_error"


class DomainError(Exception):
    status = 400
    default_code: str = ErrorCode.BAD_REQUEST
    default_detail: Any = _("The request could not be processed.")

    def __init__(
        self,
        detail: Any = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = str(detail if detail is not None else self.default_detail)
        self.code = str(code or self.default_code)
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}
        self.extra = extra or {}
        super().__init__(self.detail)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.detail, "fields": self.fields}
        body.update(self.extra)
        return body


class BadRequest(DomainError):
    status = 400


class NotAuthenticated(DomainError):
    status = 401
    default_code = ErrorCode.NOT_AUTHENTICATED
    default_detail = _("Authentication is required.")


class PermissionDenied(DomainError):
    status = 403
    default_code = ErrorCode.PERMISSION_DENIED
    default_detail = _("You are not allowed to do this.")


class NotFound(DomainError):
    """Missing and invisible records raise this with the same body (R1)."""

    status = 404
    default_code = ErrorCode.NOT_FOUND
    default_detail = _("Not found.")


class Conflict(DomainError):
    status = 409
    default_code = ErrorCode.CONFLICT
    default_detail = _("The request conflicts with the current state of the record.")


class StaleVersion(Conflict):
    default_code = ErrorCode.STALE_VERSION
    default_detail = _("Someone else changed this record after you loaded it. Reload and retry.")


class ValidationFailed(DomainError):
    status = 422
    default_code = ErrorCode.VALIDATION_FAILED
    default_detail = _("Some fields are not valid.")


class RateLimited(DomainError):
    """Too many requests; ``retry_after`` seconds until one is allowed (the Retry-After)."""

    status = 429
    default_code = ErrorCode.RATE_LIMITED
    default_detail = _("Too many requests. Try again later.")

    def __init__(self, detail: Any = None, *, retry_after: int | None = None, **kw: Any) -> None:
        super().__init__(detail, **kw)
        self.retry_after = retry_after


class DuplicateKey(Conflict):
    """A unique constraint stopped an insert or update (two requests raced for one key)."""

    default_detail = _(
        "Another record with the same value was saved at the same moment. Reload and check."
    )


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")
_POSTGRES_KEY = re.compile(r"Key \((.+?)\)=")


def duplicate_key(error: Exception) -> DuplicateKey | None:
    """The conflict a unique violation means, naming its fields, or None for other errors.

    Services look a key up before inserting it, which two concurrent requests can both pass;
    the database's constraint then refuses the loser, and this turns that into a 409 instead
    of a server error (PostgreSQL: SQLSTATE 23505; SQLite: "UNIQUE constraint failed").
    """
    cause = error.__cause__
    columns: list[str] = []
    if getattr(cause, "sqlstate", None) == "23505":
        detail = getattr(getattr(cause, "diag", None), "message_detail", None) or ""
        match = _POSTGRES_KEY.search(detail)
        if match:
            columns = [c.strip().strip('"') for c in match.group(1).split(",")]
    else:
        match = _SQLITE_UNIQUE.search(str(error))
        if not match:
            return None
        columns = [c.strip().rsplit(".", 1)[-1] for c in match.group(1).split(",")]
    message = str(_("Another record already has this value."))
    fields = {c.removesuffix("_id"): [message] for c in columns if c}
    return DuplicateKey(fields=fields)
