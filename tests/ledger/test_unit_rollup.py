"""The unit rollup (month × kind × unit × region × category: each salesperson's unit now) always
equals the lines' sums by the unit their salesperson is in now — after first loads, everyday
imports, corrections, bulk loads, repairs, refreshes and rebuilds, also when people moved in
between; the explorer's team and branch pivots read it only while it was derived under
today's units, and give what the salesperson rollup and the lines give; a move shows a
person's history under their new team at once, and the rollup serves again once derived."""

from collections import defaultdict
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.catalog.models import Category
from salescope.core.tasks import run_pending
from salescope.ledger import explorer, rollups
from salescope.ledger.models import (
    PersonRollup,
    RegionRollup,
    SalesLine,
    SalesRollup,
    UnitRollup,
    UnitRollupState,
)
from salescope.org import services as org_services
from salescope.org.choices import UnitKind
from salescope.org.models import OrgUnit, RecordShare, User
from tests.ledger import test_explorer
from tests.ledger.test_explorer import cells, expected
from tests.ledger.test_rollup_delta import files, import_each

generated = test_explorer.generated  # the explorer tests' ledger of 600 lines (a fixture)

KEYS = ("month", "kind", "unit_id", "region_id", "category_id")
MEASURES = ("amount_fen", "quantity_milli", "cost_fen", "gross_profit_fen")


def _units() -> dict[int, int | None]:
    return dict(User.objects.unrestricted().values_list("pk", "unit_id"))


def _summed(rows, units, count=None) -> dict[tuple, tuple]:
    """Rows of (month, kind, salesperson, region, category, measures…[, lines]) summed by the
    salesperson's unit now."""
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in rows:
        month, kind, person, region, category, *values = row
        bucket = sums[(month, kind, units.get(person), region, category)]
        for i, value in enumerate([*values, *([count] if count else [])]):
            bucket[i] += value
    return {key: tuple(values) for key, values in sums.items()}


def lines_by_unit() -> dict[tuple, tuple]:
    keys = ("month", "kind", "salesperson_id", "region_id", "category_id")
    rows = SalesLine.objects.unrestricted().values_list(*keys, *MEASURES)
    return _summed(rows, _units(), count=1)


def sales_rollup_by_unit() -> dict[tuple, tuple]:
    keys = ("month", "kind", "salesperson_id", "region_id", "category_id")
    return _summed(
        SalesRollup.objects.unrestricted().values_list(*keys, *MEASURES, "lines"), _units()
    )


def stored() -> dict[tuple, tuple]:
    rows = UnitRollup.objects.unrestricted().values_list(*KEYS, *MEASURES, "lines")
    found = {row[: len(KEYS)]: row[len(KEYS) :] for row in rows}
    assert len(found) == UnitRollup.objects.unrestricted().count()  # a row per key
    return found


def _another_team(person):
    """The first team, by id, that is not ``person``'s unit."""
    return (
        OrgUnit.objects.unrestricted()
        .filter(kind=UnitKind.TEAM)
        .exclude(pk=person.unit_id)
        .order_by("pk")
        .first()
    )


def assert_units_equal_the_lines() -> None:
    assert stored() == lines_by_unit() == sales_rollup_by_unit()
    assert UnitRollupState.objects.get(pk=1).fingerprint == rollups.people_units()[1]
    assert explorer.unit_rollup_current()


def _move(username: str) -> None:
    """Move ``username`` to another team behind the services' back (the ORM, as tests and the
    demo write people)."""
    person = User.objects.unrestricted().get(username=username)
    other = _another_team(person)
    User.objects.unrestricted().filter(pk=person.pk).update(unit=other)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    files=files,
    batch=st.sampled_from([2, 20_000]),
    bulk=st.booleans(),
    moves=st.lists(st.sampled_from(["zhangwei", "chenjing", None]), min_size=4, max_size=4),
)
def test_the_unit_rollup_equals_the_lines_by_unit_after_imports_moves_repairs_and_rebuilds(
    world, tmp_path, files, batch, bulk, moves
):
    SalesLine.objects.unrestricted().all().delete()
    for model in (SalesRollup, RegionRollup, PersonRollup, UnitRollup):
        model.objects.unrestricted().all().delete()
    taken = iter(moves)

    def check(result):
        # A file that wrote no line derives nothing: after a move, the rows stay those of the
        # units before it, and the explorer reads around them.
        if result.created or result.updated:
            assert_units_equal_the_lines()
        elif explorer.unit_rollup_current():
            assert stored() == lines_by_unit()
        moved = next(taken, None)
        if moved:  # the next write derives every month again, under the new units
            _move(moved)
            if explorer.unit_rollup_current():  # (moved back where it was derived)
                assert stored() == lines_by_unit()

    import_each(world, tmp_path, files, check, batch=batch, bulk=bulk)
    months = sorted({m for m, *_rest in lines_by_unit()})
    if not months:
        return
    # Repairs, refreshes, a full rebuild: each restores rows spoilt and rows of keys that hold
    # no lines; after a move each derives every month.
    for number, repair in enumerate(
        (
            lambda: rollups.rebuild_months(months[:1]),
            lambda: rollups.refresh_coarser(),
            lambda: rollups.refresh_coarser(months[:1]),
            lambda: rollups.rebuild_all(),
            lambda: rollups.derive_unit_rollup(),
        )
    ):
        if number % 2:
            _move("zhangwei")
        else:
            UnitRollup.objects.unrestricted().filter(month__in=months[:1]).update(amount_fen=1)
            UnitRollup.objects.create(month=months[0], kind="sell_in", unit_id=None, lines=0)
        if number == 4:  # (the derivation of a move: the stored rows are its own to restore)
            _move("chenjing")
        repair()
        assert_units_equal_the_lines()


def test_the_migration_fills_the_unit_rollup_as_the_rollups_derive_it(generated, world):
    derived = stored()
    assert derived == lines_by_unit()
    UnitRollup.objects.unrestricted().all().delete()
    UnitRollupState.objects.all().delete()
    migration = import_module("salescope.ledger.migrations.0019_unit_rollup")
    migration.derive_units(None, SimpleNamespace(connection=connection))
    assert stored() == derived
    assert explorer.unit_rollup_current()


UNIT_PIVOTS = [
    {"rows": ["team", "category"], "columns": ["month"]},
    {"rows": ["branch"], "columns": ["category"], "category_level": 1},
    {"rows": ["category", "team"], "columns": ["quarter"], "category_level": 1},
    {"rows": ["team", "region", "category"], "columns": ["kind"], "filters": {"kind": "all"}},
    {"rows": ["team", "branch"], "columns": ["category"]},
    {"rows": ["team"], "columns": ["category"], "measure": "lines"},
    {"rows": ["category"], "columns": ["team"], "measure": "quantity"},
]


def _answers(viewer, spec, monkeypatch) -> dict[str, dict]:
    """The pivot from the unit rollup, from the salesperson rollup and from the lines."""
    answers = {}
    for name, left_out in (
        ("unitrollup", ()),
        ("salesrollup", (UnitRollup,)),
        ("salesline", (UnitRollup, SalesRollup)),
    ):
        with monkeypatch.context() as patched:
            kept = tuple(s for s in explorer.SOURCES if s[0] not in left_out)
            patched.setattr(explorer, "SOURCES", kept)
            answers[name] = explorer.pivot(viewer=viewer, spec=spec)
    return answers


@pytest.mark.parametrize("persona", ["admin", "director", "regional_manager", "team_lead"])
def test_team_and_branch_pivots_from_the_unit_rollup_give_the_same_answers(
    generated, world, monkeypatch, persona
):
    # A team's rows are its units' (each person's now): the same pivot, row for row and cell
    # for cell, as the salesperson rollup folded person by person, and as the lines.
    viewer = world.personas[persona]
    team = world.personas["team_lead"].unit
    drinks = Category.objects.unrestricted().get(name="饮料").pk
    for kwargs in [
        *UNIT_PIVOTS,
        {"rows": ["team"], "columns": ["category"], "filters": {"team": [team.pk]}},
        {"rows": ["category"], "filters": {"branch": [team.parent_id]}},
        {"rows": ["team"], "columns": ["month"], "filters": {"category": [drinks]}},
        # Customers ranked from the lines (the category filter), the columns from here.
        {"rows": ["customer"], "columns": ["team"], "filters": {"category": [drinks]}},
    ]:
        spec = explorer.PivotSpec.build(**kwargs)
        answers = _answers(viewer, spec, monkeypatch)
        sources = {name: answer.pop("source") for name, answer in answers.items()}
        rows = "salesline" if "customer" in kwargs["rows"] else "unitrollup"
        assert sources == {
            "unitrollup": rows,
            "salesrollup": rows.replace("unit", "sales"),
            "salesline": "salesline",
        }, kwargs
        assert answers["unitrollup"] == answers["salesrollup"] == answers["salesline"], kwargs
        assert answers["unitrollup"]["total"] > 0, kwargs
    # The figures themselves: the lines' sums under each person's team.
    spec = explorer.PivotSpec.build(rows=["team"], columns=["category"])
    result = explorer.pivot(viewer=viewer, spec=spec)
    assert result["source"] == "unitrollup"
    people = {"team_lead": ["zhangwei", "yangfan"]}.get(persona)
    if persona == "regional_manager":
        people = ["zhangwei", "yangfan"]
    teams = {u.username: u.unit.name for u in User.objects.unrestricted().select_related("unit")}
    frame = generated.assign(team=generated["salesperson"].map(teams))
    assert cells(result) == expected(frame, ["team", "category"], people)


def test_a_salesperson_reads_teams_from_the_salesperson_rollup(generated, world):
    # His slice is his own lines, not a unit's: no unit rollup for him.
    spec = explorer.PivotSpec.build(rows=["team", "category"])
    result = explorer.pivot(viewer=world.personas["salesperson"], spec=spec)
    assert result["source"] == "salesrollup"


def test_a_line_shared_with_a_team_lead_keeps_her_team_pivots_off_the_unit_rollup(generated, world):
    lead = world.personas["team_lead"]
    spec = explorer.PivotSpec.build(rows=["team", "category"])
    assert explorer.pivot(viewer=lead, spec=spec)["source"] == "unitrollup"
    theirs = SalesLine.objects.unrestricted().filter(salesperson__username="chenjing").first()
    RecordShare.objects.create(
        content_type_id=_content_type(SalesLine), object_id=theirs.pk, grantee=lead
    )
    after = explorer.pivot(viewer=lead, spec=spec)
    # Her slice is no longer whole units: read as before the unit rollup.
    assert after["source"] == "salesrollup"


def _content_type(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def test_a_moved_persons_history_shows_under_the_new_team_at_once_and_after_the_derivation(
    generated, world, monkeypatch
):
    # Moved behind the services' back, the unit rollup's rows are yesterday's units: the
    # explorer must not read them (this fails without the fingerprint check), but fold the
    # salesperson rollup by today's units; once derived again it reads them.
    admin = world.personas["admin"]
    spec = explorer.PivotSpec.build(rows=["team"], columns=["category"])
    before = explorer.pivot(viewer=admin, spec=spec)
    assert before["source"] == "unitrollup"
    _move("zhangwei")
    zhang = User.objects.unrestricted().select_related("unit").get(username="zhangwei")
    teams = {u.username: u.unit.name for u in User.objects.unrestricted().select_related("unit")}
    frame = generated.assign(team=generated["salesperson"].map(teams))
    moved = explorer.pivot(viewer=admin, spec=spec)
    assert moved["source"] == "salesrollup"
    want = expected(frame, ["team", "category"])
    assert cells(moved) == want
    assert any(team == zhang.unit.name for team, _c in want)
    before.pop("source")
    assert cells(before) != want  # his history moved with him
    assert rollups.derive_unit_rollup() > 0
    derived = explorer.pivot(viewer=admin, spec=spec)
    assert derived.pop("source") == "unitrollup"
    moved.pop("source")
    assert derived == moved
    assert rollups.derive_unit_rollup() == 0  # current: nothing to do


def test_a_move_through_the_services_queues_the_derivation(
    generated, world, django_capture_on_commit_callbacks
):
    admin = world.personas["admin"]
    spec = explorer.PivotSpec.build(rows=["team"], columns=["category"])
    person = User.objects.unrestricted().get(username="chenjing")
    team = _another_team(person)
    with django_capture_on_commit_callbacks(execute=True):
        org_services.move_person(
            actor=admin, person=person, unit=team, expected_version=person.version
        )
    assert explorer.pivot(viewer=admin, spec=spec)["source"] == "salesrollup"
    assert run_pending() >= 1
    result = explorer.pivot(viewer=admin, spec=spec)
    assert result["source"] == "unitrollup"
    assert team.name in {row["label"][0] for row in result["rows"]}
    assert_units_equal_the_lines()


def _move_to_the_last_team(admin, usernames, callbacks):
    team = OrgUnit.objects.unrestricted().filter(kind=UnitKind.TEAM).order_by("pk").last()
    with callbacks(execute=True) as queued, transaction.atomic():
        for username in usernames:
            person = User.objects.unrestricted().get(username=username)
            if person.unit_id != team.pk:
                org_services.move_person(
                    actor=admin, person=person, unit=team, expected_version=person.version
                )
    return queued


def _waiting_derivations():
    from django_tasks_db.models import DBTaskResult

    from salescope.ledger.tasks import derive_unit_rollup

    return DBTaskResult.objects.ready().filter(task_path=derive_unit_rollup.module_path)


def test_an_org_import_moving_many_people_queues_one_derivation(
    generated, world, django_capture_on_commit_callbacks
):
    queued = _move_to_the_last_team(
        world.personas["admin"],
        ("zhangwei", "chenjing", "yangfan"),
        django_capture_on_commit_callbacks,
    )

    assert len(queued) == 1  # asked once in the transaction, on any task backend
    assert _waiting_derivations().count() == 1
    assert run_pending() == 1
    assert_units_equal_the_lines()


def test_a_run_taken_before_a_move_commits_does_not_stand_for_it(
    generated, world, django_capture_on_commit_callbacks
):
    from salescope.core.tasks import enqueue
    from salescope.ledger.tasks import derive_unit_rollup

    admin = world.personas["admin"]
    enqueue(derive_unit_rollup)  # waiting, for an earlier move
    taken = _waiting_derivations().get()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        person = User.objects.unrestricted().get(username="chenjing")
        team = OrgUnit.objects.unrestricted().filter(kind=UnitKind.TEAM).order_by("pk").first()
        org_services.move_person(
            actor=admin, person=person, unit=team, expected_version=person.version
        )
        # A worker takes the waiting run before this move commits: it cannot see the move.
        type(taken).objects.filter(pk=taken.pk).update(status="RUNNING")

    assert _waiting_derivations().count() == 1  # queued again after the commit
    run_pending()
    assert explorer.unit_rollup_current()
    assert_units_equal_the_lines()
