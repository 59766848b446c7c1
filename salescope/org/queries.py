"""Reads of the organisation used by pages, the API and the CLI. Each takes the viewer."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, Q, QuerySet, Subquery

from salescope.core import audit
from salescope.core.errors import NotFound
from salescope.org import visibility
from salescope.org.models import (
    ApiToken,
    Membership,
    OrgUnit,
    Position,
    RecordShare,
    Territory,
    User,
)
from salescope.org.visibility import VIEW, get_visible, names_of, visible


def list_own_tokens(*, viewer: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=viewer)


def get_own_token(*, viewer: User, pk: int) -> ApiToken:
    token = list_own_tokens(viewer=viewer).filter(pk=pk).first()
    if token is None:
        if ApiToken.objects.filter(pk=pk).exists():
            visibility.record_denied(viewer=viewer, model=ApiToken, pk=pk, action=VIEW)
        raise NotFound()
    return token


def find_token(ref: str) -> ApiToken:
    """Any person's token by id or by its shown prefix ("ss_Ab12Cd…"), for the operator's CLI."""
    ref = ref.strip().rstrip("…")
    lookup: dict[str, object] = {"pk": int(ref)} if ref.isdigit() else {"prefix": ref}
    token = ApiToken.objects.filter(**lookup).select_related("user").first()
    if token is None:
        raise NotFound()
    return token


def unit_chain(unit: OrgUnit | None) -> list[OrgUnit]:
    """The unit and its ancestors, from the company down, in one query."""
    if unit is None:
        return []
    step = len(unit.path) // unit.depth
    prefixes = [unit.path[: step * i] for i in range(1, unit.depth + 1)]
    # The org chart is everyone's to read (OrgUnit.ownership: everyone may view).
    return list(OrgUnit.objects.unrestricted().filter(path__in=prefixes).order_by("path"))


def get_user_by_username(username: str) -> User:
    """Anyone by username, for the operator's command line (tokens)."""
    # visibility: the operator's command line names any person (tokens)
    user = User.objects.unrestricted().filter(username=username).first()
    if user is None:
        raise NotFound()
    return user


def home_context(*, viewer: User) -> dict:
    """What a person's home page shows about their place: unit path, manager, team."""
    chain = unit_chain(viewer.unit)
    manager = _manager_of(viewer)
    managed = list(OrgUnit.objects.visible_to(viewer).filter(manager=viewer).order_by("path"))
    team: list[User] = []
    if managed:
        subtree = Q()
        for unit in managed:
            subtree |= Q(unit__path__startswith=unit.path)
        team = list(
            User.objects.visible_to(viewer)
            .filter(subtree, is_active=True)
            .exclude(pk=viewer.pk)
            .select_related("unit", "position")
            .order_by("unit__path", "full_name")
        )
    return {"unit_chain": chain, "manager": manager, "managed_units": managed, "team": team}


def _manager_of(person: User) -> User | None:
    """The nearest manager above a person: their unit's manager, or the parent unit's if the
    person manages their own unit."""
    for unit in reversed(unit_chain(person.unit)):
        if unit.manager_id and unit.manager_id != person.pk:
            return unit.manager
    return None


# ---------------------------------------------------------------------------------------------
# The organisation as pages and the API read it. Every read goes through org.visibility.
# ---------------------------------------------------------------------------------------------


def list_units(
    *, viewer: User, kind: str | None = None, under: int | None = None, search: str | None = None
) -> QuerySet[OrgUnit]:
    units = visible(OrgUnit.objects.all(), viewer=viewer).select_related("manager", "parent")
    if kind:
        units = units.filter(kind=kind)
    if under:
        root = get_unit(viewer=viewer, pk=under)
        units = units.filter(path__startswith=root.path)
    if search:
        units = units.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return units.order_by("path")


def get_unit(*, viewer: User, pk: object, action: str = VIEW) -> OrgUnit:
    return get_visible(
        OrgUnit.objects.select_related("manager", "parent"), viewer=viewer, pk=pk, action=action
    )


@dataclass
class ChartNode:
    unit: OrgUnit
    head_count: int  # active people in the unit itself
    total: int  # active people in the unit and every unit below it
    children: list["ChartNode"] = field(default_factory=list)


def org_chart(*, viewer: User) -> list[ChartNode]:
    """The whole tree with head counts, in two queries whatever its size."""
    units = list(list_units(viewer=viewer))
    # visibility: head counts are the chart's figures; everyone sees how many work where
    counts = dict(
        User.objects.unrestricted()
        .filter(is_active=True, unit__isnull=False)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    nodes = {u.pk: ChartNode(unit=u, head_count=counts.get(u.pk, 0), total=0) for u in units}
    roots: list[ChartNode] = []
    for unit in units:
        node = nodes[unit.pk]
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(node)
    for unit in reversed(units):  # ordered by path: children come after their parent
        node = nodes[unit.pk]
        node.total = node.head_count + sum(child.total for child in node.children)
    return roots


def list_people(
    *,
    viewer: User,
    unit: int | None = None,
    role: str | None = None,
    search: str | None = None,
    include_inactive: bool = False,
    action: str = VIEW,
) -> QuerySet[User]:
    people = visible(User.objects.all(), viewer=viewer, action=action).select_related(
        "unit", "position"
    )
    if not include_inactive:
        people = people.filter(is_active=True)
    if unit:
        root = get_unit(viewer=viewer, pk=unit)
        people = people.filter(unit__path__startswith=root.path)
    if role:
        people = people.filter(role=role)
    if search:
        people = people.filter(Q(full_name__icontains=search) | Q(username__icontains=search))
    return people.order_by("unit__path", "full_name", "pk")


def get_person(*, viewer: User, pk: object, action: str = VIEW) -> User:
    return get_visible(
        User.objects.select_related("unit", "position"), viewer=viewer, pk=pk, action=action
    )


def list_positions(*, viewer: User, search: str | None = None) -> QuerySet[Position]:
    positions = visible(Position.objects.all(), viewer=viewer).annotate(
        holder_count=Count("holders", filter=Q(holders__is_active=True))
    )
    if search:
        positions = positions.filter(name__icontains=search)
    return positions.order_by("name")


def get_position(*, viewer: User, pk: object, action: str = VIEW) -> Position:
    return get_visible(Position.objects.all(), viewer=viewer, pk=pk, action=action)


def list_territories(
    *,
    viewer: User,
    unit: int | None = None,
    owner: int | None = None,
    unassigned: bool = False,
    search: str | None = None,
) -> QuerySet[Territory]:
    territories = visible(Territory.objects.all(), viewer=viewer).select_related(
        "unit", "owner", "parent"
    )
    if unit:
        root = get_unit(viewer=viewer, pk=unit)
        territories = territories.filter(unit__path__startswith=root.path)
    if owner:
        territories = territories.filter(owner_id=owner)
    if unassigned:
        territories = territories.filter(owner__isnull=True)
    if search:
        territories = territories.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return territories.order_by("code")


def get_territory(*, viewer: User, pk: object, action: str = VIEW) -> Territory:
    return get_visible(
        Territory.objects.select_related("unit", "owner", "parent"),
        viewer=viewer,
        pk=pk,
        action=action,
    )


def list_shares(
    *, viewer: User, record_type: str | None = None, record_id: int | None = None
) -> QuerySet[RecordShare]:
    """Shares the viewer granted, received, or may manage (they may change the record)."""
    # visibility: a share is seen by its grantor, its grantee (person or unit) and admins
    shares = RecordShare.objects.unrestricted().select_related(
        "content_type", "grantee", "grantee_unit", "granted_by"
    )
    if not visibility.can(viewer, RecordShare, VIEW):
        shares = shares.filter(
            Q(granted_by_id=viewer.pk)
            | Q(grantee_id=viewer.pk)
            | Q(grantee_unit_id__in=visibility.member_units(viewer))
        )
    if record_type:
        app_label, _dot, model = record_type.partition(".")
        shares = shares.filter(content_type__app_label=app_label, content_type__model=model)
    if record_id is not None:
        shares = shares.filter(object_id=record_id)
    return shares.order_by("-created_at", "-pk")


def get_share(*, viewer: User, pk: Any) -> RecordShare:
    try:
        share = list_shares(viewer=viewer).filter(pk=pk).first()
    except (ValueError, TypeError):
        share = None
    if share is None:
        if RecordShare.objects.unrestricted().filter(pk=pk).exists():  # visibility: denied log
            visibility.record_denied(viewer=viewer, model=RecordShare, pk=pk, action=VIEW)
        raise NotFound()
    return share


def get_shareable(*, viewer: User, record_type: str, record_id: object) -> models.Model:
    """The record named ``app.model`` + id, if the viewer may see it (for sharing it)."""
    app_label, _dot, model_name = record_type.partition(".")
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist:
        raise NotFound() from None
    model = content_type.model_class()
    if model is None or visibility.ownership_of(model) is None:
        raise NotFound()
    return visibility.get_visible_record(model, viewer=viewer, pk=record_id)


# --- the organisation at a date: reports "by team for March" use these ---------------------


def memberships_on(day: dt.date) -> QuerySet[Membership]:
    """Membership spans covering ``day``: one per person who was in a unit that day."""
    return Membership.objects.filter(started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )


def unit_on(day: dt.date, person: Any) -> Subquery:
    """A subquery expression: the unit a person (an ``OuterRef`` or id) was in on ``day``.

    ``Sale.objects.annotate(team=unit_on(march, OuterRef("salesperson")))``.
    """
    return Subquery(memberships_on(day).filter(person=person).values("unit_id")[:1])


def members_on(
    *, viewer: User, unit: OrgUnit, day: dt.date, subtree: bool = True
) -> QuerySet[User]:
    """The people who were in ``unit`` (and below, by today's tree) on ``day``."""
    units = (
        OrgUnit.objects.unrestricted().filter(path__startswith=unit.path) if subtree else [unit.pk]
    )
    ids = memberships_on(day).filter(unit__in=units).values("person_id")
    return User.objects.visible_to(viewer).filter(pk__in=ids).order_by("full_name", "pk")


def person_history(*, viewer: User, person: User, sessions: bool = False) -> dict:
    """A person's unit spans and the audit trail of changes to them (with sign-ins and
    sign-outs when ``sessions``)."""
    return {
        "memberships": list(
            person.memberships.select_related("unit").order_by("-started_on", "-pk")
        ),
        "audit": audit_history(obj=person, sessions=sessions),
        "sessions": sessions,
    }


def unit_history(*, viewer: User, unit: OrgUnit) -> dict:
    return {
        "manager_terms": list(
            unit.manager_terms.select_related("manager").order_by("-started_on", "-pk")
        ),
        "audit": audit_history(obj=unit),
    }


SESSION_ACTIONS = "core.session."  # sign-ins and sign-outs: shown only when asked for


def audit_history(*, obj: models.Model, sessions: bool = False) -> list:
    """The last changes to a record the caller has already fetched through visibility, each
    with ``lines``: (field label, old, new), related records by name. Sign-ins and sign-outs
    only with ``sessions``."""
    entries = audit.history(obj).exclude(action=visibility.ACCESS_DENIED_ACTION)
    if not sessions:
        entries = entries.exclude(action__startswith=SESSION_ACTIONS)
    found = list(entries.select_related("actor")[:50])
    _describe_changes(found, type(obj))
    return found


def _label_fields(model: type[models.Model]) -> tuple[str, ...] | None:
    names = {f.name for f in model._meta.get_fields()}
    for fields in (("full_name", "username"), ("name",)):
        if set(fields) <= names:
            return fields
    return None


def _describe_changes(entries: list, model: type[models.Model]) -> None:
    """Give each entry ``lines`` of (field label, old, new), ids of related records shown by
    their names (one query per related model)."""
    related: dict[str, Any] = {}
    labels: dict[str, str] = {}
    wanted: dict[Any, set] = {}
    for entry in entries:
        for name in entry.changes or {}:
            if name in labels:
                continue
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                labels[name] = name
                continue
            labels[name] = str(getattr(field, "verbose_name", name))
            target = getattr(field, "related_model", None)
            if field.many_to_one and target is not None and _label_fields(target):
                related[name] = target
    for entry in entries:
        for name, change in (entry.changes or {}).items():
            if name in related and isinstance(change, list | tuple):
                wanted.setdefault(related[name], set()).update(
                    str(v) for v in change if v not in (None, "")
                )
    names: dict[Any, dict[str, str]] = {}
    for target, ids in wanted.items():
        fields = _label_fields(target) or ()
        names[target] = {
            str(pk): next((str(v) for v in values if v), str(pk))
            for pk, *values in names_of(target, [i for i in ids if i.isdigit()], *fields)
        }

    def shown(name: str, value: Any) -> Any:
        if name in related and value not in (None, ""):
            return names[related[name]].get(str(value), value)
        return value

    for entry in entries:
        entry.lines = [
            (
                labels.get(name, name),
                shown(name, change[0]) if isinstance(change, list | tuple) else None,
                shown(name, change[1]) if isinstance(change, list | tuple) else change,
            )
            for name, change in (entry.changes or {}).items()
        ]


# --- pages ----------------------------------------------------------------------------------


def unit_detail(*, viewer: User, unit: OrgUnit) -> dict:
    members = list(
        visible(unit.members.filter(is_active=True), viewer=viewer)
        .select_related("position")
        .order_by("full_name", "pk")
    )
    visible_ids = {m.pk for m in members}
    hidden = unit.members.filter(is_active=True).exclude(pk__in=visible_ids).count()
    return {
        "unit": unit,
        "chain": unit_chain(unit),
        "children": list(unit.children.select_related("manager").order_by("path")),
        "members": members,
        "hidden_members": hidden,
        "territories": list(unit.territories.select_related("owner").order_by("code")),
    }


def my_organization(*, viewer: User, person: User | None = None) -> dict:
    """The "my organization" page: manager, unit path, subordinates, territories, duties."""
    person = person or viewer
    managed = list(OrgUnit.objects.visible_to(viewer).filter(manager=person).order_by("path"))
    subordinates: list[User] = []
    if managed:
        subtree = Q()
        for unit in managed:
            subtree |= Q(unit__path__startswith=unit.path)
        subordinates = list(
            visible(User.objects.filter(subtree, is_active=True), viewer=viewer)
            .exclude(pk=person.pk)
            .select_related("unit", "position")
            .order_by("unit__path", "full_name", "pk")
        )
    territories = list(
        Territory.objects.visible_to(viewer)
        .filter(Q(owner=person) | Q(unit__in=managed))
        .select_related("unit", "owner")
        .order_by("code")
    )
    return {
        "person": person,
        "chain": unit_chain(person.unit),
        "manager": _manager_of(person),
        "managed_units": managed,
        "subordinates": subordinates,
        "territories": territories,
        "position": person.position,
    }


def unassigned(*, viewer: User) -> dict:
    """What has no responsible person (A5): units without a manager, territories without an
    owner, people without a position or a unit."""
    return {
        "units": list(list_units(viewer=viewer).filter(manager__isnull=True)),
        "territories": list(list_territories(viewer=viewer, unassigned=True)),
        "people": list(
            list_people(viewer=viewer).filter(Q(position__isnull=True) | Q(unit__isnull=True))
        ),
    }
