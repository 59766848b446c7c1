"""Writes to the organisation: each checked, permissioned, audited once, atomic."""

import datetime as dt

import pytest

from salescope.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from salescope.core.models import AuditEntry
from salescope.org import services
from salescope.org.models import ManagerTerm, Membership, OrgUnit, Position, User


def writes() -> int:
    return AuditEntry.objects.exclude(action="core.access.denied").count()


def test_admin_creates_a_unit_under_a_region_with_one_audit_entry(personas):
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    before = writes()

    unit = services.create_unit(
        actor=personas["admin"],
        name="南京分公司",
        code="EAST-NJ",
        kind="branch",
        parent=east,
        manager=personas["team_lead"],
    )

    assert unit.path.startswith(east.path)
    assert unit.depth == east.depth + 1
    assert writes() == before + 1
    entry = AuditEntry.objects.get(action="org.unit.created", object_id=str(unit.pk))
    assert entry.changes["code"] == [None, "EAST-NJ"]
    assert entry.changes["manager"] == [None, personas["team_lead"].pk]
    term = ManagerTerm.objects.get(unit=unit)
    assert (term.manager, term.ended_on) == (personas["team_lead"], None)


@pytest.mark.parametrize("who", ["salesperson", "regional_manager", "director", "finance"])
def test_only_an_administrator_restructures_the_organisation(personas, who):
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    before, units = writes(), OrgUnit.objects.unrestricted().count()

    with pytest.raises(PermissionDenied):
        services.create_unit(actor=personas[who], name="x", code="X", kind="team", parent=east)
    with pytest.raises(PermissionDenied):
        services.update_unit(actor=personas[who], unit=east, expected_version=1, name="改名")

    assert (writes(), OrgUnit.objects.unrestricted().count()) == (before, units)
    assert OrgUnit.objects.unrestricted().get(code="EAST").name == "华东大区"


def test_a_duplicate_unit_code_is_refused_by_field(personas):
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    with pytest.raises(ValidationFailed) as error:
        services.create_unit(
            actor=personas["admin"], name="x", code="EAST-SH", kind="team", parent=east
        )
    assert list(error.value.fields) == ["code"]


def test_a_stale_unit_update_is_refused_and_changes_nothing(personas):
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    services.update_unit(actor=personas["admin"], unit=east, expected_version=1, name="华东区")
    before = writes()

    with pytest.raises(StaleVersion):
        services.update_unit(
            actor=personas["admin"],
            unit=OrgUnit.objects.unrestricted().get(code="SOUTH"),
            expected_version=7,
            name="x",
        )
    stale = OrgUnit.objects.unrestricted().get(code="EAST")
    stale.version = 1
    with pytest.raises(StaleVersion):
        services.update_unit(actor=personas["admin"], unit=stale, expected_version=1, name="华东")

    assert OrgUnit.objects.unrestricted().get(code="EAST").name == "华东区"
    assert writes() == before


def test_a_unit_cannot_move_under_its_own_subtree(personas):
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")
    with pytest.raises(ValidationFailed) as error:
        services.update_unit(actor=personas["admin"], unit=east, expected_version=1, parent=team)
    assert list(error.value.fields) == ["parent"]
    assert OrgUnit.objects.unrestricted().get(code="EAST").parent.code == "HQ"


def test_moving_a_unit_rewrites_the_paths_of_its_whole_subtree(personas):
    shanghai = OrgUnit.objects.unrestricted().get(code="EAST-SH")
    south = OrgUnit.objects.unrestricted().get(code="SOUTH")
    old = {
        u.code: u.path
        for u in OrgUnit.objects.unrestricted().filter(path__startswith=shanghai.path)
    }

    services.update_unit(actor=personas["admin"], unit=shanghai, expected_version=1, parent=south)

    new_root = OrgUnit.objects.unrestricted().get(code="EAST-SH").path
    assert new_root.startswith(south.path)
    for code, path in old.items():
        assert (
            OrgUnit.objects.unrestricted().get(code=code).path
            == new_root + path[len(old["EAST-SH"]) :]
        )
    assert AuditEntry.objects.filter(action="org.unit.changed").count() == 1


def test_changing_a_manager_closes_the_old_term_on_the_effective_date(personas):
    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")
    yang = User.objects.unrestricted().get(username="yangfan")

    services.update_unit(
        actor=personas["admin"],
        unit=team,
        expected_version=1,
        manager=yang,
        manager_effective_on=dt.date(2026, 6, 1),
    )

    terms = list(
        ManagerTerm.objects.filter(unit=team)
        .order_by("started_on")
        .values_list("manager__username", "started_on", "ended_on")
    )
    assert terms == [
        ("lina", dt.date(2025, 1, 1), dt.date(2026, 6, 1)),
        ("yangfan", dt.date(2026, 6, 1), None),
    ]
    entry = AuditEntry.objects.get(action="org.unit.changed")
    assert entry.changes == {
        "manager": [personas["team_lead"].pk, yang.pk],
        "manager_effective_on": [None, "2026-06-01"],
    }


def test_an_effective_date_in_the_future_is_refused(personas):
    zhang = personas["salesperson"]
    south = OrgUnit.objects.unrestricted().get(code="SOUTH-GZ-1")
    tomorrow = dt.date.today() + dt.timedelta(days=1)  # noqa: DTZ011
    with pytest.raises(ValidationFailed) as error:
        services.move_person(
            actor=personas["admin"],
            person=zhang,
            unit=south,
            expected_version=1,
            effective_on=tomorrow,
        )
    assert list(error.value.fields) == ["effective_on"]
    assert User.objects.unrestricted().get(pk=zhang.pk).unit.code == "EAST-SH-1"
    assert Membership.objects.filter(person=zhang).count() == 1


def test_a_move_cannot_start_before_the_current_membership(personas):
    zhang = personas["salesperson"]
    with pytest.raises(ValidationFailed):
        services.move_person(
            actor=personas["admin"],
            person=zhang,
            unit=OrgUnit.objects.unrestricted().get(code="SOUTH"),
            expected_version=1,
            effective_on=dt.date(2024, 12, 31),
        )


def test_admin_adds_a_person_with_membership_and_no_usable_password(personas):
    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")
    person = services.create_person(
        actor=personas["admin"],
        username="xiaoli",
        full_name="小李",
        unit=team,
        position=Position.objects.unrestricted().get(name="业务员"),
        extra_roles=["marketing"],
    )
    assert not person.has_usable_password()
    assert person.roles == ["salesperson", "marketing"]
    assert Membership.objects.get(person=person).unit == team
    entry = AuditEntry.objects.get(action="org.person.created")
    assert entry.changes["username"] == [None, "xiaoli"]
    assert "password" not in entry.changes


def test_a_taken_user_name_and_unknown_role_are_refused(personas):
    with pytest.raises(ValidationFailed) as taken:
        services.create_person(actor=personas["admin"], username="ZhangWei", full_name="张")
    with pytest.raises(ValidationFailed) as role:
        services.create_person(actor=personas["admin"], username="n1", full_name="n", role="boss")
    assert list(taken.value.fields) == ["username"]
    assert list(role.value.fields) == ["role"]


def test_changing_roles_and_duties_is_one_audited_write(personas):
    zhang = personas["salesperson"]
    services.update_person(
        actor=personas["admin"],
        person=zhang,
        expected_version=1,
        extra_roles=["finance"],
        duties="负责浦东和浦西",
    )
    zhang.refresh_from_db()
    assert (zhang.role, zhang.extra_roles, zhang.version) == ("salesperson", ["finance"], 2)
    entry = AuditEntry.objects.get(action="org.person.changed")
    assert entry.changes["extra_roles"] == [[], ["finance"]]


def test_the_unit_of_a_person_is_changed_only_by_moving_them(personas):
    with pytest.raises(ValidationFailed) as error:
        services.update_person(
            actor=personas["admin"],
            person=personas["salesperson"],
            expected_version=1,
            unit=OrgUnit.objects.unrestricted().get(code="SOUTH"),
        )
    assert list(error.value.fields) == ["unit"]


def test_a_manager_cannot_be_deactivated_before_handing_over(personas):
    before = writes()
    with pytest.raises(Conflict) as error:
        services.deactivate_person(
            actor=personas["admin"], person=personas["team_lead"], expected_version=1
        )
    assert "上海一组" in error.value.detail
    assert User.objects.unrestricted().get(pk=personas["team_lead"].pk).is_active
    assert writes() == before


def test_deactivating_a_salesperson_keeps_them_but_stops_sign_in(personas):
    services.deactivate_person(
        actor=personas["admin"], person=personas["salesperson"], expected_version=1
    )
    assert not User.objects.unrestricted().get(pk=personas["salesperson"].pk).is_active


def test_a_unit_with_people_or_history_cannot_be_deleted_but_an_empty_one_can(personas):
    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")
    with pytest.raises(Conflict):
        services.delete_unit(actor=personas["admin"], unit=team)
    empty = services.create_unit(
        actor=personas["admin"],
        name="空组",
        code="EMPTY",
        kind="team",
        parent=OrgUnit.objects.unrestricted().get(code="EAST-SH"),
        manager=personas["team_lead"],
    )
    services.delete_unit(actor=personas["admin"], unit=empty)
    assert not OrgUnit.objects.unrestricted().filter(code="EMPTY").exists()
    assert AuditEntry.objects.filter(action="org.unit.deleted").count() == 1


def test_positions_and_territories_are_managed_with_one_entry_per_write(personas):
    admin = personas["admin"]
    start = AuditEntry.objects.order_by("-pk").first().pk
    position = services.create_position(actor=admin, name="大客户经理", duties="维护大客户")
    position = services.update_position(
        actor=admin, position=position, expected_version=1, duties="维护 20 家大客户"
    )
    territory = services.create_territory(
        actor=admin,
        code="CN-JS-NJ",
        name="南京市",
        kind="city",
    )
    territory = services.update_territory(
        actor=admin, territory=territory, expected_version=1, owner=personas["salesperson"]
    )
    services.delete_position(actor=admin, position=position)
    actions = list(
        AuditEntry.objects.filter(pk__gt=start).order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "org.position.created",
        "org.position.changed",
        "org.territory.created",
        "org.territory.changed",
        "org.position.deleted",
    ]
    assert territory.owner == personas["salesperson"]


def test_a_held_position_cannot_be_deleted(personas):
    with pytest.raises(Conflict):
        services.delete_position(
            actor=personas["admin"], position=Position.objects.unrestricted().get(name="业务员")
        )


def _no_op_writes_nothing(update, record, **same):
    """``update`` with the record's own values: no audit row, no new version; a stale version
    is still refused (issue 20: no empty audit entries)."""
    before, version = writes(), record.version
    result = update(expected_version=version, **same)
    record.refresh_from_db()
    assert (writes(), record.version) == (before, version)
    assert result.version == version
    with pytest.raises(StaleVersion):
        update(expected_version=version - 1, **same)
    assert writes() == before


def test_a_change_that_changes_nothing_writes_no_audit_row(personas):
    admin = personas["admin"]
    unit = OrgUnit.objects.unrestricted().get(code="EAST-SH")
    _no_op_writes_nothing(
        lambda **kw: services.update_unit(actor=admin, unit=unit, **kw),
        unit,
        name=unit.name,
        code=unit.code,
        kind=unit.kind,
        parent=unit.parent,
        manager=unit.manager,
    )
    person = personas["salesperson"]
    _no_op_writes_nothing(
        lambda **kw: services.update_person(actor=admin, person=person, **kw),
        person,
        full_name=person.full_name,
        email=person.email,
        role=person.role,
        extra_roles=list(person.extra_roles or []),
        position=person.position,
    )
    position = services.create_position(actor=admin, name="大客户经理", duties="维护大客户")
    _no_op_writes_nothing(
        lambda **kw: services.update_position(actor=admin, position=position, **kw),
        position,
        name="大客户经理",
        duties="维护大客户",
    )
    territory = services.create_territory(actor=admin, code="CN-JS-NJ", name="南京市", kind="city")
    _no_op_writes_nothing(
        lambda **kw: services.update_territory(actor=admin, territory=territory, **kw),
        territory,
        name="南京市",
        code="CN-JS-NJ",
        owner=None,
    )
    # a real change still writes exactly one row
    before = writes()
    services.update_position(
        actor=admin, position=position, expected_version=position.version, duties="维护 20 家"
    )
    assert writes() == before + 1
