"""Import the organisation from a spreadsheet: units, positions, people, unit managers and
territories (CSV in UTF-8 or GBK, or XLSX).

Four tables, recognised by their headers (English or Chinese):

* units — ``code 编码, name 名称, kind 类型, parent_code 上级编码, manager 负责人账号``
* positions — ``position 岗位名称, duties 岗位职责``
* people — ``username 账号, full_name 姓名, role 角色, unit_code 单位编码, position 岗位,
  email 邮箱, phone 电话, duties 岗位职责``
* territories — ``territory_code 片区编码, name 片区名称, kind 类型 (省/市/区县/片区),
  parent_code 上级片区编码, unit_code 单位编码, owner 负责人账号``

A CSV file holds one table; an XLSX workbook may hold several, one per sheet. Units are placed
first (parents before children, whatever the row order), then positions, people, unit
managers and territories, so one workbook can build a whole organisation (``salescope import
org FILE [--dry-run]`` or the administrator's page). Every row is written through the
services (so it is checked, permissioned and audited with source "import") in its own
savepoint: good rows land, each bad row is reported with its line, column and reason.
Re-importing the same file changes nothing (natural keys: unit code, position name, user
name, territory code).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from salescope.core.audit_context import AuditSource, audit_source
from salescope.core.errors import DomainError, ValidationFailed
from salescope.org import permissions, services
from salescope.org.choices import Role, TerritoryKind, UnitKind
from salescope.org.models import OrgUnit, Position, Territory, User

UNIT_HEADERS = {
    "code": ["code", "编码", "单位编码"],
    "name": ["name", "名称", "单位名称"],
    "kind": ["kind", "类型"],
    "parent_code": ["parent_code", "parent", "上级编码", "上级单位编码"],
    "manager": ["manager", "manager_username", "负责人账号", "负责人"],
}
PEOPLE_HEADERS = {
    "username": ["username", "账号", "用户名"],
    "full_name": ["full_name", "name", "姓名"],
    "role": ["role", "角色"],
    "unit_code": ["unit_code", "unit", "单位编码", "部门编码"],
    "position": ["position", "岗位"],
    "email": ["email", "邮箱"],
    "phone": ["phone", "电话"],
    "duties": ["duties", "岗位职责", "职责"],
}
POSITION_HEADERS = {
    "position": ["position", "position_name", "岗位名称", "职位名称"],
    "duties": ["duties", "岗位职责", "职责"],
}
TERRITORY_HEADERS = {
    "territory_code": ["territory_code", "territory", "片区编码", "辖区编码", "销售区域编码"],
    "name": ["name", "名称", "片区名称", "辖区名称", "销售区域名称"],
    "kind": ["kind", "类型"],
    "parent_code": ["parent_code", "上级编码", "上级片区编码", "上级辖区编码"],
    "unit_code": ["unit_code", "unit", "单位编码", "负责单位编码"],
    "owner": ["owner", "负责人账号", "负责人"],
}
TERRITORY_KIND_ALIASES = {
    "省": TerritoryKind.PROVINCE,
    "省份": TerritoryKind.PROVINCE,
    "市": TerritoryKind.CITY,
    "城市": TerritoryKind.CITY,
    "区": TerritoryKind.DISTRICT,
    "县": TerritoryKind.DISTRICT,
    "区县": TerritoryKind.DISTRICT,
    "片区": TerritoryKind.AREA,
    "区域": TerritoryKind.AREA,
}
KIND_ALIASES = {
    "公司": UnitKind.COMPANY,
    "大区": UnitKind.REGION,
    "区域": UnitKind.REGION,
    "分公司": UnitKind.BRANCH,
    "团队": UnitKind.TEAM,
    "小组": UnitKind.TEAM,
    "组": UnitKind.TEAM,
    "部门": UnitKind.DEPARTMENT,
}
ROLE_ALIASES = {
    "系统管理员": Role.ADMINISTRATOR,
    "管理员": Role.ADMINISTRATOR,
    "总经理": Role.EXECUTIVE,
    "高管": Role.EXECUTIVE,
    "销售总监": Role.SALES_DIRECTOR,
    "经理": Role.MANAGER,
    "销售经理": Role.MANAGER,
    "业务员": Role.SALESPERSON,
    "销售员": Role.SALESPERSON,
    "财务": Role.FINANCE,
    "市场": Role.MARKETING,
}
MAX_ROWS = 20_000
FORMULA_START = ("=", "+", "-", "@")


@dataclass
class RowError:
    line: int
    column: str
    reason: str
    sheet: str = ""


@dataclass
class ImportResult:
    units_created: int = 0
    units_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    positions_created: int = 0
    positions_updated: int = 0
    territories_created: int = 0
    territories_updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Table:
    kind: str  # "units", "positions", "people" or "territories"
    sheet: str
    rows: list[tuple[int, dict[str, str]]]  # (line number, values by canonical column)


def _canonical(headers: list[str], spec: dict[str, list[str]]) -> dict[int, str] | None:
    names = {alias.lower(): key for key, aliases in spec.items() for alias in aliases}
    mapping = {
        i: names[h.strip().lower()] for i, h in enumerate(headers) if h.strip().lower() in names
    }
    return mapping if set(mapping.values()) >= {next(iter(spec))} else None


def _table(sheet: str, raw_rows: list[list[Any]]) -> Table | None:
    if not raw_rows:
        return None
    headers = [str(h or "") for h in raw_rows[0]]
    for kind, spec, required in (
        ("territories", TERRITORY_HEADERS, {"territory_code", "name"}),
        ("units", UNIT_HEADERS, {"code", "name"}),
        ("people", PEOPLE_HEADERS, {"username", "full_name"}),
        ("positions", POSITION_HEADERS, {"position"}),
    ):
        mapping = _canonical(headers, spec)
        if mapping and required <= set(mapping.values()):
            rows = []
            for offset, raw in enumerate(raw_rows[1:], start=2):
                values = {key: _cell(raw[i]) if i < len(raw) else "" for i, key in mapping.items()}
                if any(values.values()):
                    rows.append((offset, values))
            return Table(kind, sheet, rows)
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_tables(name: str, content: bytes) -> list[Table]:
    """Parse an uploaded file into tables; raises ValidationFailed when nothing is readable."""
    if name.lower().endswith(".xlsx"):
        raw_sheets = _read_xlsx(content)
    else:
        raw_sheets = [("", _read_csv(content))]
    tables = [t for sheet, rows in raw_sheets if (t := _table(sheet, rows)) is not None]
    if not tables:
        raise ValidationFailed(
            fields={
                "file": [
                    _(
                        "No table of units (code, name, …) or people (username, full_name, …) "
                        "was found in the file."
                    )
                ]
            }
        )
    if sum(len(t.rows) for t in tables) > MAX_ROWS:
        raise ValidationFailed(fields={"file": [_("The file has too many rows.")]})
    return tables


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationFailed(fields={"file": [_("The file is not UTF-8 or GBK text.")]})
    return list(csv.reader(io.StringIO(text)))


def _read_xlsx(content: bytes) -> list[tuple[str, list[list[Any]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        message = _("The file is not a readable XLSX workbook.")
        raise ValidationFailed(fields={"file": [message]}) from None
    try:
        return [
            (sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)])
            for sheet in workbook.worksheets
        ]
    finally:
        workbook.close()


def import_org(*, actor: User, name: str, content: bytes, dry_run: bool = False) -> ImportResult:
    """Import the organisation from a spreadsheet. Refused unless the actor may import. A dry
    run checks every row the same way and stores nothing."""
    permissions.require(actor, permissions.ORG_IMPORT.code)
    tables = read_tables(name, content)
    result = ImportResult(dry_run=dry_run)
    of_kind = {kind: [t for t in tables if t.kind == kind] for kind in _ORDER}
    with audit_source(AuditSource.IMPORT), transaction.atomic():
        for table in of_kind["units"]:
            _import_units(actor, table, result)
        for table in of_kind["positions"]:
            _import_positions(actor, table, result)
        for table in of_kind["people"]:
            _import_people(actor, table, result)
        for table in of_kind["units"]:
            _import_managers(actor, table, result)
        for table in of_kind["territories"]:
            _import_territories(actor, table, result)
        if dry_run:
            transaction.set_rollback(True)
    return result


_ORDER = ("units", "positions", "people", "territories")


def _import_positions(actor: User, table: Table, result: ImportResult) -> None:
    seen: set[str] = set()
    for line, values in table.rows:
        try:
            name = _text(values, "position", result, table, line)
            duties = _text(values, "duties", result, table, line)
        except _RowRejected:
            continue
        if not name:
            _error(result, table, line, "position", _("The position name is missing."))
            continue
        if name in seen:
            _error(result, table, line, "position", _("This name appears twice in the file."))
            continue
        seen.add(name)
        position = Position.objects.unrestricted().filter(name=name).first()
        try:
            with transaction.atomic():
                if position is None:
                    services.create_position(actor=actor, name=name, duties=duties)
                    result.positions_created += 1
                elif duties and duties != position.duties:
                    services.update_position(
                        actor=actor,
                        position=position,
                        expected_version=position.version,
                        duties=duties,
                    )
                    result.positions_updated += 1
                else:
                    result.unchanged += 1
        except DomainError as error:
            _domain_error(result, table, line, error)


def _territory_kind(value: str) -> str | None:
    if not value:
        return TerritoryKind.AREA
    if value in TerritoryKind.values:
        return value
    if value in TERRITORY_KIND_ALIASES:
        return TERRITORY_KIND_ALIASES[value]
    for choice in TerritoryKind:
        if value.lower() == str(choice.label).lower():
            return choice.value
    return None


def _import_territories(actor: User, table: Table, result: ImportResult) -> None:
    """Parents before their parts, whatever the row order (as for units)."""
    pending = list(table.rows)
    seen: set[str] = set()
    progress = True
    while pending and progress:
        progress = False
        waiting = []
        for line, values in pending:
            parent_code = values.get("parent_code", "")
            if (
                parent_code
                and not Territory.objects.unrestricted().filter(code=parent_code).exists()
                and any(v.get("territory_code") == parent_code for _l, v in pending)
            ):
                waiting.append((line, values))
                continue
            progress = True
            _import_territory(actor, table, line, values, result, seen)
        pending = waiting
    for line, _values in pending:
        _error(result, table, line, "parent_code", _("No territory has this code."))


def _import_territory(
    actor: User,
    table: Table,
    line: int,
    values: dict[str, str],
    result: ImportResult,
    seen: set[str],
) -> None:
    try:
        cleaned = {k: _text(values, k, result, table, line) for k in TERRITORY_HEADERS}
    except _RowRejected:
        return
    code = cleaned["territory_code"]
    if not code:
        _error(result, table, line, "territory_code", _("The code is missing."))
        return
    if code in seen:
        _error(result, table, line, "territory_code", _("This code appears twice in the file."))
        return
    seen.add(code)
    kind = _territory_kind(cleaned["kind"])
    if kind is None:
        _error(result, table, line, "kind", _("Unknown territory kind."))
        return
    links: dict[str, Any] = {}
    for key, model, lookup, message in (
        ("parent_code", Territory, "code", _("No territory has this code.")),
        ("unit_code", OrgUnit, "code", _("No unit has this code.")),
        ("owner", User, "username", _("No person has this user name.")),
    ):
        if cleaned[key]:
            found = model.objects.unrestricted().filter(**{lookup: cleaned[key]}).first()
            if found is None:
                _error(result, table, line, key, message)
                return
            links[key] = found
    territory = Territory.objects.unrestricted().filter(code=code).first()
    try:
        with transaction.atomic():
            if territory is None:
                services.create_territory(
                    actor=actor,
                    code=code,
                    name=cleaned["name"],
                    kind=kind,
                    parent=links.get("parent_code"),
                    unit=links.get("unit_code"),
                    owner=links.get("owner"),
                )
                result.territories_created += 1
                return
            wanted = {
                "name": cleaned["name"] or territory.name,
                "kind": kind if cleaned["kind"] else territory.kind,
                "parent": links.get("parent_code", territory.parent),
                "unit": links.get("unit_code", territory.unit),
                "owner": links.get("owner", territory.owner),
            }
            changes = {k: v for k, v in wanted.items() if getattr(territory, k) != v}
            if not changes:
                result.unchanged += 1
                return
            services.update_territory(
                actor=actor, territory=territory, expected_version=territory.version, **changes
            )
            result.territories_updated += 1
    except DomainError as error:
        _domain_error(result, table, line, error)


def _error(result: ImportResult, table: Table, line: int, column: str, reason: str) -> None:
    result.errors.append(RowError(line=line, column=column, reason=str(reason), sheet=table.sheet))


def _domain_error(result: ImportResult, table: Table, line: int, error: DomainError) -> None:
    if error.fields:
        for column, messages in error.fields.items():
            for message in messages:
                _error(result, table, line, column, message)
    else:
        _error(result, table, line, "", error.detail)


def _text(values: dict[str, str], key: str, result: ImportResult, table: Table, line: int) -> str:
    value = values.get(key, "")
    if value.startswith(FORMULA_START) and not value.lstrip("+-").replace(".", "").isdigit():
        _error(result, table, line, key, _("Formulas are not accepted; enter the value itself."))
        raise _RowRejected
    return value


class _RowRejected(Exception):
    pass


def _kind(value: str) -> str | None:
    if value in UnitKind.values:
        return value
    if value in KIND_ALIASES:
        return KIND_ALIASES[value]
    for choice in UnitKind:
        if value.lower() == str(choice.label).lower():
            return choice.value
    return None


def _role(value: str) -> str | None:
    if value in Role.values:
        return value
    if value in ROLE_ALIASES:
        return ROLE_ALIASES[value]
    for choice in Role:
        if value.lower() == str(choice.label).lower():
            return choice.value
    return None


def _import_units(actor: User, table: Table, result: ImportResult) -> None:
    pending = list(table.rows)
    seen: set[str] = set()
    progress = True
    while pending and progress:
        progress = False
        waiting = []
        for line, values in pending:
            parent_code = values.get("parent_code", "")
            if (
                parent_code
                and not OrgUnit.objects.unrestricted().filter(code=parent_code).exists()
                and any(v.get("code") == parent_code for _l, v in pending)
            ):
                waiting.append((line, values))
                continue
            progress = True
            _import_unit(actor, table, line, values, result, seen)
        pending = waiting
    for line, _values in pending:  # parents that never appeared (or a cycle)
        _error(result, table, line, "parent_code", _("No unit has this code."))


def _import_unit(
    actor: User,
    table: Table,
    line: int,
    values: dict[str, str],
    result: ImportResult,
    seen: set[str],
) -> None:
    try:
        code = _text(values, "code", result, table, line)
        name = _text(values, "name", result, table, line)
    except _RowRejected:
        return
    if not code:
        _error(result, table, line, "code", _("The code is missing."))
        return
    if code in seen:
        _error(result, table, line, "code", _("This code appears twice in the file."))
        return
    seen.add(code)
    kind = _kind(values.get("kind", "") or UnitKind.TEAM)
    if kind is None:
        _error(result, table, line, "kind", _("Unknown unit kind."))
        return
    parent_code = values.get("parent_code", "")
    parent = (
        OrgUnit.objects.unrestricted().filter(code=parent_code).first() if parent_code else None
    )
    if parent_code and parent is None:
        _error(result, table, line, "parent_code", _("No unit has this code."))
        return
    unit = OrgUnit.objects.unrestricted().filter(code=code).first()
    try:
        with transaction.atomic():
            if unit is None:
                if parent is None and OrgUnit.objects.unrestricted().exists():
                    raise ValidationFailed(
                        fields={"parent_code": [_("Give the code of the unit above this one.")]}
                    )
                services.create_unit(actor=actor, name=name, code=code, kind=kind, parent=parent)
                result.units_created += 1
                return
            changes: dict[str, Any] = {}
            if name and name != unit.name:
                changes["name"] = name
            if kind != unit.kind and values.get("kind"):
                changes["kind"] = kind
            if parent is not None and parent.pk != unit.parent_id:
                changes["parent"] = parent
            if not changes:
                result.unchanged += 1
                return
            services.update_unit(actor=actor, unit=unit, expected_version=unit.version, **changes)
            result.units_updated += 1
    except DomainError as error:
        _domain_error(result, table, line, error)


def _import_managers(actor: User, table: Table, result: ImportResult) -> None:
    failed_lines = {e.line for e in result.errors if e.sheet == table.sheet}
    for line, values in table.rows:
        username = values.get("manager", "")
        if not username or line in failed_lines:
            continue
        unit = OrgUnit.objects.unrestricted().filter(code=values.get("code", "")).first()
        manager = User.objects.unrestricted().filter(username=username).first()
        if manager is None:
            _error(result, table, line, "manager", _("No person has this user name."))
            continue
        if unit is None or unit.manager_id == manager.pk:
            continue
        try:
            with transaction.atomic():
                services.update_unit(
                    actor=actor, unit=unit, expected_version=unit.version, manager=manager
                )
        except DomainError as error:
            _domain_error(result, table, line, error)


def _import_people(actor: User, table: Table, result: ImportResult) -> None:
    seen: set[str] = set()
    for line, values in table.rows:
        try:
            cleaned = {k: _text(values, k, result, table, line) for k in PEOPLE_HEADERS}
        except _RowRejected:
            continue
        username = cleaned["username"]
        if not username:
            _error(result, table, line, "username", _("The user name is missing."))
            continue
        if username.lower() in seen:
            _error(result, table, line, "username", _("This user name appears twice in the file."))
            continue
        seen.add(username.lower())
        role = _role(cleaned["role"] or Role.SALESPERSON)
        if role is None:
            _error(result, table, line, "role", _("Unknown role."))
            continue
        unit = None
        if cleaned["unit_code"]:
            unit = OrgUnit.objects.unrestricted().filter(code=cleaned["unit_code"]).first()
            if unit is None:
                _error(result, table, line, "unit_code", _("No unit has this code."))
                continue
        position = None
        if cleaned["position"]:
            position = Position.objects.unrestricted().filter(name=cleaned["position"]).first()
            if position is None:
                _error(result, table, line, "position", _("No position has this name."))
                continue
        try:
            with transaction.atomic():
                _upsert_person(actor, cleaned, role, unit, position, result)
        except DomainError as error:
            _domain_error(result, table, line, error)


def _upsert_person(
    actor: User,
    values: dict[str, str],
    role: str,
    unit: OrgUnit | None,
    position: Position | None,
    result: ImportResult,
) -> None:
    person = User.objects.unrestricted().filter(username__iexact=values["username"]).first()
    if person is None:
        services.create_person(
            actor=actor,
            username=values["username"],
            full_name=values["full_name"],
            role=role,
            unit=unit,
            position=position,
            email=values["email"],
            phone=values["phone"],
            duties=values["duties"],
        )
        result.people_created += 1
        return
    changes: dict[str, Any] = {}
    for key in ("full_name", "email", "phone", "duties"):
        if values[key] and values[key] != getattr(person, key):
            changes[key] = values[key]
    if values["role"] and role != person.role:
        changes["role"] = role
    if position is not None and position.pk != person.position_id:
        changes["position"] = position
    moved = unit is not None and unit.pk != person.unit_id
    if not changes and not moved:
        result.unchanged += 1
        return
    if changes:
        person = services.update_person(
            actor=actor, person=person, expected_version=person.version, **changes
        )
    if moved:
        services.move_person(actor=actor, person=person, unit=unit, expected_version=person.version)
    result.people_updated += 1
