"""The pure rules of the B2 warnings (``analytics.alert_rules``): properties that hold for any
figures (hypothesis), and the worked cases a sales manager would check by hand. No database."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescope.analytics import alert_rules as rules

LIMITS = rules.Thresholds()
# The machine is shared: a slow example is not a failure (the rules hold no timing).
relaxed = settings(deadline=None)
fen = st.integers(min_value=0, max_value=10**12)
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@relaxed
@given(recent=fen, year_ago=fen, base=fen, k=st.integers(min_value=1, max_value=1000))
def test_expectation_scales_with_the_history_and_is_never_negative(recent, year_ago, base, k):
    one = rules.seasonal_expectation(
        recent_fen=recent, year_ago_fen=year_ago, year_ago_base_fen=base
    )
    many = rules.seasonal_expectation(
        recent_fen=recent * k, year_ago_fen=year_ago * k, year_ago_base_fen=base * k
    )
    assert one >= 0
    assert abs(many - one * k) <= k  # the same expectation in k-times larger money (rounding)


@relaxed
@given(level=st.integers(min_value=1, max_value=10**10))
def test_a_flat_history_expects_the_same_month_again(level):
    assert (
        rules.seasonal_expectation(
            recent_fen=3 * level, year_ago_fen=level, year_ago_base_fen=3 * level
        )
        == level
    )


@relaxed
@given(recent=fen, year_ago=fen, base=st.integers(min_value=1, max_value=10**12))
def test_the_level_ratio_is_held_within_a_third_and_three_times(recent, year_ago, base):
    expected = rules.seasonal_expectation(
        recent_fen=recent, year_ago_fen=year_ago, year_ago_base_fen=base
    )
    assert Decimal(year_ago) / 3 - 1 <= expected <= Decimal(year_ago) * 3 + 1


def test_a_seasonal_month_is_expected_from_last_year_not_from_the_quiet_months_before():
    # Mooncakes: little in June–August, the whole year in September.
    assert (
        rules.seasonal_expectation(
            recent_fen=3_000_00, year_ago_fen=500_000_00, year_ago_base_fen=3_000_00
        )
        == 500_000_00
    )
    # Last year's quiet month after a busy quarter is quiet again this year.
    assert (
        rules.seasonal_expectation(
            recent_fen=900_000_00, year_ago_fen=0, year_ago_base_fen=900_000_00
        )
        == 0
    )


@relaxed
@given(actual=fen, expected=fen)
def test_no_drop_is_ever_flagged_at_or_above_the_threshold_line(actual, expected):
    drop = rules.sudden_drop(actual_fen=actual, expected_fen=expected, limits=LIMITS)
    if drop is not None:
        assert expected >= LIMITS.drop_min_expected_fen
        assert Decimal(actual) < Decimal(expected) * (1 - LIMITS.drop_share)
        assert drop.shortfall > LIMITS.drop_share - Decimal("0.0001")
    elif expected >= LIMITS.drop_min_expected_fen:
        assert Decimal(actual) >= Decimal(expected) * (1 - LIMITS.drop_share)


def test_a_drop_of_forty_percent_is_flagged_and_twenty_is_not():
    hit = rules.sudden_drop(actual_fen=60_000_00, expected_fen=100_000_00, limits=LIMITS)
    assert hit is not None
    assert hit.shortfall == Decimal("0.4000")
    assert rules.sudden_drop(actual_fen=80_000_00, expected_fen=100_000_00, limits=LIMITS) is None
    small = rules.sudden_drop(actual_fen=0, expected_fen=9_999_00, limits=LIMITS)
    assert small is None  # under the 10,000 an expectation must reach to matter


@relaxed
@given(
    visits=st.integers(min_value=1, max_value=31),
    period=st.sampled_from(["week", "month"]),
    last=days,
    gap=st.integers(min_value=0, max_value=400),
)
def test_unvisited_days_are_reported_only_past_the_interval_and_grace(visits, period, last, gap):
    interval = rules.coverage_interval_days(visits, period)
    as_of = last + dt.timedelta(days=gap)
    found = rules.days_unvisited(
        last_visit=last, known_since=last, as_of=as_of, interval_days=interval, limits=LIMITS
    )
    assert (found is not None) == (Decimal(gap) > interval * LIMITS.visit_grace)
    if found is not None:
        assert found == gap


def test_coverage_interval_of_the_tiers():
    assert rules.coverage_interval_days(4, "month") == Decimal("7.5")
    assert rules.coverage_interval_days(1, "week") == 7
    assert rules.coverage_interval_days(0, "month") is None


@relaxed
@given(balance=fen, due=days, late=st.integers(min_value=-60, max_value=400))
def test_overdue_needs_a_balance_and_the_days(balance, due, late):
    as_of = due + dt.timedelta(days=late)
    found = rules.receivable_overdue(
        balance_fen=balance, oldest_due=due, as_of=as_of, limits=LIMITS
    )
    assert (found is not None) == (balance >= LIMITS.overdue_min_fen and late >= 1)
    if found is not None:
        assert found == late
        assert due <= rules.overdue_cutoff(as_of, LIMITS)


@relaxed
@given(
    exposure=fen,
    limit=st.one_of(st.none(), fen),
    tolerance=st.decimals(min_value=0, max_value=1, places=2),
)
def test_credit_is_breached_only_above_limit_and_tolerance(exposure, limit, tolerance):
    limits = rules.Thresholds(credit_tolerance=tolerance)
    breached = rules.credit_breached(exposure_fen=exposure, limit_fen=limit, limits=limits)
    if limit is None or exposure <= limit:
        assert not breached
    else:
        assert breached == (Decimal(exposure) > limit * (1 + tolerance))


@relaxed
@given(
    first=days,
    span=st.integers(min_value=1, max_value=2000),
    purchases=st.integers(min_value=0, max_value=300),
    quiet=st.integers(min_value=0, max_value=3000),
)
def test_lost_means_several_usual_intervals_without_a_purchase(first, span, purchases, quiet):
    last = first + dt.timedelta(days=span)
    as_of = last + dt.timedelta(days=quiet)
    lapse = rules.customer_lost(
        first=first, last=last, purchase_days=purchases, as_of=as_of, limits=LIMITS
    )
    if purchases < LIMITS.lost_min_purchases or quiet < LIMITS.lost_min_days:
        assert lapse is None
        return
    usual = Decimal(span) / (purchases - 1)
    assert (lapse is not None) == (quiet > usual * LIMITS.lost_multiple)
    if lapse is not None:
        assert lapse.days == quiet


def test_a_monthly_buyer_is_lost_after_three_months_of_silence():
    first, last = dt.date(2025, 1, 5), dt.date(2025, 12, 5)  # 12 purchases, ~30 days apart
    quiet = rules.customer_lost(
        first=first, last=last, purchase_days=12, as_of=dt.date(2026, 2, 20), limits=LIMITS
    )
    assert quiet is None
    lost = rules.customer_lost(
        first=first, last=last, purchase_days=12, as_of=dt.date(2026, 3, 20), limits=LIMITS
    )
    assert lost == rules.Lapse(days=105, usual=Decimal("30.4"))


@relaxed
@given(month=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)),
       n=st.integers(min_value=-200, max_value=200))  # fmt: skip
def test_add_months_round_trips(month, n):
    there = rules.add_months(month, n)
    assert there.day == 1
    assert rules.add_months(there, -n) == month.replace(day=1)


def test_thresholds_take_overrides_and_refuse_unknown_names():
    limits = rules.Thresholds.from_overrides({"drop_share": "0.5", "overdue_days": 30})
    assert (limits.drop_share, limits.overdue_days) == (Decimal("0.5"), 30)
    with pytest.raises(ValueError, match="unknown"):
        rules.Thresholds.from_overrides({"drop_shares": 1})
