"""Declared permissions: which roles may perform which write (R5).

Each write is declared once as ``"<app>.<entity>.<verb>"`` with the roles allowed to do it.
Services call :func:`require` before acting (so the page, the API, the CLI and imports all
refuse alike with 403), and every write route says which permission it needs:

* API operations carry ``openapi_extra={"x-permission": "org.unit.create"}`` (see
  :func:`api_permission`), so the generated test reads the table from the OpenAPI schema;
* page views are wrapped in :func:`requires`, which checks it and marks the view.

``tests/visibility/test_permissions.py`` walks every write route and fails for one that names
no declared permission, and checks each role against this table.

A permission limits *what kind* of write a role may make; *which records* it may make it on is
still :mod:`salescope.org.visibility` (``action="change"``). ``scoped=True`` permissions are
open to every role and rely on that record check alone (e.g. sharing your own customer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from salescope.core.errors import PermissionDenied
from salescope.org.choices import Role


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
    from salescope.org.visibility import viewer_roles

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


# The organisation's writes. Restructuring the company is the administrator's job; sharing a
# record is open to anyone who may change that record (checked through visibility).
UNIT_CREATE = declare("org.unit.create", roles=ADMIN_ONLY)
UNIT_CHANGE = declare("org.unit.change", roles=ADMIN_ONLY)
UNIT_DELETE = declare("org.unit.delete", roles=ADMIN_ONLY)
PERSON_CREATE = declare("org.person.create", roles=ADMIN_ONLY)
PERSON_CHANGE = declare("org.person.change", roles=ADMIN_ONLY)
PERSON_MOVE = declare("org.person.move", roles=ADMIN_ONLY)
PERSON_DEACTIVATE = declare("org.person.deactivate", roles=ADMIN_ONLY)
POSITION_CREATE = declare("org.position.create", roles=ADMIN_ONLY)
POSITION_CHANGE = declare("org.position.change", roles=ADMIN_ONLY)
POSITION_DELETE = declare("org.position.delete", roles=ADMIN_ONLY)
TERRITORY_CREATE = declare("org.territory.create", roles=ADMIN_ONLY)
TERRITORY_CHANGE = declare("org.territory.change", roles=ADMIN_ONLY)
TERRITORY_DELETE = declare("org.territory.delete", roles=ADMIN_ONLY)
ORG_IMPORT = declare("org.import.run", roles=ADMIN_ONLY)
SHARE_CREATE = declare("org.share.create", roles=EVERY_ROLE, scoped=True)
SHARE_DELETE = declare("org.share.delete", roles=EVERY_ROLE, scoped=True)
# Personal settings every signed-in person may change for themselves only.
SELF_SERVICE = declare("org.self.change", roles=EVERY_ROLE, scoped=True)
