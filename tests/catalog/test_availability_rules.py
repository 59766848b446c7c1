"""H3: the earliest date stock plus incoming supply covers a quantity (pure maths)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from salescope.catalog.rules import earliest_date

TODAY = dt.date(2025, 6, 1)


def test_stock_on_hand_answers_today():
    assert (
        earliest_date(available_now=10, incoming=[], quantity=10, as_of=TODAY, horizon_days=30)
        == TODAY
    )


def test_supply_arrivals_are_added_in_date_order():
    incoming = [(TODAY + dt.timedelta(days=20), 5), (TODAY + dt.timedelta(days=3), 5)]
    assert earliest_date(
        available_now=2, incoming=incoming, quantity=7, as_of=TODAY, horizon_days=30
    ) == TODAY + dt.timedelta(days=3)
    assert earliest_date(
        available_now=2, incoming=incoming, quantity=12, as_of=TODAY, horizon_days=30
    ) == TODAY + dt.timedelta(days=20)


def test_beyond_the_horizon_is_no_answer():
    incoming = [(TODAY + dt.timedelta(days=40), 100)]
    assert (
        earliest_date(available_now=0, incoming=incoming, quantity=1, as_of=TODAY, horizon_days=30)
        is None
    )


@given(
    st.integers(0, 100),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 50))),
    st.integers(1, 300),
)
def test_the_answer_is_the_first_day_the_cumulative_supply_covers_the_quantity(now, arrivals, qty):
    incoming = [(TODAY + dt.timedelta(days=d), q) for d, q in arrivals]
    answer = earliest_date(
        available_now=now, incoming=incoming, quantity=qty, as_of=TODAY, horizon_days=45
    )

    def covered(day):
        return now + sum(q for d, q in incoming if d <= day) >= qty

    if answer is None:
        assert not covered(TODAY + dt.timedelta(days=45))
    else:
        assert covered(answer)
        assert answer == TODAY or not covered(answer - dt.timedelta(days=1))
