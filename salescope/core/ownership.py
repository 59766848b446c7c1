"""Who a record belongs to, and the default manager that makes every read say who is reading.

Every model that belongs to someone declares, once, how its owner is reached, and takes the
restricted manager as its default::

    class Customer(models.Model):
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
        ownership = Ownership(person="owner", roles={Role.FINANCE: {"view"}})
        objects = RestrictedManager()

A read of such a model must then decide its visibility before it runs (I2, R1, R2):

* ``Customer.objects.visible_to(viewer, "view")`` — narrowed by the one rule
  (``salescope.org.visibility``), for everything a person asks for: lists, details, exports,
  reports, choices in a form;
* ``Customer.objects.unrestricted()`` — the system itself reads (services checking a natural
  key, background evaluation, imports, the demo loader); say why in a comment where it is not
  obvious. The architecture test refuses it in pages, API handlers and ``queries.py``.
* ``viewer=SYSTEM`` — the system reads through code written for a viewer (a report such as
  target vs actual, run by background evaluation): the rule narrows nothing for :data:`SYSTEM`,
  so what the system measures never depends on a person's post, or on whether they still work
  here. Background work never reads as a person (a plan's owner, a job's creator).

A query that decided neither raises :class:`UndecidedVisibility` when it runs, so a forgotten
narrowing fails loudly instead of showing everything. Reads through a record already held
(``customer.contacts.all()``, ``order.customer``) follow that record and need no decision.

The rule itself is ``org``'s (the org tree, shares, roles): it registers with
:func:`register_rule` when the app loads, so this module, on the ground floor, imports no app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from salescope.core.roles import Role, viewer_roles

VIEW = "view"
CHANGE = "change"
DELETE = "delete"
ALL = "*"

DEFAULT_ACTIONS = frozenset({VIEW, CHANGE, DELETE})

# Roles that see and act on every sales record of the company, whatever unit owns it.
SALES_WIDE: Mapping[str, str | frozenset[str]] = {
    Role.ADMINISTRATOR: ALL,
    Role.EXECUTIVE: ALL,
    Role.SALES_DIRECTOR: ALL,
}


@dataclass(frozen=True)
class Ownership:
    """How a model's records belong to people and units. Declared once per owned model.

    ``person`` and ``unit`` are ORM paths from the model to a person (``org.User``) and to an
    ``org.OrgUnit``; they may traverse relations (``"invoice__customer__owner"``). A person
    model itself uses ``person="id"``; a unit model ``unit="id"``.

    ``actions`` are the actions this model knows; any other action fails closed.
    ``owner_actions`` are those the owner and the managers above them get (default: all).
    ``company_roles`` are the roles with a company-wide grant (default: administrator,
    executive, sales director: everything); ``roles`` adds to or overrides them per role, with
    a set of actions or ``"*"`` for all. ``everyone`` lists actions any signed-in person gets.
    ``shareable`` says whether record shares apply (the pk must be an integer).
    ``view_via`` names reverse relations through which a record is also *seen*: a plan is
    visible to whoever may see one of its ``targets`` (everyone who must deliver a part of a
    plan may read it).
    """

    person: str | None = None
    unit: str | None = None
    roles: Mapping[Any, Iterable[str] | str] = field(default_factory=dict)
    actions: Iterable[str] = DEFAULT_ACTIONS
    owner_actions: Iterable[str] | None = None
    company_roles: Mapping[Any, Iterable[str] | str] = field(default_factory=lambda: SALES_WIDE)
    everyone: Iterable[str] = frozenset()
    shareable: bool = True
    view_via: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "actions", frozenset(self.actions))
        owner = self.actions if self.owner_actions is None else frozenset(self.owner_actions)
        object.__setattr__(self, "owner_actions", owner)
        object.__setattr__(self, "everyone", frozenset(self.everyone))
        grants: dict[str, frozenset[str]] = {}
        for role, acts in {**self.company_roles, **self.roles}.items():
            grants[str(role)] = self.actions if acts == ALL else frozenset(acts)  # type: ignore[assignment]
        object.__setattr__(self, "_grants", grants)
        undeclared = (owner | self.everyone | set().union(*grants.values())) - self.actions  # type: ignore[operator]
        if undeclared:
            raise ValueError(f"Ownership grants undeclared actions: {sorted(undeclared)}")

    def role_grants(self, role: str) -> frozenset[str]:
        return self._grants.get(str(role), frozenset())  # type: ignore[attr-defined]

    def declares(self, action: str) -> bool:
        return action in self.actions


def ownership_of(model: type[models.Model]) -> Ownership | None:
    declared = getattr(model, "ownership", None)
    return declared if isinstance(declared, Ownership) else None


class SystemViewer:
    """The system itself as a viewer: background evaluation, scheduled tasks, imports.

    The visibility rule narrows nothing for it (every record, every declared action), and
    :func:`can` grants it every declared action. It is no person: it has no id, no roles and no
    unit, owns nothing (``own_records`` finds nothing) and is not an active viewer for anything
    that asks for a person (an audit entry's actor, a page). Use the one instance,
    :data:`SYSTEM`.
    """

    pk = None
    id = None
    unit_id = None
    role = None
    extra_roles: tuple[str, ...] = ()
    is_authenticated = False
    is_active = False
    is_anonymous = False
    is_superuser = False
    username = "system"
    display_name = "system"

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self) -> str:
        return "SYSTEM"  # the one instance, also after a copy or pickle


SYSTEM = SystemViewer()


def is_system(viewer: Any) -> bool:
    """Whether the system reads (:data:`SYSTEM`): the rule then narrows nothing."""
    return viewer is SYSTEM


def is_active_viewer(viewer: Any) -> bool:
    """A signed-in user whose account is active (anyone else sees nothing)."""
    return bool(
        viewer is not None
        and getattr(viewer, "is_authenticated", False)
        and getattr(viewer, "is_active", False)
        and getattr(viewer, "pk", None) is not None
    )


def all_records(model: type[models.Model]) -> models.QuerySet:
    """Every record of ``model``, restricted manager or not: the system reads."""
    queryset = model._default_manager.all()
    return queryset.unrestricted() if isinstance(queryset, RestrictedQuerySet) else queryset


# --- the restricted default manager -------------------------------------------------------


def can(viewer: Any, model: type[models.Model], action: str) -> bool:
    """Whether the viewer's roles alone grant ``action`` on every record of ``model``."""
    ownership = ownership_of(model)
    if ownership is not None and is_system(viewer):
        return ownership.declares(action)
    if ownership is None or not is_active_viewer(viewer) or not ownership.declares(action):
        return False
    if action in ownership.everyone:
        return True
    return any(action in ownership.role_grants(role) for role in viewer_roles(viewer))


@dataclass(frozen=True)
class Rule:
    """The visibility rule as ``org`` implements it: ``narrow(queryset, viewer, action)``
    returns the records the viewer may act on (marked with :func:`mark_visible`);
    ``get(queryset, viewer, pk, action)`` one of them, or raises ``NotFound``/``PermissionDenied``
    the way a missing record does."""

    narrow: Callable[[models.QuerySet, Any, str], models.QuerySet]
    get: Callable[[models.QuerySet, Any, Any, str], Any]


_rule: Rule | None = None


def register_rule(rule: Rule) -> None:
    """Install the visibility rule (``org`` does, when its models load)."""
    global _rule  # noqa: PLW0603 - one rule per process, set once when the apps load
    _rule = rule


def _the_rule() -> Rule:
    if _rule is None:
        raise ImproperlyConfigured("No visibility rule registered (is salescope.org installed?)")
    return _rule


class UndecidedVisibility(RuntimeError):
    """A read of an owned model that said neither whose view it is nor that the system reads."""


RESTRICTED = "restricted"
UNRESTRICTED = "unrestricted"


def mark_visible(queryset: models.QuerySet) -> models.QuerySet:
    """``queryset``, marked as narrowed by the visibility rule (for the rule's own use)."""
    if isinstance(queryset, RestrictedQuerySet):
        queryset._visibility = RESTRICTED
    return queryset


class RestrictedQuerySet(models.QuerySet):
    """A queryset that refuses to run until its visibility is decided (see the module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._visibility: str | None = None

    def _clone(self) -> RestrictedQuerySet:
        clone = super()._clone()  # type: ignore[misc]  # QuerySet._clone: private, untyped
        clone._visibility = self._visibility
        return clone

    def visible_to(self, viewer: Any, action: str = VIEW) -> RestrictedQuerySet:
        """The records of this queryset that ``viewer`` may ``action``: one SQL filter, lazy."""
        return _the_rule().narrow(self, viewer, action)  # type: ignore[return-value]

    def get_visible(self, viewer: Any, pk: Any, action: str = VIEW) -> Any:
        """The record ``pk`` if ``viewer`` may ``action`` it; a missing or hidden one raises the
        same ``NotFound`` (R1), a visible one the viewer may not ``action`` ``PermissionDenied``."""
        return _the_rule().get(self, viewer, pk, action)

    def unrestricted(self) -> RestrictedQuerySet:
        """Every record: the system reads, not a person (services, tasks, imports, demo)."""
        clone = self._chain()  # type: ignore[attr-defined]  # QuerySet._chain: private
        clone._visibility = UNRESTRICTED
        return clone

    def none(self) -> RestrictedQuerySet:
        """Nothing, which anyone may see."""
        clone = super().none()
        clone._visibility = RESTRICTED
        return clone

    @property
    def visibility_decided(self) -> bool:
        return self._visibility is not None

    def _require_decision(self) -> None:
        if self._visibility is None:
            raise UndecidedVisibility(
                f"A read of {self.model._meta.label} must be narrowed with "
                ".visible_to(viewer, action) or marked .unrestricted() (core.ownership)."
            )

    # Every way a queryset reaches the database for rows or figures passes one of these.
    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._require_decision()
        super()._fetch_all()

    def iterator(self, *args: Any, **kwargs: Any) -> Any:
        self._require_decision()
        return super().iterator(*args, **kwargs)

    def count(self) -> int:
        if self._result_cache is None:
            self._require_decision()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._require_decision()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._require_decision()
        return super().aggregate(*args, **kwargs)

    def explain(self, *args: Any, **kwargs: Any) -> str:
        self._require_decision()
        return super().explain(*args, **kwargs)


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    """The default manager of an owned model: ``visible_to`` or ``unrestricted`` first.

    A related manager (``customer.contacts``) derives from the default manager's class; it
    reads through a record the caller already holds, so its querysets count as decided.
    """

    def get_queryset(self) -> RestrictedQuerySet:
        queryset = super().get_queryset()
        if hasattr(self, "core_filters") and hasattr(self, "instance"):
            queryset._visibility = UNRESTRICTED
        return queryset
