"""R2: ``visible()`` equals a plain reference implementation of the rules over random
organisations, people, ownerships, shares and re-organisations.

The reference walks parent pointers in Python (no materialised paths, no SQL), so it checks
the path arithmetic of moves as well as the filter itself.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.core.errors import NotFound, PermissionDenied
from salescope.org import services
from salescope.org.choices import Role, UnitKind
from salescope.org.models import OrgUnit, RecordShare, User
from salescope.org.visibility import get_visible, visible
from tests.visibility.widgets import Widget

ROLES = [
    Role.SALESPERSON,
    Role.SALESPERSON,
    Role.MANAGER,
    Role.FINANCE,
    Role.MARKETING,
    Role.SALES_DIRECTOR,
    Role.EXECUTIVE,
    Role.ADMINISTRATOR,
]
COMPANY_WIDE = {Role.ADMINISTRATOR, Role.EXECUTIVE, Role.SALES_DIRECTOR}


@dataclass
class World:
    parents: list[int | None]  # unit i's parent index (None for the root, i = 0 only)
    managers: list[int | None]  # unit i's manager (person index)
    people: list[tuple[int | None, str, bool]]  # (unit index, role, active)
    widgets: list[tuple[int | None, int | None]]  # (owner person index, unit index)
    shares: list[tuple[int, int | None, int | None, str]]  # widget, person, unit, access
    moves: list[tuple[str, int, int]]  # ("person", p, unit) / ("unit", u, new parent)
    manager_changes: list[tuple[int, int | None]]  # unit, new manager


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n_units = draw(st.integers(1, 9))
    parents: list[int | None] = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n_units)]
    n_people = draw(st.integers(1, 8))
    people = [
        (
            draw(st.none() | st.integers(0, n_units - 1)),
            draw(st.sampled_from(ROLES)),
            draw(st.booleans() | st.just(True)),
        )
        for _ in range(n_people)
    ]
    person = st.none() | st.integers(0, n_people - 1)
    unit = st.none() | st.integers(0, n_units - 1)
    managers = [draw(person) for _ in range(n_units)]
    widgets = draw(st.lists(st.tuples(person, unit), max_size=12))
    shares = []
    if widgets:
        for _ in range(draw(st.integers(0, 6))):
            to_person = draw(st.booleans())
            shares.append(
                (
                    draw(st.integers(0, len(widgets) - 1)),
                    draw(st.integers(0, n_people - 1)) if to_person else None,
                    None if to_person else draw(st.integers(0, n_units - 1)),
                    draw(st.sampled_from(["view", "change"])),
                )
            )
    moves = draw(
        st.lists(
            st.one_of(
                st.tuples(
                    st.just("person"),
                    st.integers(0, n_people - 1),
                    st.integers(0, n_units - 1),
                ),
                st.tuples(
                    st.just("unit"), st.integers(0, n_units - 1), st.integers(0, n_units - 1)
                ),
            ),
            max_size=4,
        )
    )
    manager_changes = draw(st.lists(st.tuples(st.integers(0, n_units - 1), person), max_size=3))
    return World(parents, managers, people, widgets, shares, moves, manager_changes)


def build(world: World) -> tuple[list[OrgUnit], list[User], list[Widget]]:
    """Create the world through the services, then apply its re-organisations."""
    units: list[OrgUnit] = []
    for i, parent in enumerate(world.parents):
        units.append(
            services.create_unit(
                actor=None,
                name=f"U{i}",
                code=f"PT-U{i}",
                kind=UnitKind.COMPANY if parent is None else UnitKind.TEAM,
                parent=None if parent is None else units[parent],
            )
        )
    people = []
    for i, (unit, role, active) in enumerate(world.people):
        person = services.create_person(
            actor=None,
            username=f"pt{i}",
            full_name=f"P{i}",
            role=role,
            unit=None if unit is None else units[unit],
        )
        if not active:
            User.objects.unrestricted().filter(pk=person.pk).update(is_active=False)
        people.append(person)
    for i, manager in enumerate(world.managers):
        if manager is not None:
            unit = OrgUnit.objects.unrestricted().get(pk=units[i].pk)
            services.update_unit(
                actor=None, unit=unit, expected_version=unit.version, manager=people[manager]
            )
    widgets = [
        Widget.objects.create(
            name=f"W{i}",
            owner=None if owner is None else people[owner],
            unit=None if unit is None else units[unit],
        )
        for i, (owner, unit) in enumerate(world.widgets)
    ]
    for widget, person, unit, access in world.shares:
        RecordShare.objects.unrestricted().get_or_create(
            content_type=_widget_type(),
            object_id=widgets[widget].pk,
            grantee=None if person is None else people[person],
            grantee_unit=None if unit is None else units[unit],
            defaults={"access": access},
        )
    for kind, index, target in world.moves:
        if kind == "person":
            person = User.objects.unrestricted().get(pk=people[index].pk)
            if person.unit_id != units[target].pk:
                services.move_person(
                    actor=None,
                    person=person,
                    unit=units[target],
                    expected_version=person.version,
                    effective_on=dt.date.today(),  # noqa: DTZ011 - a date, not a moment
                )
        else:
            unit = OrgUnit.objects.unrestricted().get(pk=units[index].pk)
            new_parent = OrgUnit.objects.unrestricted().get(pk=units[target].pk)
            if unit.parent_id and not new_parent.path.startswith(unit.path):
                services.update_unit(
                    actor=None, unit=unit, expected_version=unit.version, parent=new_parent
                )
    for index, manager in world.manager_changes:
        unit = OrgUnit.objects.unrestricted().get(pk=units[index].pk)
        services.update_unit(
            actor=None,
            unit=unit,
            expected_version=unit.version,
            manager=None if manager is None else people[manager],
        )
    return units, people, widgets


def _widget_type():  # noqa: ANN202
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Widget, for_concrete_model=False)


def reference(viewer: User, action: str) -> set[int]:
    """The rules, read straight from the row values with parent pointers."""
    viewer = User.objects.unrestricted().get(pk=viewer.pk)
    if not viewer.is_active:
        return set()
    parent = dict(OrgUnit.objects.unrestricted().values_list("pk", "parent_id"))

    def ancestors_or_self(unit_id: int | None) -> set[int]:
        found = set()
        while unit_id is not None:
            found.add(unit_id)
            unit_id = parent[unit_id]
        return found

    roles = set(viewer.roles)
    everything = set(Widget.objects.values_list("pk", flat=True))
    if roles & COMPANY_WIDE or (Role.FINANCE in roles and action == "view"):
        return everything
    managed = set(
        OrgUnit.objects.unrestricted().filter(manager=viewer).values_list("pk", flat=True)
    )
    person_unit = dict(User.objects.unrestricted().values_list("pk", "unit_id"))
    seen = set()
    for widget in Widget.objects.all():
        if (
            widget.owner_id == viewer.pk
            or (
                widget.owner_id is not None
                and ancestors_or_self(person_unit[widget.owner_id]) & managed
            )
            or widget.unit_id is not None
            and ancestors_or_self(widget.unit_id) & managed
        ):
            seen.add(widget.pk)
    my_units = ancestors_or_self(viewer.unit_id)
    for share in RecordShare.objects.unrestricted().filter(content_type=_widget_type()):
        reaches = share.grantee_id == viewer.pk or share.grantee_unit_id in my_units
        if reaches and (action == "view" or share.access == "change"):
            seen.add(share.object_id)
    return seen


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_visible_matches_the_reference_rules_on_random_organisations(db, world):
    with transaction.atomic():
        _units, people, widgets = build(world)
        for viewer in people:
            for action in ("view", "change"):
                fresh = User.objects.unrestricted().get(pk=viewer.pk)
                got = set(
                    visible(Widget.objects.all(), viewer=fresh, action=action).values_list(
                        "pk", flat=True
                    )
                )
                assert got == reference(viewer, action), (viewer.username, action)
        # get_visible agrees with the list for one viewer, record by record.
        viewer = User.objects.unrestricted().get(pk=people[0].pk)
        for widget in widgets:
            may_view = widget.pk in reference(viewer, "view")
            may_change = widget.pk in reference(viewer, "change")
            try:
                get_visible(Widget.objects.all(), viewer=viewer, pk=widget.pk, action="change")
                outcome = "change"
            except PermissionDenied:
                outcome = "view"
            except NotFound:
                outcome = "none"
            expected = "change" if may_change else "view" if may_view else "none"
            assert outcome == expected
        transaction.set_rollback(True)


def test_undeclared_action_and_undeclared_model_see_nothing(personas):
    director = personas["director"]
    Widget.objects.create(name="w", owner=personas["salesperson"])
    assert list(visible(Widget.objects.all(), viewer=director, action="approve")) == []
    from salescope.core.models import AuditEntry  # declares no ownership at all

    assert list(visible(AuditEntry.objects.all(), viewer=personas["admin"])) == []


def test_anonymous_and_deactivated_viewers_see_nothing(personas):
    from django.contrib.auth.models import AnonymousUser

    Widget.objects.create(name="w", owner=personas["salesperson"])
    assert visible(Widget.objects.all(), viewer=AnonymousUser()).count() == 0
    assert visible(Widget.objects.all(), viewer=None).count() == 0
    director = personas["director"]
    director.is_active = False
    assert visible(Widget.objects.all(), viewer=director).count() == 0


def test_the_system_sees_every_record_for_every_declared_action_and_owns_none(personas):
    """``SYSTEM`` (background evaluation) is narrowed by nothing, fails closed like anyone on
    what is not declared, and is not a person: it owns nothing and signs nothing."""
    import copy
    import pickle

    from salescope.core.models import AuditEntry
    from salescope.core.ownership import SYSTEM, can, is_active_viewer
    from salescope.org.visibility import own_records

    mine = Widget.objects.create(name="w", owner=personas["salesperson"])
    Widget.objects.create(name="nobody's")
    for action in ("view", "change", "delete"):
        assert visible(Widget.objects.all(), viewer=SYSTEM, action=action).count() == 2
        assert can(SYSTEM, Widget, action)
        assert get_visible(Widget.objects.all(), viewer=SYSTEM, pk=mine.pk, action=action) == mine
    assert visible(Widget.objects.all(), viewer=SYSTEM, action="approve").count() == 0
    assert not can(SYSTEM, Widget, "approve")
    assert list(visible(AuditEntry.objects.all(), viewer=SYSTEM)) == []
    assert own_records(Widget.objects.all(), viewer=SYSTEM).count() == 0
    assert not is_active_viewer(SYSTEM)
    assert copy.deepcopy(SYSTEM) is SYSTEM
    assert pickle.loads(pickle.dumps(SYSTEM)) is SYSTEM  # noqa: S301 - our own object
