"""The maths of decomposition, pace and projection (R9), without a database."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from salescope.plans import rules

amounts = st.integers(min_value=-(10**15), max_value=10**15)
weights = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**9),
        st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False),
    ),
    min_size=1,
    max_size=40,
)


@given(total=amounts, weights=weights)
def test_children_always_sum_to_the_parent(total, weights):
    parts = rules.allocate(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)


@given(total=st.integers(min_value=0, max_value=10**12), weights=weights)
def test_each_share_is_within_one_unit_of_its_exact_share(total, weights):
    parts = rules.allocate(total, weights)
    weight_sum = sum(Fraction(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = (
            Fraction(total) * Fraction(weight) / weight_sum
            if weight_sum
            else Fraction(total, len(weights))
        )
        assert abs(part - exact) < 1


@given(total=amounts, weights=weights)
def test_allocation_is_deterministic(total, weights):
    assert rules.allocate(total, weights) == rules.allocate(total, list(weights))


def test_remainders_go_to_the_largest_fraction_then_to_the_first():
    assert rules.allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert rules.allocate(10, [1, 2, 2]) == [2, 4, 4]
    assert rules.allocate(11, [1, 2, 2]) == [2, 5, 4]
    assert rules.allocate(7, [0, 0]) == [4, 3]


@given(
    total=st.integers(min_value=0, max_value=10**12),
    weights=weights,
    data=st.data(),
)
def test_locked_cells_keep_their_value_and_the_rest_still_adds_up(total, weights, data):
    n = len(weights)
    locked_indexes = data.draw(st.sets(st.integers(0, n - 1), max_size=n - 1))
    locked = {}
    budget = total
    for index in sorted(locked_indexes):
        value = data.draw(st.integers(0, budget))
        locked[index] = value
        budget -= value
    parts = rules.allocate(total, weights, locked=locked)
    assert sum(parts) == total
    for index, value in locked.items():
        assert parts[index] == value


@given(
    total=st.integers(min_value=0, max_value=10**10),
    weights=weights,
    quantum=st.sampled_from([1, 100, 1000]),
)
def test_counts_split_in_whole_units_and_the_rest_goes_to_the_biggest(total, weights, quantum):
    parts = rules.allocate(total, weights, quantum=quantum)
    assert sum(parts) == total
    off_quantum = [p for p in parts if p % quantum]
    assert len(off_quantum) <= 1


def test_locks_larger_than_the_parent_are_refused():
    with pytest.raises(rules.InfeasibleAllocation):
        rules.allocate(100, [1, 1, 1], locked={0: 60, 1: 50})
    with pytest.raises(rules.InfeasibleAllocation):
        rules.allocate(100, [1, 1], locked={0: 40, 1: 50})


@given(total=st.integers(0, 10**12), current=st.lists(st.integers(0, 10**9), min_size=1))
def test_redistribution_keeps_proportions_and_sum(total, current):
    parts = rules.redistribute(total, current)
    assert sum(parts) == total
    if sum(current) and total == sum(current):
        assert parts == current


@given(
    edits=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 10**6)), max_size=12),
    start=st.lists(st.integers(0, 10**6), min_size=10, max_size=10),
)
def test_a_sequence_of_edits_never_breaks_the_sum(edits, start):
    total = sum(start)
    values = list(start)
    locked: dict[int, int] = {}
    for index, value in edits:
        trial = {**locked, index: value}
        if sum(trial.values()) > total or len(trial) == len(values):
            continue
        locked = trial
        values = rules.redistribute(total, values, locked=locked)
        assert sum(values) == total
        assert all(values[i] == v for i, v in locked.items())


# --- pace, projection, attainment ---------------------------------------------------------

YEAR = rules.Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_calendar_share_counts_the_day_of_as_of():
    assert rules.elapsed_share(YEAR, dt.date(2026, 1, 1)) == Fraction(1, 365)
    assert rules.elapsed_share(YEAR, dt.date(2026, 11, 23)) == Fraction(327, 365)
    assert rules.elapsed_share(YEAR, dt.date(2025, 12, 31)) == 0
    assert rules.elapsed_share(YEAR, dt.date(2027, 1, 5)) == 1


def test_working_day_share_skips_weekends_holidays_and_counts_makeup_days():
    november = rules.Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    # November 2026: 21 weekdays; by Monday the 23rd (included) 16 of them have passed.
    share = rules.elapsed_share(november, dt.date(2026, 11, 23), rules.PaceBasis.WORKING_DAYS)
    assert share == Fraction(16, 21)
    with_holiday = rules.elapsed_share(
        november,
        dt.date(2026, 11, 23),
        rules.PaceBasis.WORKING_DAYS,
        holidays=[dt.date(2026, 11, 2)],
        workdays=[dt.date(2026, 11, 1)],
    )
    assert with_holiday == Fraction(16, 21)


def test_seasonal_share_weighs_months_by_their_profile():
    q1 = rules.Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    season = {dt.date(2026, 1, 1): 1, dt.date(2026, 2, 1): 3, dt.date(2026, 3, 1): 0}
    end_of_jan = rules.elapsed_share(
        q1, dt.date(2026, 1, 31), rules.PaceBasis.SEASONALITY, season=season
    )
    assert end_of_jan == Fraction(1, 4)
    mid_feb = rules.elapsed_share(
        q1, dt.date(2026, 2, 14), rules.PaceBasis.SEASONALITY, season=season
    )
    assert mid_feb == Fraction(1, 4) + Fraction(3, 4) * Fraction(14, 28)


def test_pace_projection_variance_and_attainment_follow_the_documented_formulas():
    share = Fraction(1, 3)
    tracking = rules.track(target=300_00, actual=90_00, share=share)
    assert tracking.pace == 100_00
    assert tracking.projection == 270_00
    assert tracking.variance == -210_00
    assert tracking.pace_gap == -10_00
    assert tracking.attainment == Decimal("30.00")
    assert rules.behind_pace(tracking, Decimal("5")) is True
    assert rules.behind_pace(tracking, Decimal("10")) is False
    assert rules.projected_short(tracking) is True


def test_projection_before_the_period_is_none_and_after_it_is_the_actual():
    assert rules.projection(500, Fraction(0)) is None
    assert rules.projection(500, Fraction(1)) == 500
    assert rules.attainment(5, 0) is None
    assert rules.pace(1, Fraction(1, 2)) == 1  # half-up


@given(target=st.integers(0, 10**12), actual=st.integers(0, 10**12))
def test_variance_is_actual_minus_target(target, actual):
    assume(target > 0)
    tracking = rules.track(target, actual, Fraction(1, 2))
    assert tracking.variance == actual - target
    assert tracking.pace + tracking.pace_gap == actual


@given(
    target=st.integers(1, 10**12),
    actual=st.integers(-(10**9), 10**12),
    share=st.fractions(min_value=0, max_value=1),
)
def test_the_integer_fast_path_agrees_with_the_rational_definition(target, actual, share):
    due = target * share
    fast = rules.track_due(target, actual, due)
    slow = rules.track(target, actual, share)
    assert fast.pace == rules.round_half_up(due) == slow.pace
    assert fast.projection == slow.projection
    assert fast.attainment == slow.attainment
    assert (fast.variance, fast.pace_gap) == (actual - target, actual - fast.pace)


@given(target=st.integers(1, 10**12), actual=st.integers(-(10**9), 10**12))
def test_a_wholly_elapsed_period_tracks_as_the_general_rule(target, actual):
    assert rules.track_whole(target, actual) == rules.track_due(target, actual, target)
    slow = rules.track(target, actual, Fraction(1))
    whole = rules.track_whole(target, actual)
    assert (whole.pace, whole.projection, whole.attainment) == (
        slow.pace,
        slow.projection,
        slow.attainment,
    )
