"""Declared permissions: which roles may perform which write (R5).

Each write is declared once as ``"<app>.<entity>.<verb>"`` with the roles allowed to do it, in
the app's own ``permissions.py``. Services call :func:`require` before acting (so the page, the
API, the CLI and imports all refuse alike with 403), and every write route says which
permission it needs:

* API operations carry ``openapi_extra={"x-permission": "org.unit.create"}`` (see
  :func:`api_permission`), so the generated test reads the table from the OpenAPI schema;
* page views are wrapped in :func:`requires`, which checks it and marks the view.

``tests/visibility/test_permissions.py`` walks every write route and fails for one that names
no declared permission, and checks each role against this table.

A permission limits *what kind* of write a role may make; *which records* it may make it on is
still record visibility (``core.ownership``, ``org.visibility``, ``action="change"``).
``scoped=True`` permissions are open to every role and rely on that record check alone (e.g.
sharing your own customer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from salescope.core.errors import PermissionDenied
from salescope.core.roles import Role, viewer_roles


@dataclass(frozen=True)
class Permission:
    code: str
    roles: frozenset[str]
    scoped: bool = False
    description: str = ""


REGISTRY: dict[str, Permission] = {}

ADMIN_ONLY = frozenset({Role.ADMINISTRATOR})
EVERY_ROLE = frozenset(Role.values)


def declare(
    code: str, *, roles: Iterable[str], scoped: bool = False, description: str = ""
) -> Permission:
    """Declare (or re-declare identically) a permission; returns it."""
    permission = Permission(code, frozenset(str(r) for r in roles), scoped, description)
    existing = REGISTRY.get(code)
    if existing is not None and existing != permission:
        raise ValueError(f"permission {code!r} declared twice with different roles")
    REGISTRY[code] = permission
    return permission


def roles_of(actor: Any) -> frozenset[str]:
    return viewer_roles(actor)


def allows(actor: Any, code: str) -> bool:
    """Whether ``actor``'s roles may perform ``code``. Undeclared permissions allow no one."""
    permission = REGISTRY.get(code)
    if permission is None:
        return False
    if actor is None:  # trusted internal callers: demo loader, migrations, system jobs
        return True
    if not (getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)):
        return False
    return bool(roles_of(actor) & permission.roles)


def require(actor: Any, code: str) -> None:
    """Raise :class:`PermissionDenied` (403) unless ``actor`` may perform ``code``."""
    if not allows(actor, code):
        raise PermissionDenied()


def api_permission(code: str) -> dict[str, str]:
    """``openapi_extra`` for a ninja write operation: ``openapi_extra=api_permission(...)``."""
    if code not in REGISTRY:
        raise KeyError(f"undeclared permission {code!r}")
    return {"x-permission": code}


def requires(code: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a page view with the permission it needs; refuse others with 403 before running."""
    if code not in REGISTRY:
        raise KeyError(f"undeclared permission {code!r}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if request.method == "POST":
                require(request.user, code)
            return view(request, *args, **kwargs)

        wrapped.salescope_permission = code  # type: ignore[attr-defined]
        return wrapped

    return decorate


# The shared kernel's own writes. The work calendar (public holidays and make-up working days)
# is company-wide settings.
CALENDAR_CHANGE = declare("core.calendar.change", roles=ADMIN_ONLY)
