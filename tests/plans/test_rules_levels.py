"""Percentages are levels (``rules.track_level``, ``rules.mean_half_up``), without a database."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from salescope.plans import rules

levels = st.integers(min_value=0, max_value=100_00)  # 0 … 100.00 % in hundredths
shares = st.fractions(min_value=0, max_value=1)


@given(values=st.lists(levels, min_size=1, max_size=60))
def test_the_mean_lies_within_the_values_and_rounds_as_the_figures_do(values):
    mean = rules.mean_half_up(sum(values), len(values))

    assert min(values) <= mean <= max(values)
    assert mean == rules.fold(values, additive=False)  # how manual figures fold
    exact = Decimal(sum(values)) / Decimal(len(values))
    assert mean == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(value=levels, count=st.integers(min_value=1, max_value=400))
def test_the_mean_of_one_level_repeated_is_that_level(value, count):
    assert rules.mean_half_up(value * count, count) == value


def test_the_mean_of_nothing_is_zero():
    assert rules.mean_half_up(0, 0) == 0


@given(target=levels, actual=levels, latest=st.none() | levels, share=shares)
def test_a_level_is_due_in_full_once_the_period_has_begun(target, actual, latest, share):
    t = rules.track_level(target, actual, latest, share)

    assert t.pace == (target if share > 0 else 0)
    assert t.pace_gap == actual - t.pace
    assert t.projection == (latest if share > 0 else None)
    assert t.variance == actual - target
    assert t.attainment == rules.attainment(actual, target)
    assert (t.target, t.actual, t.share) == (target, actual, share)


@given(target=levels.filter(bool), actual=levels, share=shares.filter(bool))
def test_a_level_at_its_target_is_neither_behind_nor_short(target, actual, share):
    on_target = rules.track_level(target, target, target, share)
    assert not rules.behind_pace(on_target, Decimal(0))
    assert not rules.projected_short(on_target)
    assert on_target.attainment == Decimal("100.00")

    t = rules.track_level(target, actual, actual, share)
    assert rules.projected_short(t) == (actual < target)
    assert rules.behind_pace(t, Decimal(10)) == ((target - actual) * 10 > target)


def test_a_level_does_not_scale_with_the_elapsed_share():
    """18 % on 15 March of a year is due at 18 %, not at 18 % × 74/365."""
    t = rules.track_level(18_00, 17_00, 17_50, Fraction(74, 365))
    additive = rules.track(18_00, 17_00, Fraction(74, 365))

    assert (t.pace, t.projection) == (18_00, 17_50)
    assert (additive.pace, additive.projection) == (365, 8_385)


@given(level=levels, count=st.integers(min_value=0, max_value=400))
def test_a_levels_parts_start_at_the_level_and_fold_back_to_it(level, count):
    """Decomposing 18 % gives 18 % in each part (not 18 % ÷ count), and the mean of the
    untouched parts is the parent's level again."""
    parts = rules.level_parts(level, count)

    assert parts == [level] * count
    if count:
        assert rules.mean_half_up(sum(parts), len(parts)) == level
