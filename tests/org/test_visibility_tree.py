"""The org-tree pieces of visibility (``managed_subtree``, ``member_units``) are SQL written by
hand (org/visibility.py): they must agree with the tree read through parent pointers, on the
demo organisation and on random ones (R2)."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.core.request_memo import ReadOnlyRequestMiddleware, read_only_request, remembered
from salescope.org import services
from salescope.org.choices import Role, UnitKind
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import _reach, managed_subtree, member_units


def _codes(units) -> set[str]:  # noqa: ANN001 - a queryset of unit ids
    return set(OrgUnit.objects.unrestricted().filter(pk__in=units).values_list("code", flat=True))


def _parents() -> dict[int, int | None]:
    return dict(OrgUnit.objects.unrestricted().values_list("pk", "parent_id"))


def _ancestors_or_self(unit_id: int | None, parent: dict[int, int | None]) -> set[int]:
    found = set()
    while unit_id is not None:
        found.add(unit_id)
        unit_id = parent[unit_id]
    return found


def test_regional_manager_manages_the_region_and_every_unit_below_it(personas):
    east = OrgUnit.objects.unrestricted().get(code="EAST")
    below = set(
        OrgUnit.objects.unrestricted()
        .filter(path__startswith=east.path)
        .values_list("code", flat=True)
    )

    assert _codes(managed_subtree(personas["regional_manager"])) == below
    assert "EAST-SH-1" in below
    assert not below & {"SOUTH", "HQ"}


def test_team_lead_manages_their_team_only_and_a_salesperson_nothing(personas):
    team = personas["team_lead"].managed_units.get()

    assert _codes(managed_subtree(personas["team_lead"])) == {team.code}
    assert _codes(managed_subtree(personas["salesperson"])) == set()


def test_member_units_are_the_own_unit_and_every_unit_above_it(personas):
    salesperson = personas["salesperson"]
    expected = _ancestors_or_self(salesperson.unit_id, _parents())

    assert set(member_units(salesperson).values_list("pk", flat=True)) == expected
    assert len(expected) >= 3  # team, branch, region, company


def test_a_viewer_without_an_id_or_unit_reaches_no_unit(personas):
    services.create_unit(actor=None, name="无人管理", code="NOBODY", kind=UnitKind.TEAM)
    anonymous = AnonymousUser()
    homeless = services.create_person(actor=None, username="nounit", full_name="无部门")

    assert list(managed_subtree(anonymous)) == []  # not "the units nobody manages"
    assert list(member_units(homeless)) == []


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[int | None], list[int | None], list[int]]:
    """Unit i's parent, unit i's manager (a person index) and person j's unit."""
    n_units = draw(st.integers(1, 10))
    parents: list[int | None] = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n_units)]
    n_people = draw(st.integers(1, 5))
    managers = [draw(st.none() | st.integers(0, n_people - 1)) for _ in range(n_units)]
    homes = [draw(st.integers(0, n_units - 1)) for _ in range(n_people)]
    return parents, managers, homes


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=trees())
def test_subtree_and_member_units_match_parent_pointers_on_random_trees(db, tree):
    parents, managers, homes = tree
    with transaction.atomic():
        units: list[OrgUnit] = []
        for i, parent in enumerate(parents):
            units.append(
                services.create_unit(
                    actor=None,
                    name=f"T{i}",
                    code=f"TREE-{i}",
                    kind=UnitKind.COMPANY if parent is None else UnitKind.TEAM,
                    parent=None if parent is None else units[parent],
                )
            )
        people = [
            services.create_person(
                actor=None,
                username=f"tree{j}",
                full_name=f"T{j}",
                role=Role.MANAGER,
                unit=units[home],
            )
            for j, home in enumerate(homes)
        ]
        for i, manager in enumerate(managers):
            if manager is not None:
                OrgUnit.objects.unrestricted().filter(pk=units[i].pk).update(
                    manager=people[manager]
                )
        parent = _parents()
        for j, person in enumerate(people):
            person = User.objects.unrestricted().get(pk=person.pk)
            managed = {units[i].pk for i, m in enumerate(managers) if m == j}
            expected = {u for u in parent if _ancestors_or_self(u, parent) & managed}
            assert set(managed_subtree(person).values_list("pk", flat=True)) == expected
            ancestors = _ancestors_or_self(person.unit_id, parent)
            assert set(member_units(person).values_list("pk", flat=True)) == ancestors
            # What a read-only API call reads with its token is what the lists would read.
            reach = _reach(person)
            assert set(reach.units) == expected
            assert set(reach.people) == {
                p.pk for p, home in zip(people, homes, strict=True) if units[home].pk in expected
            }
            raw = services.create_token(actor=person, user=person, name="tree").raw
            services.authenticate_token(raw)  # its first use is written once
            with read_only_request(), CaptureQueriesContext(connection) as reads:
                assert services.authenticate_token(raw, read_only=True) is not None
                assert _reach(person) == reach
            assert len(reads) == 1  # the token's lookup only
        transaction.set_rollback(True)


def test_a_call_that_writes_reads_what_its_caller_manages_afresh(personas):
    lead = personas["team_lead"]
    raw = services.create_token(actor=lead, user=lead, name="writes").raw
    services.authenticate_token(raw)  # its first use is written once

    with read_only_request(), CaptureQueriesContext(connection) as reads:
        services.authenticate_token(raw, read_only=True)
        assert _reach(lead).people  # 李娜 manages 上海一组
    with CaptureQueriesContext(connection) as writes:
        services.authenticate_token(raw)
        assert _reach(lead) == _reach(lead)

    assert len(reads) == 1
    assert len(writes) == 3  # the token, then the org tree for each read


def test_only_a_request_that_changes_nothing_keeps_what_it_read(rf):
    reads = []

    def view(request):
        remembered("k", lambda: reads.append(request.method))
        remembered("k", lambda: reads.append(request.method))
        return HttpResponse()

    for method in ("get", "head", "post", "put", "patch", "delete"):
        ReadOnlyRequestMiddleware(view)(getattr(rf, method)("/"))
    remembered("k", lambda: reads.append("outside"))

    writes = [method for method in ("POST", "PUT", "PATCH", "DELETE") for _ in range(2)]
    assert reads == ["GET", "HEAD", *writes, "outside"]
