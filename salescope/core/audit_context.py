"""Where the current write comes from (page, API, CLI, import, system), for the audit trail.

Entry points set it once; services never pass it around. A context variable keeps concurrent
requests in threads apart.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditSource(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


_source: ContextVar[str] = ContextVar("audit_source", default=AuditSource.SYSTEM)
_remote_addr: ContextVar[str | None] = ContextVar("audit_remote_addr", default=None)


def current_source() -> str:
    return _source.get()


def current_remote_addr() -> str | None:
    return _remote_addr.get()


@contextmanager
def audit_source(source: str, remote_addr: str | None = None) -> Iterator[None]:
    source_token = _source.set(source)
    addr_token = _remote_addr.set(remote_addr)
    try:
        yield
    finally:
        _source.reset(source_token)
        _remote_addr.reset(addr_token)
