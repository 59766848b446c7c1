"""Scoring rules as pure functions (G4): weights sum, caps hold, scores are monotone, ranks
and marks behave; hypothesis searches for counter-examples."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salescope.performance import rules

cents = st.integers(min_value=0, max_value=10**9).map(lambda n: Decimal(n) / 100)
values = cents
targets = st.integers(min_value=1, max_value=10**8).map(lambda n: Decimal(n) / 100)
kinds = st.sampled_from(["linear", "capped", "threshold", "bands"])
points = st.integers(min_value=0, max_value=15000).map(lambda n: Decimal(n) / 100)
bands = st.lists(st.tuples(values, points), min_size=1, max_size=4).map(tuple)
# Generation must not fail a loaded CI machine: the properties, not the speed, are tested.
relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


def a_rule(kind, target, cap, threshold, band, higher):
    return rules.Rule(
        kind=kind, target=target, cap=cap, threshold=threshold, bands=band, higher_is_better=higher
    )


@relaxed
@given(kinds, targets, st.integers(0, 200), values, bands, st.booleans(), values, values)
def test_scores_are_monotone_and_capped(kind, target, cap, threshold, band, higher, a, b):
    rule = a_rule(kind, target, cap, threshold, band, higher)
    low, high = sorted((a, b))
    s_low, s_high = rules.score(low, rule), rules.score(high, rule)
    assert s_low >= 0
    assert s_high >= 0
    if kind != "linear":
        assert s_low <= cap
        assert s_high <= cap
    if higher:
        assert s_low <= s_high
    else:
        assert s_low >= s_high


def test_linear_to_target_and_threshold():
    rule = rules.Rule(kind="capped", target=Decimal(200), cap=120)
    assert rules.score(Decimal(100), rule) == Decimal("50.00")
    assert rules.score(Decimal(1000), rule) == Decimal("120.00")
    assert rules.score(None, rule) == Decimal("0.00")
    gate = rules.Rule(kind="threshold", target=Decimal(100), threshold=Decimal(60), cap=100)
    assert rules.score(Decimal("59.99"), gate) == 0
    assert rules.score(Decimal(60), gate) == Decimal("60.00")
    cheaper = rules.Rule(kind="capped", target=Decimal(50), cap=120, higher_is_better=False)
    assert rules.score(Decimal(100), cheaper) == Decimal("50.00")
    banded = rules.Rule(
        kind="bands",
        bands=((Decimal(0), Decimal(0)), (Decimal(80), Decimal(60)), (Decimal(100), Decimal(100))),
    )
    assert [rules.score(Decimal(v), banded) for v in (79, 80, 99, 150)] == [0, 60, 60, 100]


@relaxed
@given(st.lists(st.integers(0, 100), min_size=0, max_size=8))
def test_weights_must_sum_to_100(weights):
    assert rules.check_weights(weights) == (
        bool(weights) and all(w > 0 for w in weights) and sum(weights) == 100
    )


@relaxed
@given(
    st.lists(
        st.tuples(st.integers(1, 100), points),
        min_size=1,
        max_size=6,
    )
)
def test_weighted_total_stays_within_the_scores(items):
    total = rules.weighted_total(items)
    weight = sum(w for w, _s in items)
    assert total * 100 <= max(s for _w, s in items) * weight + 50
    assert total >= 0


@relaxed
@given(
    st.dictionaries(
        st.integers(1, 50),
        points,
        min_size=1,
        max_size=12,
    ),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_ranks_follow_totals_and_marks_never_overlap(totals, top, bottom):
    ranks = rules.rank(totals)
    for a in totals:
        for b in totals:
            if totals[a] > totals[b]:
                assert ranks[a] < ranks[b]
            if totals[a] == totals[b]:
                assert ranks[a] == ranks[b]
    rewarded, weak = rules.marks(ranks, reward_top=top, improve_bottom=bottom)
    assert not rewarded & weak
    assert len(weak) <= bottom
    if len(totals) < 2:
        assert not rewarded
        assert not weak
