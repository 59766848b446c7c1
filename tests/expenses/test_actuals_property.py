"""Hypothesis: whatever claims people file and however far each gets (draft, submitted,
approved by the manager, approved by finance, paid, rejected), the expense-budget actuals the
tracking reads equal the records of the claims finance approved (approved or paid), per person
and month, to the fen — summed independently from the records here."""

import datetime as dt
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.analytics import manual
from salescope.core.periods import add_months
from salescope.expenses import services
from salescope.expenses.models import Expense
from salescope.plans.choices import Metric
from tests.expenses.leaks import category

BASE = dt.date(2026, 1, 1)
STEPS = ["draft", "submitted", "manager_approved", "approved", "paid", "rejected"]

claims = st.lists(
    st.tuples(
        st.sampled_from(["salesperson", "other_region_salesperson"]),
        st.lists(st.tuples(st.integers(1, 5_000_000), st.integers(0, 2)), min_size=1, max_size=3),
        st.sampled_from(STEPS),
    ),
    min_size=1,
    max_size=4,
)


def _file(personas, who, records, step):
    person = personas[who]
    made = [
        services.record_expense(
            actor=person,
            category=category(),
            spent_on=add_months(BASE, months).replace(day=10),
            amount=f"{fen // 100}.{fen % 100:02d}",
        )
        for fen, months in records
    ]
    claim = services.create_claim(actor=person, title="报销", expenses=made)
    if step == "draft":
        return
    claim = services.submit_claim(actor=person, claim=claim, expected_version=claim.version)
    manager = services.managers_above(person)[0]
    if step == "rejected":
        services.reject_claim(
            actor=manager, claim=claim, expected_version=claim.version, reason="x"
        )
        return
    if step == "submitted":
        return
    claim = services.approve_claim(actor=manager, claim=claim, expected_version=claim.version)
    if step == "manager_approved":
        return
    finance = personas["finance"]
    claim = services.approve_claim(actor=finance, claim=claim, expected_version=claim.version)
    if step == "paid":
        services.pay_claim(actor=finance, claim=claim, expected_version=claim.version)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(filed=claims)
def test_expense_actuals_equal_the_records_of_finance_approved_claims(personas, filed):
    for who, records, step in filed:
        _file(personas, who, records, step)

    expected: dict[tuple, int] = defaultdict(int)
    for person_id, month, fen in (
        Expense.objects.unrestricted()
        .filter(claim__status__in=["approved", "paid"])
        .values_list("person_id", "month", "amount_fen")
    ):
        expected[(person_id, month)] += fen

    actual = manual.manual_actuals(
        viewer=personas["director"],
        metric=Metric.EXPENSE_BUDGET,
        date_from=BASE,
        date_to=add_months(BASE, 2),
        group_by=("salesperson", "month"),
    )
    assert actual == dict(expected)
