"""Writes to the organisation: units, people, tokens. Each one audited, one transaction."""

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Max, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from salescope.org import permissions, visibility
from salescope.org.choices import Role, ShareAccess, TerritoryKind, UnitKind
from salescope.org.models import (
    PATH_STEP,
    ApiToken,
    ManagerTerm,
    Membership,
    OrgUnit,
    Position,
    RecordShare,
    Territory,
    User,
    hash_token,
)

UNSET = object()  # "not given" for arguments where None means "clear it"

# What follows a change of the unit someone is in, inside its transaction: the apps above
# register it (the ledger queues the derivation of its unit rollup, ``ledger.apps``).
_UNIT_CHANGES: list[Callable[[], None]] = []


def on_people_units_changed(callback: Callable[[], None]) -> None:
    """Call ``callback()`` in every transaction that puts a person in a unit or moves them."""
    if callback not in _UNIT_CHANGES:
        _UNIT_CHANGES.append(callback)


def _people_units_changed() -> None:
    for callback in _UNIT_CHANGES:
        callback()


TOKEN_PREFIX = "ss_"  # noqa: S105 - a public marker, not a secret


def _next_child_path(parent: OrgUnit | None) -> str:
    prefix = parent.path if parent else ""
    siblings = (
        OrgUnit.objects.unrestricted().filter(parent=parent).aggregate(last=Max("path"))["last"]
    )
    number = int(siblings[len(prefix) : len(prefix) + PATH_STEP]) + 1 if siblings else 1
    return f"{prefix}{number:0{PATH_STEP}d}."


@transaction.atomic
def create_unit(
    *,
    actor: User | None,
    name: str,
    code: str,
    kind: str,
    parent: OrgUnit | None = None,
    manager: User | None = None,
    manager_since: dt.date | None = None,
) -> OrgUnit:
    permissions.require(actor, permissions.UNIT_CREATE.code)
    fields: dict[str, list[str]] = {}
    if not name.strip():
        fields["name"] = [_("Give the unit a name.")]
    if not code.strip():
        fields["code"] = [_("Give the unit a code.")]
    elif OrgUnit.objects.unrestricted().filter(code=code).exists():
        fields["code"] = [_("A unit with this code already exists.")]
    if fields:
        raise ValidationFailed(fields=fields)
    _check_kind(kind)
    unit = OrgUnit.objects.create(
        name=name,
        code=code,
        kind=kind,
        parent=parent,
        manager=manager,
        path=_next_child_path(parent),
    )
    if manager is not None:
        since = _effective(manager_since, not_before=None, field="manager_since")
        ManagerTerm.objects.create(unit=unit, manager=manager, started_on=since)
    audit.record(
        actor=actor,
        action="org.unit.created",
        obj=unit,
        changes=audit.diff({}, audit.snapshot(unit, ["name", "code", "kind", "parent", "manager"])),
    )
    return unit


@transaction.atomic
def set_language(*, actor: User, language: str) -> User:
    before = actor.language
    if before != language:
        User.objects.unrestricted().filter(pk=actor.pk).update(language=language)
        actor.language = language
        audit.record(
            actor=actor,
            action="org.person.language_changed",
            obj=actor,
            changes={"language": [before, language]},
        )
    return actor


@transaction.atomic
def change_password(*, actor: User, new_password: str) -> User:
    try:
        validate_password(new_password, user=actor)
    except ValidationError as exc:
        raise ValidationFailed(fields={"new_password": list(exc.messages)}) from None
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    # The password value itself never enters the audit trail.
    audit.record(actor=actor, action="org.person.password_changed", obj=actor)
    return actor


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str


@transaction.atomic
def create_token(*, actor: User | None, user: User, name: str) -> IssuedToken:
    name = name.strip()
    if not name:
        raise ValidationFailed(fields={"name": [_("Give the token a name.")]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=hash_token(raw)
    )
    audit.record(
        actor=actor or user,
        action="org.api_token.created",
        obj=token,
        changes={"name": [None, token.name], "user": [None, user.username]},
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def revoke_token(*, actor: User | None, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor or token.user,
        action="org.api_token.revoked",
        obj=token,
        changes={"revoked_at": [None, audit.json_value(token.revoked_at)]},
    )
    return token


@dataclass(frozen=True)
class _TokenSQL:
    statement: str  # the holder's columns, the token's id and whether its use time is stale
    with_reach: str  # the same, and what the holder manages (visibility.reach_columns)
    attnames: list[str]  # the holder's fields, in the statement's order
    converters: list[tuple[int, list[Any], Any]]  # (position, converters, column) as the ORM's


@functools.cache
def _token_sql(vendor: str) -> _TokenSQL:
    """The token lookup as one statement written once per process (per database kind).

    Every API call looks its token up; built, resolved and compiled by the ORM that one read
    cost ~1 ms of Python per request, most of a list's overhead before any row (issue 20 item
    9). Written out, the database still answers it from the ``key_hash`` index on every call,
    so a revoked token or a deactivated person is refused at once. Table and column names come
    from the models' _meta; every value is a parameter."""
    people, tokens = User._meta, ApiToken._meta
    fields = people.concrete_fields

    def quote(name: str | None) -> str:
        assert name
        return connection.ops.quote_name(name)

    def col(table: str, meta: Any, name: str) -> str:
        field = meta.get_field(name)
        assert isinstance(field, models.Field)
        return f"{table}.{quote(field.column)}"

    columns = ", ".join(f"holder.{quote(f.column)}" for f in fields)
    last_used = col("token", tokens, "last_used_at")
    selected = (
        f"SELECT {columns}, token.{quote(tokens.pk.column)},"  # noqa: S608 - names from _meta
        f" ({last_used} IS NULL OR {last_used} < %s)"
    )
    source = (
        f" FROM {quote(tokens.db_table)} token"
        f" JOIN {quote(people.db_table)} holder"
        f" ON {col('holder', people, 'id')} = {col('token', tokens, 'user')}"
        f" WHERE {col('token', tokens, 'key_hash')} = %s"
        f" AND {col('token', tokens, 'revoked_at')} IS NULL"
        f" AND {col('holder', people, 'is_active')} = %s"
    )
    reach = visibility.reach_columns(vendor, col("holder", people, "id"))
    converters = []
    for position, field in enumerate(fields):
        column = field.get_col(people.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((position, found, column))
    return _TokenSQL(
        selected + source,
        f"{selected}, {reach}{source}",
        [f.attname for f in fields],
        converters,
    )


# Write the use time at most once a minute so busy scripts do not write on every call.
TOKEN_USE_RESOLUTION = dt.timedelta(seconds=60)


def authenticate_token(raw: str, *, read_only: bool = False) -> User | None:
    """The active user a raw bearer token belongs to, or None. Records when it was used.

    ``read_only``: the call changes nothing (a GET), so what the user manages is read in the
    same statement and kept for the call's lists (``visibility.reach_columns``)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    sql = _token_sql(connection.vendor)
    now = timezone.now()
    stale_before = connection.ops.adapt_datetimefield_value(now - TOKEN_USE_RESOLUTION)
    with connection.cursor() as cursor:
        statement = sql.with_reach if read_only else sql.statement
        cursor.execute(statement, [stale_before, hash_token(raw), True])
        row = cursor.fetchone()
    if row is None:
        return None
    reach = None
    if read_only:
        *row, units, people = row
        reach = (units, people)
    *values, token_pk, stale = row
    for position, converters, column in sql.converters:
        for convert in converters:
            values[position] = convert(values[position], column, connection)
    if stale:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
    user = User.from_db(connection.alias, sql.attnames, values)
    if reach is not None:
        visibility.keep_reach(user, *reach)
    return user


# ---------------------------------------------------------------------------------------------
# The organisation: units, managers, people, moves, positions, territories, roles, shares.
# Each write checks its declared permission (org.permissions), runs in one transaction and
# leaves exactly one audit entry.
# ---------------------------------------------------------------------------------------------

UNIT_FIELDS = ["name", "code", "kind", "parent", "manager"]
PERSON_FIELDS = [
    "username",
    "full_name",
    "email",
    "phone",
    "role",
    "extra_roles",
    "unit",
    "position",
    "duties",
    "is_active",
]
TERRITORY_FIELDS = ["code", "name", "kind", "parent", "unit", "owner"]


def _today() -> dt.date:
    return timezone.localdate()


def _effective(day: dt.date | None, *, not_before: dt.date | None, field: str) -> dt.date:
    """The effective date of a move: today by default, never in the future, never before the
    current span started (history stays a sequence of non-overlapping spans)."""
    day = day or _today()
    if day > _today():
        raise ValidationFailed(fields={field: [_("The effective date cannot be in the future.")]})
    if not_before is not None and day < not_before:
        raise ValidationFailed(
            fields={
                field: [
                    _(
                        "The effective date cannot be before %(date)s, when the current "
                        "assignment started."
                    )
                    % {"date": not_before.isoformat()}
                ]
            }
        )
    return day


def _check_kind(kind: str) -> None:
    if kind not in UnitKind.values:
        raise ValidationFailed(fields={"kind": [_("Unknown unit kind.")]})


def _check_roles(role: str, extra_roles: list[str]) -> None:
    unknown = [r for r in [role, *extra_roles] if r not in Role.values]
    if unknown:
        raise ValidationFailed(fields={"role": [_("Unknown role: %s") % ", ".join(unknown)]})


def _open_manager_term(unit: OrgUnit, manager: User | None, day: dt.date) -> None:
    current = ManagerTerm.objects.filter(unit=unit, ended_on__isnull=True).first()
    if current is not None:
        _effective(day, not_before=current.started_on, field="manager_effective_on")
        if current.started_on == day:
            current.delete()  # a same-day correction replaces the span instead of a 0-day one
        else:
            current.ended_on = day
            current.save(update_fields=["ended_on"])
    if manager is not None:
        ManagerTerm.objects.create(unit=unit, manager=manager, started_on=day)


def _changes_nothing(instance: Any, *, expected_version: int, changes: dict[str, Any]) -> bool:
    """Whether ``changes`` would leave ``instance`` as it is: then nothing is written and no
    audit row is made (issue 20), though a stale version is still refused with 409."""
    current = audit.snapshot(instance, changes)
    if any(audit.json_value(value) != current[name] for name, value in changes.items()):
        return False
    if instance.version != expected_version:
        raise StaleVersion(extra={"current_version": instance.version})
    return True


@transaction.atomic
def update_unit(
    *,
    actor: User | None,
    unit: OrgUnit,
    expected_version: int,
    name: str | None = None,
    code: str | None = None,
    kind: str | None = None,
    parent: Any = UNSET,  # OrgUnit | None, or UNSET
    manager: Any = UNSET,  # User | None, or UNSET
    manager_effective_on: dt.date | None = None,
) -> OrgUnit:
    """Rename, re-code, move (with its whole subtree) or change the manager of a unit."""
    permissions.require(actor, permissions.UNIT_CHANGE.code)
    before = audit.snapshot(unit, UNIT_FIELDS)
    changes: dict = {}
    if name is not None:
        if not name.strip():
            raise ValidationFailed(fields={"name": [_("Give the unit a name.")]})
        changes["name"] = name.strip()
    if code is not None and code != unit.code:
        if OrgUnit.objects.unrestricted().filter(code=code).exclude(pk=unit.pk).exists():
            raise ValidationFailed(fields={"code": [_("A unit with this code already exists.")]})
        changes["code"] = code
    if kind is not None:
        _check_kind(kind)
        changes["kind"] = kind
    new_path = None
    if parent is not UNSET and getattr(parent, "pk", None) != unit.parent_id:
        if parent is None:
            raise ValidationFailed(fields={"parent": [_("Only the company has no parent unit.")]})
        if parent.path.startswith(unit.path):
            raise ValidationFailed(
                fields={"parent": [_("A unit cannot move under itself or its own sub-units.")]}
            )
        new_path = _next_child_path(parent)
        changes["parent"] = parent
    manager_changed = manager is not UNSET and getattr(manager, "pk", None) != unit.manager_id
    if manager_changed:
        _open_manager_term(
            unit,
            manager,
            _effective(manager_effective_on, not_before=None, field="manager_effective_on"),
        )
        changes["manager"] = manager
    elif manager_effective_on is not None and manager is UNSET:
        raise ValidationFailed(fields={"manager_effective_on": [_("Choose the new manager.")]})
    if _changes_nothing(unit, expected_version=expected_version, changes=changes):
        return unit
    old_path = unit.path
    update_versioned(unit, expected_version=expected_version, changes=changes)
    if new_path is not None:
        # One UPDATE moves the whole subtree: the prefix is fresh, so no path collides.
        OrgUnit.objects.unrestricted().filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
        unit.refresh_from_db()
    after = audit.snapshot(unit, UNIT_FIELDS)
    diff = audit.diff(before, after)
    if manager_changed:
        diff["manager_effective_on"] = [
            None,
            (manager_effective_on or _today()).isoformat(),
        ]
    audit.record(actor=actor, action="org.unit.changed", obj=unit, changes=diff)
    return unit


@transaction.atomic
def delete_unit(*, actor: User | None, unit: OrgUnit) -> None:
    """Delete a unit nothing depends on: no sub-units, members, territories or history."""
    permissions.require(actor, permissions.UNIT_DELETE.code)
    reasons = []
    if unit.children.exists():
        reasons.append(_("it has sub-units"))
    if unit.members.exists() or unit.memberships.exists():
        reasons.append(_("people belong or belonged to it"))
    if unit.territories.exists():
        reasons.append(_("territories are assigned to it"))
    if reasons:
        raise Conflict(_("This unit cannot be deleted: %s.") % "; ".join(str(r) for r in reasons))
    before = audit.snapshot(unit, UNIT_FIELDS)
    audit.record(actor=actor, action="org.unit.deleted", obj=unit, changes=audit.diff(before, {}))
    ManagerTerm.objects.filter(unit=unit).delete()
    unit.delete()


@transaction.atomic
def create_person(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    role: str = Role.SALESPERSON,
    unit: OrgUnit | None = None,
    position: Position | None = None,
    extra_roles: list[str] | None = None,
    email: str = "",
    phone: str = "",
    duties: str = "",
    password: str | None = None,
    joined_on: dt.date | None = None,
) -> User:
    """Add a person. Without a password they cannot sign in until one is set."""
    permissions.require(actor, permissions.PERSON_CREATE.code)
    username = username.strip()
    extra_roles = [r for r in dict.fromkeys(extra_roles or []) if r != role]
    fields: dict[str, list[str]] = {}
    if not username:
        fields["username"] = [_("Give the person a user name.")]
    elif User.objects.unrestricted().filter(username__iexact=username).exists():
        fields["username"] = [_("This user name is taken.")]
    if not full_name.strip():
        fields["full_name"] = [_("Give the person's name.")]
    if fields:
        raise ValidationFailed(fields=fields)
    _check_roles(role, extra_roles)
    day = _effective(joined_on, not_before=None, field="joined_on")
    person = User(
        username=username,
        full_name=full_name.strip(),
        role=role,
        extra_roles=extra_roles,
        unit=unit,
        position=position,
        email=email,
        phone=phone,
        duties=duties,
        is_staff=role == Role.ADMINISTRATOR,
    )
    if password:
        try:
            validate_password(password, user=person)
        except ValidationError as exc:
            raise ValidationFailed(fields={"password": list(exc.messages)}) from None
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.save()
    if unit is not None:
        Membership.objects.create(person=person, unit=unit, started_on=day)
    _people_units_changed()  # (also without a unit: a new person is in the mapping)
    audit.record(
        actor=actor,
        action="org.person.created",
        obj=person,
        changes=audit.diff({}, audit.snapshot(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def update_person(
    *,
    actor: User | None,
    person: User,
    expected_version: int,
    **values: object,
) -> User:
    """Change a person's name, contacts, roles, position or duties (not their unit: see
    :func:`move_person`)."""
    permissions.require(actor, permissions.PERSON_CHANGE.code)
    allowed = {"full_name", "email", "phone", "role", "extra_roles", "position", "duties"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    changes = {k: v for k, v in values.items() if v is not None or k == "position"}
    if "full_name" in changes:
        changes["full_name"] = str(changes["full_name"]).strip()
        if not changes["full_name"]:
            raise ValidationFailed(fields={"full_name": [_("Give the person's name.")]})
    role = str(changes.get("role", person.role))
    extra = list(changes.get("extra_roles", person.extra_roles) or [])  # type: ignore[call-overload]
    _check_roles(role, extra)
    if "role" in changes or "extra_roles" in changes:
        changes["extra_roles"] = [r for r in dict.fromkeys(extra) if r != role]
        changes["is_staff"] = role == Role.ADMINISTRATOR or Role.ADMINISTRATOR in extra
    if _changes_nothing(person, expected_version=expected_version, changes=changes):
        return person
    before = audit.snapshot(person, PERSON_FIELDS)
    update_versioned(person, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action="org.person.changed",
        obj=person,
        changes=audit.diff(before, audit.snapshot(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def move_person(
    *,
    actor: User | None,
    person: User,
    unit: OrgUnit,
    expected_version: int,
    effective_on: dt.date | None = None,
) -> User:
    """Move a person to another unit from ``effective_on`` (today by default).

    Visibility follows the move at once; the membership history keeps the old span, so a
    report for an earlier month still counts the person in their old unit.
    """
    permissions.require(actor, permissions.PERSON_MOVE.code)
    if unit.pk == person.unit_id:
        raise ValidationFailed(fields={"unit": [_("The person is already in this unit.")]})
    current = Membership.objects.filter(person=person, ended_on__isnull=True).first()
    day = _effective(
        effective_on, not_before=current.started_on if current else None, field="effective_on"
    )
    before = audit.snapshot(person, ["unit"])
    update_versioned(person, expected_version=expected_version, changes={"unit": unit})
    if current is not None and current.started_on == day:
        current.delete()
    elif current is not None:
        current.ended_on = day
        current.save(update_fields=["ended_on"])
    Membership.objects.create(person=person, unit=unit, started_on=day)
    diff = audit.diff(before, audit.snapshot(person, ["unit"]))
    diff["effective_on"] = [None, day.isoformat()]
    audit.record(actor=actor, action="org.person.moved", obj=person, changes=diff)
    _people_units_changed()
    return person


@transaction.atomic
def deactivate_person(*, actor: User | None, person: User, expected_version: int) -> User:
    """Stop a person signing in. Their records stay; units they manage must be handed over."""
    permissions.require(actor, permissions.PERSON_DEACTIVATE.code)
    if actor is not None and person.pk == actor.pk:
        raise Conflict(_("You cannot deactivate yourself."))
    managed = list(
        OrgUnit.objects.unrestricted().filter(manager=person).values_list("name", flat=True)
    )
    if managed:
        raise Conflict(_("Give these units another manager first: %s.") % ", ".join(managed))
    if not person.is_active:
        return person
    update_versioned(person, expected_version=expected_version, changes={"is_active": False})
    audit.record(
        actor=actor,
        action="org.person.deactivated",
        obj=person,
        changes={"is_active": [True, False]},
    )
    return person


@transaction.atomic
def create_position(*, actor: User | None, name: str, duties: str = "") -> Position:
    permissions.require(actor, permissions.POSITION_CREATE.code)
    name = name.strip()
    if not name:
        raise ValidationFailed(fields={"name": [_("Give the position a name.")]})
    if Position.objects.unrestricted().filter(name=name).exists():
        raise ValidationFailed(fields={"name": [_("A position with this name already exists.")]})
    position = Position.objects.create(name=name, duties=duties.strip())
    audit.record(
        actor=actor,
        action="org.position.created",
        obj=position,
        changes=audit.diff({}, audit.snapshot(position, ["name", "duties"])),
    )
    return position


@transaction.atomic
def update_position(
    *,
    actor: User | None,
    position: Position,
    expected_version: int,
    name: str | None = None,
    duties: str | None = None,
) -> Position:
    permissions.require(actor, permissions.POSITION_CHANGE.code)
    changes: dict = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationFailed(fields={"name": [_("Give the position a name.")]})
        if Position.objects.unrestricted().filter(name=name).exclude(pk=position.pk).exists():
            raise ValidationFailed(
                fields={"name": [_("A position with this name already exists.")]}
            )
        changes["name"] = name
    if duties is not None:
        changes["duties"] = duties.strip()
    if _changes_nothing(position, expected_version=expected_version, changes=changes):
        return position
    before = audit.snapshot(position, ["name", "duties"])
    update_versioned(position, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action="org.position.changed",
        obj=position,
        changes=audit.diff(before, audit.snapshot(position, ["name", "duties"])),
    )
    return position


@transaction.atomic
def delete_position(*, actor: User | None, position: Position) -> None:
    permissions.require(actor, permissions.POSITION_DELETE.code)
    if position.holders.exists():
        raise Conflict(_("People hold this position; give them another one first."))
    before = audit.snapshot(position, ["name", "duties"])
    audit.record(
        actor=actor, action="org.position.deleted", obj=position, changes=audit.diff(before, {})
    )
    position.delete()


def _check_territory(
    *, code: str | None, pk: int | None, parent: Territory | None, kind: str | None
) -> None:
    if code is not None:
        if not code.strip():
            raise ValidationFailed(fields={"code": [_("Give the territory a code.")]})
        if Territory.objects.unrestricted().filter(code=code).exclude(pk=pk).exists():
            raise ValidationFailed(
                fields={"code": [_("A territory with this code already exists.")]}
            )
    if kind is not None and kind not in TerritoryKind.values:
        raise ValidationFailed(fields={"kind": [_("Unknown territory kind.")]})
    seen = set()
    node = parent
    while node is not None and pk is not None:
        if node.pk == pk or node.pk in seen:
            raise ValidationFailed(fields={"parent": [_("A territory cannot be part of itself.")]})
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def create_territory(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str = TerritoryKind.AREA,
    parent: Territory | None = None,
    unit: OrgUnit | None = None,
    owner: User | None = None,
) -> Territory:
    permissions.require(actor, permissions.TERRITORY_CREATE.code)
    _check_territory(code=code, pk=None, parent=parent, kind=kind)
    if not name.strip():
        raise ValidationFailed(fields={"name": [_("Give the territory a name.")]})
    territory = Territory.objects.create(
        code=code.strip(), name=name.strip(), kind=kind, parent=parent, unit=unit, owner=owner
    )
    audit.record(
        actor=actor,
        action="org.territory.created",
        obj=territory,
        changes=audit.diff({}, audit.snapshot(territory, TERRITORY_FIELDS)),
    )
    return territory


@transaction.atomic
def update_territory(
    *, actor: User | None, territory: Territory, expected_version: int, **values: object
) -> Territory:
    """Rename a territory or assign it to another unit or responsible person."""
    permissions.require(actor, permissions.TERRITORY_CHANGE.code)
    unknown = set(values) - set(TERRITORY_FIELDS)
    if unknown:
        raise ValidationFailed(
            fields={name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    _check_territory(
        code=values.get("code"),  # type: ignore[arg-type]
        pk=territory.pk,
        parent=values.get("parent"),  # type: ignore[arg-type]
        kind=values.get("kind"),  # type: ignore[arg-type]
    )
    if "name" in values and not str(values["name"] or "").strip():
        raise ValidationFailed(fields={"name": [_("Give the territory a name.")]})
    if _changes_nothing(territory, expected_version=expected_version, changes=dict(values)):
        return territory
    before = audit.snapshot(territory, TERRITORY_FIELDS)
    update_versioned(territory, expected_version=expected_version, changes=dict(values))
    audit.record(
        actor=actor,
        action="org.territory.changed",
        obj=territory,
        changes=audit.diff(before, audit.snapshot(territory, TERRITORY_FIELDS)),
    )
    return territory


@transaction.atomic
def delete_territory(*, actor: User | None, territory: Territory) -> None:
    permissions.require(actor, permissions.TERRITORY_DELETE.code)
    if territory.children.exists():
        raise Conflict(_("This territory has parts; delete or move them first."))
    before = audit.snapshot(territory, TERRITORY_FIELDS)
    audit.record(
        actor=actor,
        action="org.territory.deleted",
        obj=territory,
        changes=audit.diff(before, {}),
    )
    territory.delete()


@transaction.atomic
def share_record(
    *,
    actor: User,
    record: models.Model,
    grantee: User | None = None,
    grantee_unit: OrgUnit | None = None,
    access: str = ShareAccess.VIEW,
    note: str = "",
) -> RecordShare:
    """Share one record read-only (``view``) or read-write (``change``) with a person or a
    unit. Only someone who may change the record may share it."""
    permissions.require(actor, permissions.SHARE_CREATE.code)
    ownership = visibility.ownership_of(type(record))
    if ownership is None or not ownership.shareable:
        raise ValidationFailed(fields={"record": [_("This kind of record cannot be shared.")]})
    if (grantee is None) == (grantee_unit is None):
        raise ValidationFailed(fields={"grantee": [_("Share with one person or one unit.")]})
    if access not in ShareAccess.values:
        raise ValidationFailed(fields={"access": [_("Choose read only or read and write.")]})
    model = type(record)
    visibility.get_visible(
        model._default_manager.all(), viewer=actor, pk=record.pk, action=visibility.CHANGE
    )
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    existing = (
        RecordShare.objects.unrestricted()
        .filter(
            content_type=content_type,
            object_id=record.pk,
            grantee=grantee,
            grantee_unit=grantee_unit,
        )
        .first()
    )
    if existing is not None:
        if existing.access == access:
            return existing
        before = audit.snapshot(existing, ["access"])
        update_versioned(existing, expected_version=existing.version, changes={"access": access})
        audit.record(
            actor=actor,
            action="org.share.changed",
            obj=existing,
            changes=audit.diff(before, audit.snapshot(existing, ["access"])),
        )
        return existing
    share = RecordShare.objects.create(
        content_type=content_type,
        object_id=record.pk,
        grantee=grantee,
        grantee_unit=grantee_unit,
        access=access,
        granted_by=actor,
        note=note[:200],
    )
    audit.record(
        actor=actor,
        action="org.share.created",
        obj=share,
        changes={
            "record": [None, f"{model._meta.label_lower}:{record.pk}"],
            "grantee": [None, grantee.username if grantee else None],
            "grantee_unit": [None, grantee_unit.code if grantee_unit else None],
            "access": [None, access],
        },
    )
    return share


@transaction.atomic
def revoke_share(*, actor: User, share: RecordShare) -> None:
    """End a share. Whoever granted it, or anyone who may change the record, may revoke it."""
    permissions.require(actor, permissions.SHARE_DELETE.code)
    model = share.content_type.model_class()
    may_change = model is not None and (
        visibility.visible(model._default_manager.all(), viewer=actor, action=visibility.CHANGE)
        .filter(pk=share.object_id)
        .exists()
    )
    if share.granted_by_id != actor.pk and not may_change:
        raise PermissionDenied()
    audit.record(
        actor=actor,
        action="org.share.deleted",
        obj=share,
        changes={"access": [share.access, None]},
    )
    share.delete()


# --- a company's first day: the company unit and its first administrator ---


@dataclass(frozen=True)
class Initialised:
    company: OrgUnit
    administrator: User
    created: bool  # False: it was already set up exactly so, and nothing changed


def company_unit() -> OrgUnit | None:
    """The company: the root unit (the first one, when an import made several roots)."""
    return OrgUnit.objects.unrestricted().filter(parent__isnull=True).order_by("path").first()


@transaction.atomic
def initialise_company(
    *,
    actor: User | None,
    company_name: str,
    company_code: str,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    language: str = "",
) -> Initialised:
    """Set up an empty installation: the company unit and the first Salescope administrator
    (role administrator in the company, also a Django superuser for ``/admin/``).

    Running it again with the same company code and user name changes nothing; on an
    installation that already has a company or an administrator it refuses with 409 and says
    what exists (add further people on the people page or with ``salescope import org``)."""
    from django.conf import settings

    existing_company = company_unit()
    existing_admin = (
        User.objects.unrestricted()
        .filter(models.Q(role=Role.ADMINISTRATOR) | models.Q(is_superuser=True))
        .order_by("pk")
        .first()
    )
    if existing_company is not None or existing_admin is not None:
        if (
            existing_company is not None
            and existing_admin is not None
            and existing_company.code == company_code.strip()
            and existing_admin.username == username.strip()
        ):
            return Initialised(existing_company, existing_admin, created=False)
        raise Conflict(
            _(
                "Salescope is already initialised (company: %(company)s, administrator: "
                "%(admin)s). Sign in as the administrator and add people on the people page "
                "or with “salescope import org”."
            )
            % {
                "company": existing_company.name if existing_company else "—",
                "admin": existing_admin.username if existing_admin else "—",
            }
        )
    fields: dict[str, list[str]] = {}
    if not company_name.strip():
        fields["company_name"] = [_("Give the company's name.")]
    if not company_code.strip():
        fields["company_code"] = [_("Give the company a code.")]
    if not username.strip():
        fields["username"] = [_("Give the administrator a user name.")]
    if not password:
        fields["password"] = [_("Give the administrator a password.")]
    languages = {code for code, _label in settings.LANGUAGES}
    if language and language not in languages:
        fields["language"] = [
            _("Unknown language; choose one of: %s.") % ", ".join(sorted(languages))
        ]
    if fields:
        raise ValidationFailed(fields=fields)
    company = OrgUnit.objects.create(
        name=company_name.strip(),
        code=company_code.strip(),
        kind=UnitKind.COMPANY,
        path=_next_child_path(None),
    )
    audit.record(
        actor=actor,
        action="org.unit.created",
        obj=company,
        changes=audit.diff({}, audit.snapshot(company, ["name", "code", "kind"])),
    )
    admin = User(
        username=username.strip(),
        full_name=(full_name or username).strip(),
        email=email.strip(),
        role=Role.ADMINISTRATOR,
        unit=company,
        language=language,
        is_staff=True,
        is_superuser=True,
    )
    try:
        validate_password(password, user=admin)
    except ValidationError as exc:
        raise ValidationFailed(fields={"password": list(exc.messages)}) from None
    admin.set_password(password)
    admin.save()
    Membership.objects.create(person=admin, unit=company, started_on=_today())
    _people_units_changed()
    audit.record(
        actor=actor,
        action="org.person.created",
        obj=admin,
        changes=audit.diff({}, audit.snapshot(admin, PERSON_FIELDS)),
    )
    return Initialised(company, admin, created=True)


@transaction.atomic
def enrol_administrator(*, actor: User | None, person: User) -> User:
    """Make a person created outside Salescope's pages (``createsuperuser``) an administrator
    of the company: role administrator, in the company unit, audited. Before there is a
    company it refuses and points to ``salescope init``."""
    company = company_unit()
    if company is None:
        raise Conflict(
            _(
                "There is no company yet. Run “salescope init” to create the company and its "
                "first administrator."
            )
        )
    changes = {"role": Role.ADMINISTRATOR, "unit": company, "is_staff": True}
    if not person.full_name:
        changes["full_name"] = person.username
    User.objects.unrestricted().filter(pk=person.pk).update(**changes)
    person.refresh_from_db()
    if not Membership.objects.filter(person=person, ended_on__isnull=True).exists():
        Membership.objects.create(person=person, unit=company, started_on=_today())
    _people_units_changed()  # their unit is the company's now
    audit.record(
        actor=actor,
        action="org.person.created",
        obj=person,
        changes=audit.diff({}, audit.snapshot(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def set_person_password(*, actor: User | None, person: User, new_password: str) -> User:
    """An administrator sets a person's password (people imported or added without one cannot
    sign in until then). Checked by the password policy; the value never enters the audit."""
    permissions.require(actor, permissions.PERSON_CHANGE.code)
    try:
        validate_password(new_password, user=person)
    except ValidationError as exc:
        raise ValidationFailed(fields={"new_password": list(exc.messages)}) from None
    person.set_password(new_password)
    person.save(update_fields=["password"])
    audit.record(actor=actor, action="org.person.password_changed", obj=person)
    return person
