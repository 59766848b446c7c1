"""G5: a draft commission plan is edited in the pages (errors at the field, a stale form is
refused with 409, an approved plan is frozen) and an assignment is removed there; each
write goes through the services and is audited."""

import datetime as dt

from salescope.commissions import services
from salescope.commissions.choices import Base
from salescope.commissions.models import CommissionAssignment
from salescope.core.audit import AuditEntry


def _draft(director):
    return services.create_plan(
        actor=director,
        name="提成草案",
        base=Base.SALES_AMOUNT,
        tiers=[(0, 100), (8000, 200)],
        valid_from=dt.date(2026, 1, 1),
    )


def _form(version, **changes):
    return {
        "version": str(version),
        "name": "提成方案（改）",
        "base": "collections",
        "attainment_metric": "sales_amount",
        "tiers": "0:1, 80:2, 100:3.5",
        "cap": "5000",
        "valid_from": "2026-01",
        "valid_to": "",
        **changes,
    }


def test_a_draft_plan_is_edited_in_the_page(personas, login_client):
    director = personas["director"]
    plan = _draft(director)
    client = login_client(director)
    page = client.get(f"/commissions/plans/{plan.pk}/")
    assert b'data-testid="plan-edit"' in page.content
    form = client.get(f"/commissions/plans/{plan.pk}/edit/")
    assert form.status_code == 200
    assert "0.00:1.00, 80.00:2.00" in form.content.decode()

    bad = client.post(f"/commissions/plans/{plan.pk}/edit/", _form(plan.version, tiers="x"))
    assert bad.status_code == 422
    response = client.post(f"/commissions/plans/{plan.pk}/edit/", _form(plan.version))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.name, plan.base, plan.cap_fen) == ("提成方案（改）", "collections", 5_000_00)
    assert plan.tiers == [[0, 100], [8000, 200], [10000, 350]]
    assert AuditEntry.objects.filter(
        action="commissions.plan.changed", object_id=str(plan.pk)
    ).exists()
    stale = client.post(f"/commissions/plans/{plan.pk}/edit/", _form(1, name="又改"))
    assert stale.status_code == 409
    services.approve_plan(actor=director, plan=plan, expected_version=plan.version)
    frozen = client.post(f"/commissions/plans/{plan.pk}/edit/", _form(plan.version))
    assert frozen.status_code == 409
    assert b'data-testid="plan-edit"' not in client.get(f"/commissions/plans/{plan.pk}/").content


def test_an_assignment_is_removed_in_the_page(personas, login_client):
    director = personas["director"]
    plan = _draft(director)
    made = services.assign(actor=director, plan=plan, person=personas["salesperson"])
    assert client_post_refused(login_client(personas["salesperson"]), made.pk)
    client = login_client(director)
    assert (
        f'data-testid="unassign-{made.pk}"'
        in client.get(f"/commissions/plans/{plan.pk}/").content.decode()
    )
    response = client.post(f"/commissions/assignments/{made.pk}/delete/")
    assert response.status_code == 302
    assert not CommissionAssignment.objects.unrestricted().filter(pk=made.pk).exists()
    assert AuditEntry.objects.filter(action="commissions.assignment.deleted").count() == 1


def client_post_refused(client, pk):
    response = client.post(f"/commissions/assignments/{pk}/delete/")
    return response.status_code in {403, 404} and (
        CommissionAssignment.objects.unrestricted().filter(pk=pk).exists()
    )
