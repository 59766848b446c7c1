"""The pipeline's pure rules: the gate, weights, the funnel, win rate (property tests)."""

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.pipeline import rules

# The box is shared and slow; the properties need few examples, not fast ones.
RELAXED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ITEMS = st.lists(st.sampled_from(["预算", "决策人", "方案", "合同", "样品"]), unique=True)
FIELDS = st.lists(st.sampled_from(rules.GATE_FIELDS), unique=True)
VALUES = st.dictionaries(
    st.sampled_from(rules.GATE_FIELDS), st.one_of(st.none(), st.text(max_size=3), st.integers(0, 9))
)


@RELAXED
@given(required=FIELDS, checklist=ITEMS, values=VALUES, done=ITEMS, more=ITEMS)
def test_ticking_more_items_never_adds_to_what_is_missing(required, checklist, values, done, more):
    before = rules.check_gate(
        required_fields=required, checklist=checklist, values=values, done=done
    )
    after = rules.check_gate(
        required_fields=required, checklist=checklist, values=values, done=done + more
    )
    assert set(after.missing_items) <= set(before.missing_items)
    assert after.missing_fields == before.missing_fields


@RELAXED
@given(required=FIELDS, checklist=ITEMS, values=VALUES, done=ITEMS)
def test_filling_every_field_and_item_passes(required, checklist, values, done):
    filled = {**values, **dict.fromkeys(required, "x")}
    gate = rules.check_gate(
        required_fields=required, checklist=checklist, values=filled, done=checklist
    )
    assert gate.passed
    partial = rules.check_gate(
        required_fields=required, checklist=checklist, values=values, done=done
    )
    assert partial.passed == (not partial.missing_fields and not partial.missing_items)


def test_a_zero_amount_or_blank_text_is_not_filled():
    gate = rules.check_gate(
        required_fields=["amount", "decision_maker", "customer"],
        checklist=[],
        values={"amount": 0, "decision_maker": "  ", "customer": object()},
        done=[],
    )
    assert gate.missing_fields == ("amount", "decision_maker")


@RELAXED
@given(amount=st.integers(0, 10**15), probability=st.integers(0, 100))
def test_weighted_amount_is_between_zero_and_the_amount(amount, probability):
    weighted = rules.weighted_fen(amount, probability)
    assert 0 <= weighted <= amount
    assert weighted == amount * probability // 100


@RELAXED
@given(
    orders=st.lists(st.integers(1, 20), min_size=1, max_size=8, unique=True),
    furthest=st.lists(st.integers(0, 25), max_size=40),
)
def test_funnel_counts_never_grow_and_first_step_counts_all_that_started(orders, furthest):
    steps = rules.funnel(orders, furthest)
    counts = [s.reached for s in steps]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == sum(1 for f in furthest if f >= min(orders))
    for previous, step in zip(steps, steps[1:], strict=False):
        if previous.reached:
            assert step.conversion == (Decimal(step.reached) / previous.reached).quantize(
                Decimal("0.001")
            )


def test_funnel_and_win_rate_exact_values():
    steps = rules.funnel([1, 2, 3], [1, 1, 2, 3, 3])
    assert [(s.reached, s.conversion) for s in steps] == [
        (5, None),
        (3, Decimal("0.600")),
        (2, Decimal("0.667")),
    ]
    assert rules.win_rate(3, 1) == Decimal("0.750")
    assert rules.win_rate(0, 0) is None


def test_stuck_only_past_the_threshold():
    entered = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert not rules.is_stuck(
        entered_at=entered, now=entered + dt.timedelta(days=14), rotting_days=14
    )
    assert rules.is_stuck(entered_at=entered, now=entered + dt.timedelta(days=15), rotting_days=14)
    assert not rules.is_stuck(
        entered_at=entered, now=entered + dt.timedelta(days=999), rotting_days=None
    )


def test_forecast_by_month_sums_amount_weighted_and_categories():
    deals = [
        rules.ForecastDeal(100_00, 50, "best_case", dt.date(2027, 1, 5)),
        rules.ForecastDeal(200_00, 75, "commit", dt.date(2027, 1, 31)),
        rules.ForecastDeal(300_00, 10, "pipeline", dt.date(2027, 3, 1)),
        rules.ForecastDeal(999_00, 10, "pipeline", None),
    ]
    months = rules.forecast_by_month(deals)
    assert [(m.month, m.amount_fen, m.weighted_fen, m.deals) for m in months] == [
        (dt.date(2027, 1, 1), 300_00, 200_00, 2),
        (dt.date(2027, 3, 1), 300_00, 30_00, 1),
    ]
    assert months[0].by_category == {"best_case": 100_00, "commit": 200_00}
