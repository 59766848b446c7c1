"""R7 for manual actuals: two clients write the same version at once;
exactly one wins, every round, and only the winner is audited."""

import datetime as dt
import threading

import pytest
from django.db import connection

from salescope.analytics import services
from salescope.analytics.models import ManualActual
from salescope.core.errors import StaleVersion
from salescope.core.models import AuditEntry


def _race(write) -> list[str]:  # noqa: ANN001
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run(tag: str) -> None:
        try:
            barrier.wait()
            write(tag)
            outcomes.append("won")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_concurrent_corrections_of_one_figure_let_exactly_one_win(personas):
    director = personas["director"]
    actual = services.enter_manual_actual(
        actor=director,
        metric="new_outlets",
        month=dt.date(2026, 3, 1),
        value="1",
        person=personas["salesperson"],
    )
    for round_no in range(4):
        version = ManualActual.objects.unrestricted().get(pk=actual.pk).version

        def write(tag: str, version: int = version, round_no: int = round_no) -> None:
            fresh = ManualActual.objects.unrestricted().get(pk=actual.pk)
            value = str(round_no * 10 + (1 if tag == "A" else 2))
            services.update_manual_actual(
                actor=director, actual=fresh, expected_version=version, value=value
            )

        assert _race(write) == ["stale", "won"]
        assert ManualActual.objects.unrestricted().get(pk=actual.pk).version == version + 1
    assert AuditEntry.objects.filter(action="analytics.manual_actual.changed").count() == 4
