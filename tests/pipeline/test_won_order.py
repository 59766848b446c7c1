"""A won opportunity creates its order in the ledger: once, for its customer, linked to it,
audited and on the timeline; refused without a customer, and only for who may see the deal."""

import json

import pytest

from salescope.catalog.models import Product
from salescope.core.audit import AuditEntry
from salescope.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from salescope.ledger.models import Order
from salescope.pipeline import queries, services
from salescope.pipeline.models import Opportunity
from salescope.timeline.models import Event
from tests.pipeline.world import make_customer, make_opportunity, stage


@pytest.fixture
def products(db):
    return [
        Product.objects.create(sku="WON-A", name="整箱可乐", list_price_fen=4800),
        Product.objects.create(sku="WON-B", name="薯片", list_price_fen=350),
    ]


def _won(personas, pipeline, *, customer=True):
    zhang = personas["salesperson"]
    fields = {"customer": make_customer(zhang)} if customer else {}
    opp = make_opportunity(zhang, pipeline, **fields)
    return services.move_opportunity_to_stage(
        actor=personas["team_lead"],
        opportunity=opp,
        stage=stage(pipeline, "赢单"),
        expected_version=opp.version,
        override_reason="合同已签",
    )


def test_a_won_deal_creates_its_order_once(personas, pipeline, products):
    zhang = personas["salesperson"]
    opp = _won(personas, pipeline)

    order = services.create_order_from_opportunity(
        actor=zhang,
        opportunity=opp,
        lines=[
            {"sku": "WON-A", "quantity": 10},
            {"sku": "WON-B", "quantity": 4, "unit_price": "3"},
        ],
    )

    assert (order.customer, order.amount_fen, order.status) == (opp.customer, 48000 + 1200, "draft")
    assert Opportunity.objects.unrestricted().get(pk=opp.pk).order == order
    assert AuditEntry.objects.filter(
        action="ledger.order.created", object_id=str(order.pk)
    ).exists()
    entry = AuditEntry.objects.get(action="pipeline.opportunity.ordered", object_id=str(opp.pk))
    assert entry.changes == {"order": ["", order.number]}
    assert Event.objects.unrestricted().filter(subject_id=str(opp.pk), kind="order").count() == 1

    with pytest.raises(Conflict) as again:
        services.create_order_from_opportunity(
            actor=zhang, opportunity=opp, lines=[{"sku": "WON-A", "quantity": 1}]
        )
    assert again.value.status == 409
    assert Order.objects.unrestricted().count() == 1


def test_refused_without_a_customer_an_open_deal_or_a_known_sku(personas, pipeline, products):
    zhang = personas["salesperson"]
    lines = [{"sku": "WON-A", "quantity": 1}]
    with pytest.raises(ValidationFailed) as no_customer:
        services.create_order_from_opportunity(
            actor=zhang, opportunity=_won(personas, pipeline, customer=False), lines=lines
        )
    assert "customer" in no_customer.value.fields
    with pytest.raises(Conflict):
        services.create_order_from_opportunity(
            actor=zhang,
            opportunity=make_opportunity(zhang, pipeline, customer=make_customer(zhang)),
            lines=lines,
        )
    with pytest.raises(ValidationFailed) as unknown:
        services.create_order_from_opportunity(
            actor=zhang,
            opportunity=_won(personas, pipeline),
            lines=[{"sku": "WON-A", "quantity": 1}, {"sku": "NOPE", "quantity": 1}],
        )
    assert list(unknown.value.fields) == ["lines.1.sku"]
    assert not Order.objects.unrestricted().exists()
    assert not Opportunity.objects.unrestricted().filter(order__isnull=False).exists()


def test_finance_may_not_create_the_order(personas, pipeline, products):
    opp = _won(personas, pipeline)
    with pytest.raises(PermissionDenied):
        services.create_order_from_opportunity(
            actor=personas["finance"], opportunity=opp, lines=[{"sku": "WON-A", "quantity": 1}]
        )
    assert not Order.objects.unrestricted().exists()


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_creates_once_and_hides_other_peoples_deals(personas, pipeline, products, api_client):
    opp = _won(personas, pipeline)
    url = f"/api/v1/pipeline/opportunities/{opp.pk}/order"
    body = {"lines": [{"sku": "WON-A", "quantity": 2}], "confirm": False}

    stranger = _post(api_client(personas["other_region_salesperson"]), url, body)
    assert stranger.status_code == 404
    assert not Order.objects.unrestricted().exists()

    client = api_client(personas["salesperson"])
    created = _post(client, url, body)
    assert created.status_code == 201, created.content
    assert (created.json()["amount"], created.json()["customer_id"]) == ("96.00", opp.customer_id)
    assert (
        client.get(f"/api/v1/pipeline/opportunities/{opp.pk}").json()["order_id"]
        == (created.json()["id"])
    )
    assert _post(client, url, body).status_code == 409


def test_page_form_creates_the_order_and_names_the_bad_line(
    personas, pipeline, products, login_client
):
    opp = _won(personas, pipeline)
    client = login_client(personas["salesperson"])
    page = client.get(f"/pipeline/{opp.pk}/")
    assert 'data-testid="won-order"' in page.content.decode()

    bad = client.post(f"/pipeline/{opp.pk}/order/", {"lines": "WON-A 10\nWON-B many"})
    assert bad.status_code == 400
    assert not Order.objects.unrestricted().exists()

    client.post(f"/pipeline/{opp.pk}/order/", {"lines": "WON-A, 10\nWON-B 4 3.00"})
    order = Order.objects.unrestricted().get()
    assert order.amount_fen == 49200
    assert order.number in client.get(f"/pipeline/{opp.pk}/").content.decode()

    stranger = login_client(personas["other_region_salesperson"])
    assert stranger.post(f"/pipeline/{opp.pk}/order/", {"lines": "WON-A 1"}).status_code == 404


def test_someone_who_cannot_see_the_deal_cannot_order_it(personas, pipeline, products):
    opp = _won(personas, pipeline)
    with pytest.raises(NotFound):
        queries.get_opportunity(
            viewer=personas["other_region_salesperson"], pk=opp.pk, action="change"
        )
