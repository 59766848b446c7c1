"""The one place that decides which records a person may see or change (I2, R1–R5).

Every model that belongs to someone declares, once, how its owner is reached::

    class Customer(models.Model):
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
        ownership = Ownership(person="owner", roles={Role.FINANCE: {"view"}})

and every read goes through :func:`visible` / :func:`get_visible`::

    visible(Customer.objects.all(), viewer=user, action="view")      # narrowed QuerySet
    get_visible(Customer.objects.all(), viewer=user, pk=pk)          # instance or NotFound

A viewer may act on a record when any of these holds (each one an SQL condition, OR-ed into a
single ``WHERE``; nothing is decided row by row in Python):

1. they own it (``person`` path equals the viewer);
2. its owner is in, or its ``unit`` is, a unit they manage now or one below it (materialised
   path prefix of the units whose ``manager`` is the viewer);
3. one of their roles has a company-wide grant for the action (administrator, executive and
   sales director see all sales records; ``roles`` adds others, e.g. finance on receivables);
4. the record is shared with them, or with a unit they belong to (:class:`RecordShare`);
5. the model grants the action to ``everyone`` signed in (the org chart, positions).

Undeclared models and undeclared actions fail closed: the queryset comes back empty. An
anonymous or deactivated viewer sees nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact, In

from salescope.core.errors import NotFound, PermissionDenied
from salescope.org.choices import Role

if TYPE_CHECKING:
    from salescope.org.models import User

logger = logging.getLogger(__name__)

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

# What a share's access level lets the grantee do.
SHARE_ACTIONS: Mapping[str, frozenset[str]] = {
    VIEW: frozenset({VIEW}),
    CHANGE: frozenset({VIEW, CHANGE}),
}

ACCESS_DENIED_ACTION = "core.access.denied"


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
    ``shareable`` says whether :class:`RecordShare` rows apply (the pk must be an integer).
    """

    person: str | None = None
    unit: str | None = None
    roles: Mapping[str, Iterable[str] | str] = field(default_factory=dict)
    actions: Iterable[str] = DEFAULT_ACTIONS
    owner_actions: Iterable[str] | None = None
    company_roles: Mapping[str, Iterable[str] | str] = field(default_factory=lambda: SALES_WIDE)
    everyone: Iterable[str] = frozenset()
    shareable: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "actions", frozenset(self.actions))
        owner = self.actions if self.owner_actions is None else frozenset(self.owner_actions)
        object.__setattr__(self, "owner_actions", owner)
        object.__setattr__(self, "everyone", frozenset(self.everyone))
        grants: dict[str, frozenset[str]] = {}
        for role, acts in {**self.company_roles, **self.roles}.items():
            grants[str(role)] = self.actions if acts == ALL else frozenset(acts)
        object.__setattr__(self, "_grants", grants)
        undeclared = (owner | self.everyone | set().union(*grants.values())) - self.actions
        if undeclared:
            raise ValueError(f"Ownership grants undeclared actions: {sorted(undeclared)}")

    def role_grants(self, role: str) -> frozenset[str]:
        return self._grants.get(str(role), frozenset())  # type: ignore[attr-defined]

    def declares(self, action: str) -> bool:
        return action in self.actions  # type: ignore[operator]


def ownership_of(model: type[models.Model]) -> Ownership | None:
    declared = getattr(model, "ownership", None)
    return declared if isinstance(declared, Ownership) else None


def viewer_roles(viewer: User) -> frozenset[str]:
    """The viewer's roles: the main ``role`` plus any ``extra_roles``."""
    roles = {viewer.role}
    roles.update(getattr(viewer, "extra_roles", None) or [])
    return frozenset(str(r) for r in roles if r)


def is_active_viewer(viewer: Any) -> bool:
    """A signed-in user whose account is active (anyone else sees nothing)."""
    return bool(
        viewer is not None
        and getattr(viewer, "is_authenticated", False)
        and getattr(viewer, "is_active", False)
        and getattr(viewer, "pk", None) is not None
    )


# The org-tree pieces of the condition are SQL written once per process, not querysets built
# per call: as ORM subqueries (Exists over OuterRef, nested values()) they cost ~1.5 ms of
# Python to build, resolve and compile, once for a list and again for its pager's count, which
# was most of a manager's customer page on PostgreSQL (bench/bench_ledger.py, section 5).
# Written out they cost ~0.1 ms. They reference no outer column, so their aliases (vis_*)
# cannot clash with the query around them. Unit B is at or below unit T when T's path is a
# prefix of B's: ``substr(B.path, 1, length(T.path)) = T.path`` (exact, unlike LIKE, whose
# ``_`` and ``%`` would need escaping). Table and column names come from the models' _meta;
# every value is a parameter (hence the S608/S611 exemptions below).


@dataclass(frozen=True)
class _TreeSQL:
    subtree: str  # ids of the units person %s manages, and of every unit below them
    people: str  # ids of the people in those units
    ancestors: str  # ids of unit %s and of every unit above it
    shares: str  # ids shared with a content type %s, at levels {levels}, with person %s{units}
    shares_units: str  # "… or with a unit at or above unit %s", put in as {units}


@cache
def _tree_sql() -> _TreeSQL:
    from salescope.org.models import OrgUnit, RecordShare
    from salescope.org.models import User as UserModel

    def col(model: type[models.Model], name: str) -> str:
        return model._meta.get_field(name).column

    units, pk, path = OrgUnit._meta.db_table, OrgUnit._meta.pk.column, col(OrgUnit, "path")
    under = f"substr(vis_below.{path}, 1, length(vis_top.{path})) = vis_top.{path}"
    tree = f"FROM {units} vis_top JOIN {units} vis_below ON {under}"
    manager = col(OrgUnit, "manager")
    subtree = f"SELECT vis_below.{pk} {tree} WHERE vis_top.{manager} = %s"  # noqa: S608
    ancestors = f"SELECT vis_top.{pk} {tree} WHERE vis_below.{pk} = %s"  # noqa: S608
    person, person_unit = UserModel._meta.pk.column, col(UserModel, "unit")
    people = (
        f"SELECT vis_person.{person} FROM {UserModel._meta.db_table} vis_person"  # noqa: S608
        f" WHERE vis_person.{person_unit} IN ({subtree})"
    )
    shares = (
        f"SELECT vis_share.{col(RecordShare, 'object_id')}"  # noqa: S608
        f" FROM {RecordShare._meta.db_table} vis_share"
        f" WHERE vis_share.{col(RecordShare, 'content_type')} = %s"
        f" AND vis_share.{col(RecordShare, 'access')} IN ({{levels}})"
        f" AND (vis_share.{col(RecordShare, 'grantee')} = %s{{units}})"
    )
    shares_units = f" OR vis_share.{col(RecordShare, 'grantee_unit')} IN ({ancestors})"
    return _TreeSQL(subtree, people, ancestors, shares, shares_units)


def managed_subtree(viewer: User) -> QuerySet:
    """Units the viewer manages now, and every unit below them: one lazy subquery (a viewer
    without an id manages nothing, not the units that have no manager)."""
    from salescope.org.models import OrgUnit

    return OrgUnit.objects.filter(pk__in=_subtree_sql(viewer)).order_by().values("pk")


def member_units(viewer: User) -> QuerySet:
    """The viewer's unit and every unit above it (a unit share reaches its whole subtree)."""
    from salescope.org.models import OrgUnit

    if viewer.unit_id is None:
        return OrgUnit.objects.none().values("pk")
    ancestors = RawSQL(_tree_sql().ancestors, (viewer.unit_id,))  # noqa: S611 - see _tree_sql
    return OrgUnit.objects.filter(pk__in=ancestors).order_by().values("pk")


def _subtree_sql(viewer: User) -> RawSQL:
    return RawSQL(_tree_sql().subtree, (viewer.pk,))  # noqa: S611 - see _tree_sql


def _people_below_sql(viewer: User) -> RawSQL:
    return RawSQL(_tree_sql().people, (viewer.pk,))  # noqa: S611 - see _tree_sql


class _InIds(In):
    """``column IN (subquery)``, written on PostgreSQL as ``column = ANY(ARRAY(subquery))``.

    The ARRAY runs once, before the scan, and its ids are looked up through the column's
    index; ``IN`` makes a hashed SubPlan tested row by row, and an OR of those can only filter
    a full scan. Measured (bench_ledger's 100k customers, a salesperson who owns 200): the
    list's capped count read all 100k rows (15.7 ms) instead of the salesperson's 200."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = compiler.compile(self.rhs)  # RawSQL compiles to "(SELECT …)"
        return f"{lhs_sql} = ANY(ARRAY{rhs_sql})", [*lhs_params, *rhs_params]


def _condition(model: type[models.Model], ownership: Ownership, viewer: User, action: str) -> Q:
    """The OR of every way the viewer reaches a record of ``model`` for ``action``."""
    manager = Role.MANAGER in viewer_roles(viewer)
    # A manager's list walks the table in its order (see _scan_hint); anyone else's reads
    # their few records through the indexes.
    lhs, member = (_scan_hint, In) if manager else (F, _InIds)
    condition = Q()
    if action in ownership.owner_actions:  # type: ignore[operator]
        if ownership.person:
            condition |= Q(Exact(lhs(ownership.person), viewer.pk))
            condition |= Q(member(lhs(ownership.person), _people_below_sql(viewer)))
        if ownership.unit:
            condition |= Q(member(lhs(ownership.unit), _subtree_sql(viewer)))
    shared = _shared_ids(model, viewer, action) if ownership.shareable else None
    if shared is not None:
        condition |= Q(member(lhs("pk"), shared))
    return condition or Q(pk__in=[])


def _scan_hint(path: str) -> Func:
    """``+column``: the same value, but not an index key, so the planner walks the table in
    the list's order (newest first) and stops after one page instead of collecting and sorting
    every matching row through the owner index.

    Measured at 1M records (bench/bench_visibility.py): a regional manager who sees ~15% of
    the table gets the first page in ~3 ms this way and ~110 ms through the owner index, while
    a salesperson who sees 0.05% is fastest through the index (~9 ms vs ~35 ms). Managers see
    subtrees, so their queries get the hint; everyone else keeps the index. Results are the
    same either way; only the plan differs.
    """
    return Func(F(path), template="+%(expressions)s", output_field=IntegerField())


def _shared_ids(model: type[models.Model], viewer: User, action: str) -> RawSQL | None:
    """Ids of the records of ``model`` shared with the viewer, or with a unit at or above
    theirs, at a level that allows ``action`` (``None``: no level does)."""
    from django.contrib.contenttypes.models import ContentType

    levels = [level for level, acts in SHARE_ACTIONS.items() if action in acts]
    if not levels:
        return None
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    sql = _tree_sql()
    params: tuple[Any, ...] = (content_type.pk, *levels, viewer.pk)
    units = ""
    if viewer.unit_id is not None:
        units, params = sql.shares_units, (*params, viewer.unit_id)
    text = sql.shares.format(levels=", ".join(["%s"] * len(levels)), units=units)
    return RawSQL(text, params)  # noqa: S611 - see _tree_sql


def can(viewer: Any, model: type[models.Model], action: str) -> bool:
    """Whether the viewer's roles alone grant ``action`` on every record of ``model``."""
    ownership = ownership_of(model)
    if ownership is None or not is_active_viewer(viewer) or not ownership.declares(action):
        return False
    if action in ownership.everyone:  # type: ignore[operator]
        return True
    return any(action in ownership.role_grants(role) for role in viewer_roles(viewer))


def visible(queryset: QuerySet, *, viewer: Any, action: str = VIEW) -> QuerySet:
    """``queryset`` narrowed to the records ``viewer`` may ``action``. One SQL filter, lazy."""
    model = queryset.model
    ownership = ownership_of(model)
    if ownership is None:
        logger.warning("visibility: %s declares no ownership; nothing is visible", model)
        return queryset.none()
    if not ownership.declares(action):
        logger.warning("visibility: %s does not declare action %r", model.__name__, action)
        return queryset.none()
    if not is_active_viewer(viewer):
        return queryset.none()
    if can(viewer, model, action):
        return queryset.all()
    return queryset.filter(_condition(model, ownership, viewer, action))


def get_visible(queryset: QuerySet, *, viewer: Any, pk: Any, action: str = VIEW) -> Any:
    """The record ``pk`` if the viewer may ``action`` it.

    Missing and invisible records raise the same :class:`NotFound` (R1); an invisible one that
    exists also leaves a ``core.access.denied`` entry in the audit trail. A record the viewer
    may see but not ``action`` raises :class:`PermissionDenied` (403): hiding it would only
    confuse someone who is looking at it.
    """
    try:
        found = visible(queryset, viewer=viewer, action=action).filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        raise NotFound() from None
    if found is not None:
        return found
    if action != VIEW and visible(queryset, viewer=viewer, action=VIEW).filter(pk=pk).exists():
        raise PermissionDenied()
    if queryset.model._default_manager.filter(pk=pk).exists():
        record_denied(viewer=viewer, model=queryset.model, pk=pk, action=action)
    raise NotFound()


def record_denied(*, viewer: Any, model: type[models.Model], pk: Any, action: str) -> None:
    """Log an attempt to reach an existing record the viewer may not see (R1, R14)."""
    from salescope.core import audit

    audit.record(
        actor=viewer if is_active_viewer(viewer) else None,
        action=ACCESS_DENIED_ACTION,
        object_type=model._meta.label_lower,
        object_id=str(pk),
        changes={"action": action},
    )
