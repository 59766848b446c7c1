"""B1 at the leaf for the metrics that are not sales lines: a person's month of 回款 drills to
the collections behind the actual, and a month of 费用 to the approved expense records (or to
the figure entered by hand that replaces them); what is listed adds up to the actual on the
row it came from, and nobody reaches another region's facts by editing the address."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from salescope.analytics.services import enter_manual_actual
from salescope.expenses import services as expenses
from salescope.ledger import services as ledger
from salescope.plans import services
from salescope.plans.choices import Axis, Metric
from salescope.plans.services import Step
from tests.customers.leaks import make_customer
from tests.expenses.leaks import category
from tests.plans.conftest import plan  # noqa: F401 - shared plan fixture

pytestmark = pytest.mark.django_db


def _approve(the_plan, director):
    for action in ("submit", "approve"):
        the_plan.refresh_from_db()
        services.transition_plan(
            actor=director, plan=the_plan, action=action, expected_version=the_plan.version
        )


@pytest.fixture
def targets(plan, personas):  # noqa: F811
    """回款 and 费用 targets for every person and month, approved."""
    director = personas["director"]
    for metric in (Metric.COLLECTIONS, Metric.EXPENSE_BUDGET):
        root = services.set_plan_target(
            actor=director, plan=plan, metric=metric, value=1_200_000_00
        )
        steps = [Step(Axis.ORG)] * 4 + [Step(Axis.MONTH)]
        services.decompose_target(actor=director, target=root, steps=steps)
    _approve(plan, director)
    return plan


def _leaf_link(client, the_plan, person, metric, month) -> str:
    page = client.get(
        "/tracking/",
        {"plan": the_plan.pk, "metric": metric, "group_by": "month", "person": person.pk},
    ).content.decode()
    for row in re.findall(r"<tr[^>]*data-href=\"[^\"]+\"[^>]*>.*?</tr>", page, flags=re.S):
        if f">{month}<" in row:
            return re.search(r'data-href="([^"]+)"', row).group(1).replace("&amp;", "&")
    raise AssertionError(f"no drill-down link for {month}")


def _query(href: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def _collect(personas, owner, number, day, amount):
    customer = make_customer(owner)
    return ledger.record_collection(
        actor=personas["admin"], customer=customer, number=number, date=day, amount=amount
    )


def test_a_persons_month_of_collections_drills_to_the_collections(targets, personas, login_client):
    salesperson = personas["salesperson"]
    _collect(personas, salesperson, "CO-A", dt.date(2026, 3, 5), "1200.50")
    _collect(personas, salesperson, "CO-B", dt.date(2026, 3, 28), "300.00")
    _collect(personas, salesperson, "CO-APRIL", dt.date(2026, 4, 2), "999.00")
    _collect(personas, personas["other_region_salesperson"], "CO-SOUTH", dt.date(2026, 3, 9), "7")

    client = login_client(personas["team_lead"])
    href = _leaf_link(client, targets, salesperson, Metric.COLLECTIONS, "2026-03")
    assert _query(href)["metric"] == Metric.COLLECTIONS
    page = client.get(href).content.decode()

    assert 'data-testid="drill-collections"' in page
    assert "CO-A" in page
    assert "CO-B" in page
    assert "CO-APRIL" not in page
    assert "CO-SOUTH" not in page
    assert 'data-testid="drill-total">1,500.50<' in page


def test_a_persons_month_of_expenses_drills_to_the_approved_records(
    targets, personas, login_client
):
    salesperson = personas["salesperson"]
    approved = [
        expenses.record_expense(
            actor=salesperson,
            category=category(),
            spent_on=dt.date(2026, 3, day),
            amount=amount,
            note=note,
        )
        for day, amount, note in ((3, "200.00", "拜访交通费"), (17, "88.80", "样品快递"))
    ]
    draft = expenses.record_expense(
        actor=salesperson,
        category=category(),
        spent_on=dt.date(2026, 3, 20),
        amount="5000.00",
        note="尚未报销",
    )
    claim = expenses.create_claim(actor=salesperson, title="三月报销", expenses=approved)
    claim = expenses.submit_claim(actor=salesperson, claim=claim, expected_version=claim.version)
    for approver in (expenses.managers_above(salesperson)[0], personas["finance"]):
        claim = expenses.approve_claim(actor=approver, claim=claim, expected_version=claim.version)

    client = login_client(personas["team_lead"])
    href = _leaf_link(client, targets, salesperson, Metric.EXPENSE_BUDGET, "2026-03")
    page = client.get(href).content.decode()

    assert 'data-testid="drill-expenses"' in page
    assert "拜访交通费" in page
    assert "样品快递" in page
    assert draft.note not in page  # not approved: not spending yet
    assert 'data-testid="drill-total">288.80<' in page


def test_a_figure_entered_by_hand_is_shown_as_what_the_actual_is(targets, personas, login_client):
    salesperson = personas["salesperson"]
    enter_manual_actual(
        actor=personas["team_lead"],
        metric=Metric.EXPENSE_BUDGET,
        month=dt.date(2026, 3, 1),
        value="1234.00",
        person=salesperson,
    )
    client = login_client(personas["team_lead"])
    page = client.get(
        _leaf_link(client, targets, salesperson, Metric.EXPENSE_BUDGET, "2026-03")
    ).content.decode()
    assert 'data-testid="drill-manual"' in page
    assert 'data-testid="drill-total">1,234.00<' in page


def test_another_regions_facts_are_not_reached_by_editing_the_address(personas, login_client):
    other = personas["other_region_salesperson"]
    _collect(personas, other, "CO-SOUTH", dt.date(2026, 3, 9), "77.00")
    client = login_client(personas["salesperson"])
    page = client.get(
        "/tracking/lines/", {"metric": Metric.COLLECTIONS, "person": other.pk, "month": "2026-03"}
    ).content.decode()
    assert "CO-SOUTH" not in page
    assert 'data-testid="drill-total">0.00<' in page
