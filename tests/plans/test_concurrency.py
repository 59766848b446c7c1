"""R7: two people edit the same target (or plan) from the same version at the same moment:
exactly one wins, the other gets 409 with the current version, one audit entry, no lost
update. Real threads, each with its own database connection, on SQLite and PostgreSQL."""

import threading

import pytest
from django.db import connection

from salescope.core.errors import StaleVersion
from salescope.core.models import AuditEntry
from salescope.plans import services
from salescope.plans.choices import Axis
from salescope.plans.models import Plan, Target
from salescope.plans.services import CellEdit, Step

ROUNDS = 6


def _race(calls):
    """Run the calls at once; return ("ok", result) / ("stale", error) per call."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except StaleVersion as error:
            outcomes[index] = ("stale", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_cell_let_exactly_one_win(personas, plan):
    director, manager = personas["director"], personas["admin"]
    root = plan.targets.get(parent=None)
    services.decompose_target(actor=director, target=root, steps=[Step(Axis.ORG)])
    for round_number in range(ROUNDS):
        cell = Target.objects.unrestricted().filter(parent=root).order_by("position").first()
        audits = AuditEntry.objects.filter(action="plans.target.edited").count()
        values = [100_000_000 + round_number, 200_000_000 + round_number]

        def edit(actor, value, cell=cell):
            parent = Target.objects.unrestricted().get(pk=root.pk)
            edits = [CellEdit(cell.pk, cell.version, value=value)]
            return services.edit_cells(actor=actor, parent=parent, edits=edits)

        outcomes = _race(
            [
                lambda v=values[0]: edit(director, v),
                lambda v=values[1]: edit(manager, v),
            ]
        )
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["ok", "stale"], outcomes
        winner = values[[kind for kind, _ in outcomes].index("ok")]
        stale = next(error for kind, error in outcomes if kind == "stale")
        cell.refresh_from_db()
        assert cell.value == winner
        assert stale.status == 409
        assert stale.extra["current_version"] == cell.version
        assert AuditEntry.objects.filter(action="plans.target.edited").count() == audits + 1
        siblings = Target.objects.unrestricted().filter(parent=root).values_list("value", flat=True)
        assert sum(siblings) == root.value


@pytest.mark.django_db(transaction=True)
def test_concurrent_plan_edits_let_exactly_one_win(personas, plan):
    director, admin = personas["director"], personas["admin"]
    for round_number in range(ROUNDS):
        current = Plan.objects.unrestricted().get(pk=plan.pk)
        audits = AuditEntry.objects.filter(action="plans.plan.updated").count()
        names = [f"甲{round_number}", f"乙{round_number}"]

        def rename(actor, name, version=current.version):
            fresh = Plan.objects.unrestricted().get(pk=plan.pk)
            return services.update_plan(
                actor=actor, plan=fresh, expected_version=version, changes={"name": name}
            )

        outcomes = _race(
            [
                lambda n=names[0]: rename(director, n),
                lambda n=names[1]: rename(admin, n),
            ]
        )
        assert sorted(kind for kind, _ in outcomes) == ["ok", "stale"], outcomes
        winner = names[[kind for kind, _ in outcomes].index("ok")]
        assert Plan.objects.unrestricted().get(pk=plan.pk).name == winner
        assert Plan.objects.unrestricted().get(pk=plan.pk).version == current.version + 1
        assert AuditEntry.objects.filter(action="plans.plan.updated").count() == audits + 1
