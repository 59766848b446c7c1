"""R3: a re-organisation takes effect on the next request and is audited.
R4: a read-only share lets the grantee see but not change; revoking hides the record again."""

import datetime as dt

import pytest

from salescope.core.errors import NotFound, PermissionDenied
from salescope.core.models import AuditEntry
from salescope.org import services
from salescope.org.models import Membership, OrgUnit, RecordShare
from salescope.org.visibility import get_visible, visible
from tests.visibility.widgets import Widget


def ids(viewer, action="view"):
    return set(
        visible(Widget.objects.all(), viewer=viewer, action=action).values_list("name", flat=True)
    )


def test_moving_a_salesperson_moves_their_records_to_the_new_managers_at_once(personas):
    zhang = personas["salesperson"]
    lina = personas["team_lead"]  # manages 上海一组, 张伟's team
    wang = personas["regional_manager"]  # 华东
    luoping = zhang.__class__.objects.unrestricted().get(
        username="luoping"
    )  # manages 广州一组 (华南)
    Widget.objects.create(name="zhang-deal", owner=zhang)
    assert "zhang-deal" in ids(lina)
    assert "zhang-deal" in ids(wang)
    assert "zhang-deal" not in ids(luoping)

    guangzhou = OrgUnit.objects.unrestricted().get(code="SOUTH-GZ-1")
    services.move_person(
        actor=personas["admin"], person=zhang, unit=guangzhou, expected_version=zhang.version
    )

    assert "zhang-deal" not in ids(lina)
    assert "zhang-deal" not in ids(wang)
    assert "zhang-deal" in ids(luoping)
    assert "zhang-deal" in ids(zhang)
    entry = AuditEntry.objects.get(action="org.person.moved", object_id=str(zhang.pk))
    assert entry.actor == personas["admin"]
    assert entry.changes["unit"] == [
        OrgUnit.objects.unrestricted().get(code="EAST-SH-1").pk,
        guangzhou.pk,
    ]
    assert entry.changes["effective_on"] == [None, dt.date.today().isoformat()]  # noqa: DTZ011


def test_changing_a_manager_removes_the_old_managers_access(personas):
    lina = personas["team_lead"]
    Widget.objects.create(name="zhang-deal", owner=personas["salesperson"])
    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")
    yang = lina.__class__.objects.unrestricted().get(username="yangfan")
    assert "zhang-deal" in ids(lina)
    assert "zhang-deal" not in ids(yang)

    services.update_unit(
        actor=personas["admin"], unit=team, expected_version=team.version, manager=yang
    )

    assert "zhang-deal" not in ids(lina)
    assert "zhang-deal" in ids(yang)
    with pytest.raises(NotFound):
        get_visible(Widget.objects.all(), viewer=lina, pk=Widget.objects.get().pk)
    entry = AuditEntry.objects.get(action="org.unit.changed", object_id=str(team.pk))
    assert entry.changes["manager"] == [lina.pk, yang.pk]


def test_moving_a_unit_moves_its_subtree_under_the_new_region(personas):
    wang = personas["regional_manager"]
    huang = wang.__class__.objects.unrestricted().get(username="huangfei")  # 华南
    Widget.objects.create(name="zhang-deal", owner=personas["salesperson"])
    shanghai = OrgUnit.objects.unrestricted().get(code="EAST-SH")
    south = OrgUnit.objects.unrestricted().get(code="SOUTH")

    services.update_unit(
        actor=personas["admin"], unit=shanghai, expected_version=shanghai.version, parent=south
    )

    team = OrgUnit.objects.unrestricted().get(code="EAST-SH-1")
    assert team.path.startswith(south.path)
    assert "zhang-deal" in ids(huang)
    assert "zhang-deal" not in ids(wang)
    assert "zhang-deal" in ids(personas["team_lead"])


def test_history_keeps_the_old_unit_for_past_months(personas):
    zhang = personas["salesperson"]
    old_team = zhang.unit
    guangzhou = OrgUnit.objects.unrestricted().get(code="SOUTH-GZ-1")
    services.move_person(
        actor=personas["admin"],
        person=zhang,
        unit=guangzhou,
        expected_version=zhang.version,
        effective_on=dt.date(2026, 4, 1),
    )
    spans = list(
        Membership.objects.filter(person=zhang)
        .order_by("started_on")
        .values_list("unit__code", "started_on", "ended_on")
    )
    assert spans == [
        (old_team.code, dt.date(2025, 1, 1), dt.date(2026, 4, 1)),
        ("SOUTH-GZ-1", dt.date(2026, 4, 1), None),
    ]


def test_read_only_share_lets_the_grantee_see_but_not_change_and_revoking_hides_it(personas):
    zhang = personas["salesperson"]
    chen = personas["other_region_salesperson"]
    deal = Widget.objects.create(name="zhang-deal", owner=zhang)
    assert "zhang-deal" not in ids(chen)

    share = services.share_record(actor=zhang, record=deal, grantee=chen, access="view")

    assert get_visible(Widget.objects.all(), viewer=chen, pk=deal.pk) == deal
    with pytest.raises(PermissionDenied):
        get_visible(Widget.objects.all(), viewer=chen, pk=deal.pk, action="change")
    assert "zhang-deal" not in ids(chen, "change")
    assert (
        AuditEntry.objects.filter(action="org.share.created", object_id=str(share.pk)).count() == 1
    )

    services.revoke_share(actor=zhang, share=share)

    assert "zhang-deal" not in ids(chen)
    with pytest.raises(NotFound):
        get_visible(Widget.objects.all(), viewer=chen, pk=deal.pk)
    assert RecordShare.objects.unrestricted().count() == 0
    assert AuditEntry.objects.filter(action="org.share.deleted").count() == 1


def test_read_write_share_with_a_unit_reaches_everyone_below_it(personas):
    zhang = personas["salesperson"]
    chen = personas["other_region_salesperson"]  # 广州一组, under 华南
    deal = Widget.objects.create(name="zhang-deal", owner=zhang)
    south = OrgUnit.objects.unrestricted().get(code="SOUTH")

    services.share_record(actor=zhang, record=deal, grantee_unit=south, access="change")

    assert get_visible(Widget.objects.all(), viewer=chen, pk=deal.pk, action="change") == deal
    assert "zhang-deal" not in ids(personas["marketing"])


def test_only_someone_who_may_change_a_record_may_share_it(personas):
    zhang = personas["salesperson"]
    chen = personas["other_region_salesperson"]
    deal = Widget.objects.create(name="zhang-deal", owner=zhang)
    before = AuditEntry.objects.count()

    with pytest.raises(NotFound):
        services.share_record(actor=chen, record=deal, grantee=chen, access="change")

    assert RecordShare.objects.unrestricted().count() == 0
    assert AuditEntry.objects.exclude(action="core.access.denied").count() == before


def test_finance_may_view_but_not_change_sales_records(personas):
    deal = Widget.objects.create(name="zhang-deal", owner=personas["salesperson"])
    finance = personas["finance"]
    assert get_visible(Widget.objects.all(), viewer=finance, pk=deal.pk) == deal
    with pytest.raises(PermissionDenied):
        get_visible(Widget.objects.all(), viewer=finance, pk=deal.pk, action="change")


def test_an_invisible_record_is_logged_as_denied_and_a_missing_one_is_not(personas):
    deal = Widget.objects.create(name="zhang-deal", owner=personas["salesperson"])
    chen = personas["other_region_salesperson"]

    with pytest.raises(NotFound) as invisible:
        get_visible(Widget.objects.all(), viewer=chen, pk=deal.pk)
    with pytest.raises(NotFound) as missing:
        get_visible(Widget.objects.all(), viewer=chen, pk=deal.pk + 1000)

    assert invisible.value.as_dict() == missing.value.as_dict()
    denied = AuditEntry.objects.get(action="core.access.denied")
    assert (denied.actor, denied.object_type, denied.object_id) == (
        chen,
        "visibility_tests.widget",
        str(deal.pk),
    )
    assert denied.changes == {"action": "view"}
