"""The tier maths (``commissions.rules``): monotone tiers, caps hold, a payout is never
negative and a clawback never takes back more than was paid."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.commissions import rules

TIERS = [(0, 100), (8000, 200), (10000, 300)]
# The machine running the suite may be busy: generation time says nothing about the maths.
RELAXED = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@st.composite
def ladders(draw):
    count = draw(st.integers(1, 5))
    thresholds = sorted(
        draw(st.sets(st.integers(1, 30_000), min_size=count - 1, max_size=count - 1))
    )
    rates = sorted(draw(st.lists(st.integers(0, 5_000), min_size=count, max_size=count)))
    return list(zip([0, *thresholds], rates, strict=True))


money = st.integers(-(10**12), 10**12)
attainments = st.none() | st.integers(-50_000, 50_000)
caps = st.none() | st.integers(0, 10**10)


def test_the_tier_reached_pays_the_whole_base():
    assert rules.payout(base_fen=100_000_00, attainment=7999, tiers=TIERS).payout_fen == 1_000_00
    assert rules.payout(base_fen=100_000_00, attainment=8000, tiers=TIERS).payout_fen == 2_000_00
    assert rules.payout(base_fen=100_000_00, attainment=12000, tiers=TIERS).payout_fen == 3_000_00
    assert rules.payout(base_fen=100_000_00, attainment=None, tiers=TIERS).rate_bp == 100


def test_rates_round_half_up_to_the_fen():
    assert rules.payout(base_fen=50, attainment=0, tiers=[(0, 100)]).payout_fen == 1  # 0.5 fen
    assert rules.payout(base_fen=49, attainment=0, tiers=[(0, 100)]).payout_fen == 0


@pytest.mark.parametrize(
    "tiers",
    [[], [(100, 1)], [(0, 200), (8000, 100)], [(0, 100), (0, 200)], [(0, -1)], [(0, 10_001)]],
)
def test_ladders_that_are_not_monotone_from_zero_are_refused(tiers):
    with pytest.raises(rules.TierError):
        rules.validate_tiers(tiers)


@RELAXED
@given(ladders(), money, st.integers(-50_000, 50_000), st.integers(-50_000, 50_000), caps)
def test_a_higher_attainment_never_pays_less(tiers, base, one, two, cap):
    low, high = sorted((one, two))
    a = rules.payout(base_fen=base, attainment=low, tiers=tiers, cap_fen=cap).payout_fen
    b = rules.payout(base_fen=base, attainment=high, tiers=tiers, cap_fen=cap).payout_fen
    assert a <= b


@RELAXED
@given(ladders(), money, money, attainments, caps)
def test_a_larger_base_never_pays_less(tiers, one, two, attainment, cap):
    small, large = sorted((one, two))
    a = rules.payout(base_fen=small, attainment=attainment, tiers=tiers, cap_fen=cap)
    b = rules.payout(base_fen=large, attainment=attainment, tiers=tiers, cap_fen=cap)
    assert a.payout_fen <= b.payout_fen


@RELAXED
@given(ladders(), money, attainments, caps)
def test_the_cap_holds_and_a_payout_is_never_negative(tiers, base, attainment, cap):
    paid = rules.payout(base_fen=base, attainment=attainment, tiers=tiers, cap_fen=cap)
    assert paid.payout_fen >= 0
    assert paid.payout_fen <= paid.uncapped_fen
    if cap is not None:
        assert paid.payout_fen <= cap
    assert paid.capped == (paid.payout_fen < paid.uncapped_fen)


@RELAXED
@given(money, st.integers(0, 10**10), st.integers(0, 10**12))
def test_a_clawback_is_negative_and_at_most_what_was_paid(lost, paid, paid_on):
    taken = rules.clawback(lost_fen=lost, paid_fen=paid, paid_on_fen=paid_on)
    assert -paid <= taken <= 0


@RELAXED
@given(ladders(), money)
def test_returns_beyond_sales_take_back_at_the_first_rate(tiers, base):
    taken = rules.return_clawback(base_fen=base, tiers=tiers)
    assert taken <= 0
    assert (taken == 0) if base >= 0 else taken >= base


def test_a_clawback_takes_the_lost_share_of_the_month():
    # ¥3,000 paid on ¥100,000 of sales; a ¥10,000 invoice written off takes back ¥300.
    assert rules.clawback(lost_fen=10_000_00, paid_fen=3_000_00, paid_on_fen=100_000_00) == -300_00


def test_percentages_read_and_print_in_basis_points():
    assert rules.parse_percent("85.5%") == 8550
    assert rules.percent_text(8550) == "85.50"
    with pytest.raises(ValueError, match="1.001"):
        rules.parse_percent("1.001")
