"""Two salespeople claim the same pool lead at the same moment: exactly one gets it, the other
is told it was claimed first; one claim in the audit trail. Real threads, own connections."""

import threading

import pytest
from django.db import connection

from salescope.core.errors import Conflict
from salescope.core.models import AuditEntry
from salescope.leads import services
from salescope.leads.choices import LeadStatus
from salescope.leads.models import Lead

ROUNDS = 4


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except Conflict as error:
            outcomes[index] = ("conflict", error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_claims_of_one_pool_lead_let_exactly_one_win(personas):
    zhangwei, chenjing = personas["salesperson"], personas["other_region_salesperson"]
    for _round in range(ROUNDS):
        lead = Lead.objects.create(
            contact_name="抢单", phone="1", status=LeadStatus.POOL, qualified=True
        )

        def claim(actor, pk=lead.pk):
            return services.claim_lead(actor=actor, lead=Lead.objects.unrestricted().get(pk=pk))

        outcomes = _race([lambda: claim(zhangwei), lambda: claim(chenjing)])

        kinds = sorted(kind for kind, _value in outcomes)
        assert kinds == ["conflict", "ok"], outcomes
        assert [v for k, v in outcomes if k == "conflict"] == ["already_claimed"]
        winner = next(v for k, v in outcomes if k == "ok").owner
        lead.refresh_from_db()
        assert lead.owner == winner
        assert (
            AuditEntry.objects.filter(action="leads.lead.claimed", object_id=str(lead.pk)).count()
            == 1
        )
