"""The one rule that decides which records a person may see or change (I2, R1–R5).

Models declare who owns them with :class:`salescope.core.ownership.Ownership` and take the
restricted default manager (``core.ownership.RestrictedManager``); every read then says whose
it is::

    Customer.objects.filter(kind="dealer").visible_to(user, "view")   # narrowed QuerySet
    get_visible(Customer.objects.all(), viewer=user, pk=pk)             # instance or NotFound

``visible_to`` and :func:`visible` are the same rule; this module registers it with the
manager when the app loads. A viewer may act on a record when any of these holds (each one an
SQL condition, OR-ed into a single ``WHERE``; nothing is decided row by row in Python):

1. they own it (``person`` path equals the viewer);
2. its owner is in, or its ``unit`` is, a unit they manage now or one below it (materialised
   path prefix of the units whose ``manager`` is the viewer);
3. one of their roles has a company-wide grant for the action (administrator, executive and
   sales director see all sales records; ``roles`` adds others, e.g. finance on receivables);
4. the record is shared with them, or with a unit they belong to (:class:`RecordShare`);
5. the model grants the action to ``everyone`` signed in (the org chart, positions).

Undeclared models and undeclared actions fail closed: the queryset comes back empty. An
anonymous or deactivated viewer sees nothing. Background work (alert evaluation, imports)
reads as the system, never as a person: with ``.unrestricted()``, or, through a read written for
a viewer (target vs actual), with ``viewer=SYSTEM`` (``core.ownership``), for which this rule
narrows nothing on a declared model and action.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact, In

from salescope.core.errors import NotFound, PermissionDenied
from salescope.core.ownership import (  # noqa: F401 - re-exported: the names callers know
    ALL,
    CHANGE,
    DEFAULT_ACTIONS,
    DELETE,
    SALES_WIDE,
    VIEW,
    Ownership,
    RestrictedManager,
    Rule,
    all_records,
    can,
    is_active_viewer,
    is_system,
    mark_visible,
    ownership_of,
    register_rule,
)
from salescope.core.request_memo import remember, remembered
from salescope.core.roles import viewer_roles  # noqa: F401 - re-exported, as above

if TYPE_CHECKING:
    from salescope.org.models import User

logger = logging.getLogger(__name__)

# What a share's access level lets the grantee do.
SHARE_ACTIONS = {
    VIEW: frozenset({VIEW}),
    CHANGE: frozenset({VIEW, CHANGE}),
}

ACCESS_DENIED_ACTION = "core.access.denied"


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
    ancestors: str  # ids of unit %s and of every unit above it
    shares: str  # ids shared with a content type %s, at levels {levels}, with person %s{units}
    shares_units: str  # "… or with a unit at or above unit %s", put in as {units}
    reach: str  # (unit, person or NULL) for each unit at or below those person %s manages
    tree: str  # FROM every pair of units vis_top and vis_below at or below it


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    assert field.column
    return field.column


@cache
def _tree_sql() -> _TreeSQL:
    from salescope.org.models import OrgUnit, RecordShare
    from salescope.org.models import User as UserModel

    units, pk, path = OrgUnit._meta.db_table, OrgUnit._meta.pk.column, _column(OrgUnit, "path")
    under = f"substr(vis_below.{path}, 1, length(vis_top.{path})) = vis_top.{path}"
    tree = f"FROM {units} vis_top JOIN {units} vis_below ON {under}"
    manager = _column(OrgUnit, "manager")
    subtree = f"SELECT vis_below.{pk} {tree} WHERE vis_top.{manager} = %s"  # noqa: S608
    ancestors = f"SELECT vis_top.{pk} {tree} WHERE vis_below.{pk} = %s"  # noqa: S608
    person, person_unit = UserModel._meta.pk.column, _column(UserModel, "unit")
    shares = (
        f"SELECT vis_share.{_column(RecordShare, 'object_id')}"  # noqa: S608
        f" FROM {RecordShare._meta.db_table} vis_share"
        f" WHERE vis_share.{_column(RecordShare, 'content_type')} = %s"
        f" AND vis_share.{_column(RecordShare, 'access')} IN ({{levels}})"
        f" AND (vis_share.{_column(RecordShare, 'grantee')} = %s{{units}})"
    )
    shares_units = f" OR vis_share.{_column(RecordShare, 'grantee_unit')} IN ({ancestors})"
    reach = (
        f"SELECT vis_below.{pk}, vis_person.{person} {tree}"  # noqa: S608
        f" LEFT JOIN {UserModel._meta.db_table} vis_person"
        f" ON vis_person.{person_unit} = vis_below.{pk} WHERE vis_top.{manager} = %s"
    )
    return _TreeSQL(subtree, ancestors, shares, shares_units, reach, tree)


def managed_subtree(viewer: User) -> QuerySet:
    """Units the viewer manages now, and every unit below them: one lazy subquery (a viewer
    without an id manages nothing, not the units that have no manager)."""
    from salescope.org.models import OrgUnit

    return (
        OrgUnit.objects.unrestricted().filter(pk__in=_subtree_sql(viewer)).order_by().values("pk")
    )


def member_units(viewer: User) -> QuerySet:
    """The viewer's unit and every unit above it (a unit share reaches its whole subtree)."""
    from salescope.org.models import OrgUnit

    if viewer.unit_id is None:
        return OrgUnit.objects.none().values("pk")
    ancestors = RawSQL(_tree_sql().ancestors, (viewer.unit_id,))  # noqa: S611 - see _tree_sql
    return OrgUnit.objects.unrestricted().filter(pk__in=ancestors).order_by().values("pk")


def _subtree_sql(viewer: User) -> RawSQL:
    return RawSQL(_tree_sql().subtree, (viewer.pk,))  # noqa: S611 - see _tree_sql


@dataclass(frozen=True)
class _Reach:
    """What the viewer manages, resolved to ids before the list's query is planned."""

    units: tuple[int, ...]  # the units they manage and every unit below them
    people: tuple[int, ...]  # the people in those units


def _reach(viewer: User) -> _Reach:
    """One small read of the org tree (by the units' manager index; empty for a salesperson),
    once per read-only request (``core.request_memo``).

    Resolved ids, not a subquery, so the planner sees the real selectivity: with
    ``owner IN (subquery)`` or ``= ANY(ARRAY(subquery))`` PostgreSQL guesses ~10 owners
    whoever reads, and a salesperson's sales lines (600 of 1M) were read by walking the date
    index past 73k other rows (770 ms), a team lead's pager counted by a scan discarding 286k
    rows (bench/bench_visibility.py). Already read with the viewer when a read-only API call
    looked up its token (``reach_columns``)."""
    return remembered((_REACH, viewer.pk), lambda: _read_reach(viewer))


def _read_reach(viewer: User) -> _Reach:
    with connection.cursor() as cursor:
        cursor.execute(_tree_sql().reach, (viewer.pk,))
        rows = cursor.fetchall()
    units = tuple(sorted({unit for unit, _person in rows}))
    people = tuple(sorted({person for _unit, person in rows if person is not None}))
    return _Reach(units, people)


_REACH = "visibility.reach"  # the request memo's key, with the viewer's id


@cache
def reach_columns(vendor: str, person: str) -> str:
    """Two columns for a statement that reads a person (``person``: the SQL of their id): the
    units they manage with every unit below, and the people in those units, each as an array
    of ids (PostgreSQL) or ids joined by commas (SQLite), or NULL. The token lookup of a
    read-only API call selects them, so the call's list does not read the org tree again (a
    round trip of a ~6 ms call, issue 20 item 9); ``keep_reach`` turns them into what
    ``_reach`` would have read."""
    from salescope.org.models import OrgUnit
    from salescope.org.models import User as UserModel

    pk = OrgUnit._meta.pk.column
    below = f"{_tree_sql().tree} WHERE vis_top.{_column(OrgUnit, 'manager')} = {person}"
    people = (
        f"FROM {UserModel._meta.db_table} vis_person"  # noqa: S608 - names from _meta
        f" WHERE vis_person.{_column(UserModel, 'unit')} IN (SELECT vis_below.{pk} {below})"
    )
    # Not DISTINCT: on PostgreSQL that sorted a regional manager's 180 people for 2 ms; a unit
    # managed twice (a unit and one below it) is made unique in Python.
    joined = "array_agg({})" if vendor == "postgresql" else "group_concat({})"
    return (
        f"(SELECT {joined.format(f'vis_below.{pk}')} {below}),"  # noqa: S608 - names from _meta
        f" (SELECT {joined.format(f'vis_person.{UserModel._meta.pk.column}')} {people})"
    )


def keep_reach(viewer: User, units: Any, people: Any) -> None:
    """Keep the reach read by ``reach_columns`` for the rest of a read-only request (nothing in
    it changes the org tree; outside one, nothing is kept)."""

    def ids(read: list[int] | str | None) -> tuple[int, ...]:
        if not read:
            return ()
        return tuple(sorted({int(i) for i in (read.split(",") if isinstance(read, str) else read)}))

    remember((_REACH, viewer.pk), _Reach(ids(units), ids(people)))


def _walks_in_order(reach: _Reach) -> bool:
    """Whether a list for this viewer should walk the table in its order (see _scan_hint).

    PostgreSQL chooses well from the resolved ids' statistics. SQLite keeps none (nobody runs
    ANALYZE there), takes any ``IN`` on an index as selective and would collect and sort a
    regional manager's 150k lines: the walk, for anyone who reaches over 1% of the people."""
    if connection.vendor != "sqlite" or not reach.people:
        return False
    return _reaches_over_a_hundredth(reach)


def _reaches_over_a_hundredth(reach: _Reach) -> bool:
    from salescope.org.models import User as UserModel

    everyone = remembered("visibility.people", UserModel.objects.unrestricted().count)
    return len(reach.people) * 100 > everyone


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


class _InList(In):
    """``column IN (ids)`` for ids resolved in Python, as one array parameter on PostgreSQL
    (``= ANY(%s)``): a regional manager's 330 people as 330 placeholders cost psycopg more
    to convert than the query took to run, and the planner reads the array's values all the
    same (each request's statement is planned with its parameters)."""

    def get_prep_lookup(self) -> Any:
        # The database's own ids (_reach): nothing to convert, value by value, on every list.
        return list(self.rhs)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        # As an array literal in text: psycopg dumps a list element by element, checking each
        # one's type (~0.15 ms for 330 ids, for the list and again for its count).
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.db_type(connection)
        array = "{" + ",".join(str(int(value)) for value in self.rhs) + "}"
        return f"{lhs_sql} = ANY(%s::{db_type}[])", [*lhs_params, array]

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs_sql} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]


def _condition(
    model: type[models.Model],
    ownership: Ownership,
    viewer: User,
    action: str,
    reach: _Reach | None = None,
) -> Q:
    """The OR of every way the viewer reaches a record of ``model`` for ``action`` (``reach``:
    what they manage, if already read)."""
    condition = Q()
    if action in ownership.owner_actions:  # type: ignore[operator]
        if reach is None:
            reach = _reach(viewer) if ownership.person or ownership.unit else _Reach((), ())
        lhs = _scan_hint if _walks_in_order(reach) else F
        if ownership.person:
            condition |= Q(Exact(lhs(ownership.person), viewer.pk))
            if reach.people:
                condition |= Q(_InList(lhs(ownership.person), reach.people))
        if ownership.unit and reach.units:
            condition |= Q(_InList(lhs(ownership.unit), reach.units))
    shared = _shared_ids(model, viewer, action) if ownership.shareable else None
    if shared is not None:
        condition |= Q(_InIds(F("pk"), shared))
    if action == VIEW:
        for relation in ownership.view_via:
            reverse = model._meta.get_field(relation)
            assert isinstance(reverse, models.ForeignObjectRel)  # view_via: reverse relations
            seen = visible(all_records(reverse.related_model), viewer=viewer, action=VIEW)
            condition |= Q(pk__in=seen.order_by().values(reverse.field.attname))
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
    return _ScanHint(F(path), output_field=IntegerField())


class _ScanHint(Func):
    """``+column`` where a list is walked in its order; the bare column where nothing is.

    A capped count (``core.paging.count_up_to``: unordered, ``LIMIT cap + 1``) has no order to
    walk: through the owner index it reads the first matches directly instead of scanning the
    table for them (a team lead's count at 100k customers: ~3 ms instead of ~4.3 ms of CPU in
    SQLite, issue 20 item 9)."""

    template = "+%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Only SQLite's lists get the hint (_walks_in_order).
        query = compiler.query
        ordered = query.order_by or (query.default_ordering and query.get_meta().ordering)
        if query.is_sliced and not ordered:
            return compiler.compile(self.source_expressions[0])
        return self.as_sql(compiler, connection, **extra)


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


def visible(queryset: QuerySet, *, viewer: Any, action: str = VIEW) -> QuerySet:
    """``queryset`` narrowed to the records ``viewer`` may ``action``. One SQL filter, lazy."""
    return mark_visible(_narrow(queryset, viewer=viewer, action=action))


def visible_in_share(
    queryset: QuerySet, *, viewer: Any, action: str = VIEW
) -> tuple[QuerySet, bool]:
    """:func:`visible`, and whether that is a small share of the records: the viewer reaches
    them only through their own and at most 1% of the people's, not by a role that sees all.
    One read of what the viewer manages serves both.

    For lists whose order an index serves (sales lines newest first): PostgreSQL assumes a
    narrow viewer's rows spread evenly over that order and walks it, filtering, where sorting
    what the viewer sees costs the same whatever the spread (``ledger.queries.list_lines``)."""
    model = queryset.model
    ownership = ownership_of(model)
    if (
        ownership is None
        or not ownership.declares(action)
        or is_system(viewer)
        or not is_active_viewer(viewer)
        or can(viewer, model, action)
        or action not in ownership.owner_actions  # type: ignore[operator]
        or not (ownership.person or ownership.unit)
    ):
        return visible(queryset, viewer=viewer, action=action), False
    reach = _reach(viewer)
    narrowed = queryset.filter(_condition(model, ownership, viewer, action, reach))
    return mark_visible(narrowed), not _reaches_over_a_hundredth(reach)


def _narrow(queryset: QuerySet, *, viewer: Any, action: str) -> QuerySet:
    model = queryset.model
    ownership = ownership_of(model)
    if ownership is None:
        logger.warning("visibility: %s declares no ownership; nothing is visible", model)
        return queryset.none()
    if not ownership.declares(action):
        logger.warning("visibility: %s does not declare action %r", model.__name__, action)
        return queryset.none()
    if is_system(viewer):
        return queryset.all()  # the system reads: nothing to narrow
    if not is_active_viewer(viewer):
        return queryset.none()
    if can(viewer, model, action):
        return queryset.all()
    return queryset.filter(_condition(model, ownership, viewer, action))


def owners_in_reach(
    model: type[models.Model], *, viewer: Any, action: str = VIEW
) -> set[int] | None:
    """The people who own (``Ownership.person``) every record of ``model`` the viewer may
    ``action``: the viewer and the people they manage (rules 1–2), and the owners of the
    records shared with them (rule 4). ``None`` when the rule does not narrow by owner: a role
    grant, ``everyone`` or the system reaches every record, or the model is also reached by unit
    or through another model (``view_via``).

    A superset, not the rule: an index keyed by owner (a search index) may look at these
    owners' records only, and :func:`visible` then narrows exactly. An empty set: nothing."""
    ownership = ownership_of(model)
    if ownership is None or not ownership.declares(action):
        return set()
    if is_system(viewer):
        return None
    if not is_active_viewer(viewer):
        return set()
    if can(viewer, model, action):
        return None
    if not ownership.person or ownership.unit or (action == VIEW and ownership.view_via):
        return None
    owners: set[int] = set()
    if action in ownership.owner_actions:  # type: ignore[operator]
        owners = {viewer.pk, *_reach(viewer).people}
    shared = _shared_ids(model, viewer, action) if ownership.shareable else None
    if shared is not None:
        records = all_records(model).filter(_InIds(F("pk"), shared))
        owners.update(records.order_by().values_list(ownership.person, flat=True).distinct())
    owners.discard(None)  # type: ignore[arg-type]
    return owners


def reaches_shares(model: type[models.Model], *, viewer: Any, action: str = VIEW) -> bool:
    """Whether a record of ``model`` is shared with ``viewer`` (or with a unit at or above
    theirs) at a level that allows ``action`` (rule 4)."""
    ownership = ownership_of(model)
    if ownership is None or not ownership.shareable or not is_active_viewer(viewer):
        return False
    shared = _shared_ids(model, viewer, action)
    return shared is not None and all_records(model).filter(_InIds(F("pk"), shared)).exists()


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
    if all_records(queryset.model).filter(pk=pk).exists():
        record_denied(viewer=viewer, model=queryset.model, pk=pk, action=action)
    raise NotFound()


def get_visible_record(
    model: type[models.Model], *, viewer: Any, pk: Any, action: str = VIEW
) -> Any:
    """:func:`get_visible` for a model known only at run time (a share names its record)."""
    return get_visible(all_records(model), viewer=viewer, pk=pk, action=action)


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


def own_records(queryset: QuerySet, *, viewer: Any, action: str = VIEW) -> QuerySet:
    """The records of ``queryset`` the viewer owns (the model's ``Ownership.person`` is the
    viewer), as ``visible(queryset, viewer=viewer, action=action)`` narrows them.

    Rule 1 of ``org.visibility`` (an owner may act on their records) admits every one of them
    when the model gives its owners ``action`` and the viewer is active, so the same rows come
    from the owner filter alone, without building and compiling the OR of every rule (0.4 ms
    of ORM work per query, bench/bench_plans.py: one person's "my targets"). In every
    other case (undeclared model or action, owners without ``action``, a deactivated or
    anonymous viewer) ``visible`` decides, narrowed to the owner.
    """
    ownership = ownership_of(queryset.model)
    if ownership is None or not ownership.person or is_system(viewer):
        return mark_visible(queryset.none())  # the system owns nothing
    mine = {ownership.person: getattr(viewer, "pk", None)}
    if (
        ownership.declares(action)
        and action in ownership.owner_actions  # type: ignore[operator]
        and is_active_viewer(viewer)
    ):
        return mark_visible(queryset.filter(**mine))
    return visible(queryset, viewer=viewer, action=action).filter(**mine)


def names_of(model: type[models.Model], ids: Any, *fields: str) -> QuerySet:
    """``values_list("pk", *fields)`` of the records ``ids``, whoever may see them: labels for
    the ids of a report the viewer may read (a customer's name beside its visible sales
    lines). A name is all it reveals; callers pass only ids taken from visible rows."""
    return all_records(model).filter(pk__in=ids).values_list("pk", *fields)


def values_with_names(queryset: QuerySet, *columns: str) -> QuerySet:
    """``queryset.values_list(*columns)``, where a column of a related record one relation away
    (``customer__name``) is read by a scalar subquery instead of a join, whoever may see that
    record (as ``names_of``: the names beside rows the viewer may read).

    For a list's page: as a join of five tables PostgreSQL planned a team lead's page of sales
    lines for ~3 ms and read it in ~1 ms, and its capped count joined every counted line to its
    customer and product (the joins of a non-null key are not dropped from a count). The
    subqueries are planned in a fraction of that and run for the page's rows only."""
    model: Any = queryset.model  # (a class: hashable, the cache's key)
    names: dict[str, Subquery] = {}
    selected = []
    for column in columns:
        relation, _, field = column.partition(LOOKUP_SEP)
        if not field:
            selected.append(column)
            continue
        alias = f"named_{relation}_{field}"
        names[alias] = _name_subquery(model, relation, field)
        selected.append(alias)
    return queryset.select_related(None).annotate(**names).values_list(*selected)


@cache
def _name_subquery(model: Any, relation: str, field: str) -> Subquery:
    """The scalar subquery of ``values_with_names``, built once per column (building it was
    ~0.2 ms a column, each request; ``annotate`` resolves a copy, this one stays unbound)."""
    if LOOKUP_SEP in field:
        raise ValueError(f"{relation}__{field}: one relation deep only")
    key: Any = model._meta.get_field(relation)
    if not (key.concrete and (key.many_to_one or key.one_to_one)):
        raise ValueError(f"{relation}__{field}: not a column of a record this one points to")
    records = all_records(key.related_model).filter(
        **{key.target_field.attname: OuterRef(key.attname)}
    )
    return Subquery(records.order_by().values(field)[:1])


register_rule(
    Rule(
        narrow=lambda queryset, viewer, action: visible(queryset, viewer=viewer, action=action),
        get=lambda queryset, viewer, pk, action: get_visible(
            queryset, viewer=viewer, pk=pk, action=action
        ),
    )
)
