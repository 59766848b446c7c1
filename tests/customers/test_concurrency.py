"""R7: two clients write the same customer version at once; exactly one wins, every round."""

import threading

import pytest
from django.db import connection

from salescope.core.errors import StaleVersion
from salescope.core.models import AuditEntry
from salescope.customers import services
from salescope.customers.models import Customer
from tests.ledger.world import build_world


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_of_one_version_let_exactly_one_win(personas):
    world = build_world(personas)
    admin = personas["admin"]
    for round_no in range(5):
        version = Customer.objects.unrestricted().get(pk=world.east_dealer.pk).version
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def write(
            tier: str,
            version: int = version,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
            round_no: int = round_no,
        ) -> None:
            customer = Customer.objects.unrestricted().get(pk=world.east_dealer.pk)
            barrier.wait()
            try:
                services.update_customer(
                    actor=admin,
                    customer=customer,
                    expected_version=version,
                    changes={"address": f"{round_no}-{tier}"},
                )
                outcomes.append("won")
            except StaleVersion:
                outcomes.append("stale")
            finally:
                connection.close()

        threads = [threading.Thread(target=write, args=(t,)) for t in ("A", "B")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["stale", "won"]
        assert Customer.objects.unrestricted().get(pk=world.east_dealer.pk).version == version + 1
    assert AuditEntry.objects.filter(action="customers.customer.updated").count() == 5
