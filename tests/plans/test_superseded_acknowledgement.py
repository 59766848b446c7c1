"""An acknowledgement asked for version 1 while version 2 is being drafted (issue 19, defect 3):
the page says version 1 was replaced and offers nothing to confirm; the service refuses and
writes nothing; the pending list no longer shows it. Once version 2 is approved, its own
acknowledgement is asked for."""

import pytest

from salescope.core.errors import Conflict
from salescope.core.models import AuditEntry
from salescope.plans import services
from salescope.plans.models import Acknowledgement
from salescope.plans.queries import pending_acknowledgements


def _step(plan, director, *actions):
    for action in actions:
        plan.refresh_from_db()
        services.transition_plan(
            actor=director, plan=plan, action=action, expected_version=plan.version
        )
    plan.refresh_from_db()
    return plan


@pytest.fixture
def reopened(decomposed, personas):
    """Version 1 approved (张伟 asked to acknowledge), then reopened as version 2 (a draft)."""
    return _step(decomposed, personas["director"], "submit", "approve", "new_version")


def test_the_page_offers_nothing_to_confirm_for_a_replaced_version(
    reopened, personas, login_client
):
    ack = Acknowledgement.objects.unrestricted().get(
        plan=reopened, person=personas["salesperson"], revision=1
    )
    page = login_client(personas["salesperson"]).get(f"/plans/acknowledgements/{ack.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="ack-form"' not in html
    assert 'data-testid="ack-superseded"' in html
    assert "本计划中没有您的目标" not in html
    assert pending_acknowledgements(viewer=personas["salesperson"]) == []


def test_the_service_refuses_a_replaced_version(reopened, personas):
    ack = Acknowledgement.objects.unrestricted().get(
        plan=reopened, person=personas["salesperson"], revision=1
    )
    audits = AuditEntry.objects.count()
    with pytest.raises(Conflict) as refused:
        services.acknowledge(actor=personas["salesperson"], acknowledgement=ack)
    assert refused.value.code == "acknowledgement_superseded"
    ack.refresh_from_db()
    assert ack.acknowledged_at is None
    assert AuditEntry.objects.count() == audits


def test_the_next_approved_version_is_asked_for(reopened, personas, login_client):
    _step(reopened, personas["director"], "submit", "approve")
    (pending,) = pending_acknowledgements(viewer=personas["salesperson"])
    assert pending.revision == 2
    page = login_client(personas["salesperson"]).get(f"/plans/acknowledgements/{pending.pk}/")
    assert 'data-testid="ack-form"' in page.content.decode()
