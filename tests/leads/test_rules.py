"""Scoring and distribution are pure: property tests over any model, rule set and workload."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from salescope.leads import rules
from salescope.leads.rules import CriterionSpec, Load, OptionSpec, RuleSpec


def _criterion(index, weight, points):
    options = tuple(OptionSpec(index * 100 + i, f"o{i}", p) for i, p in enumerate(points))
    return CriterionSpec(index, f"c{index}", weight, "options", options)


criteria_st = st.lists(
    st.tuples(
        st.integers(1, 20),
        st.lists(st.integers(0, 10), min_size=1, max_size=5).filter(lambda ps: max(ps) > 0),
    ),
    min_size=1,
    max_size=6,
).map(lambda specs: [_criterion(i + 1, w, ps) for i, (w, ps) in enumerate(specs)])


@st.composite
def model_and_answers(draw):
    criteria = draw(criteria_st)
    answers = {}
    for c in criteria:
        option = draw(st.sampled_from([None, *c.options]))
        if option is not None:
            answers[str(c.id)] = option.id
    return criteria, answers


@given(model_and_answers(), st.data())
def test_a_better_answer_on_one_criterion_never_lowers_the_score(case, data):
    criteria, answers = case
    criterion = data.draw(st.sampled_from(criteria))
    current = answers.get(str(criterion.id))
    current_points = next((o.points for o in criterion.options if o.id == current), -1)
    better = [o for o in criterion.options if o.points >= current_points]
    improved = {**answers, str(criterion.id): data.draw(st.sampled_from(better)).id}

    before = rules.score_lead(criteria, answers, Decimal(60))
    after = rules.score_lead(criteria, improved, Decimal(60))

    assert after.total >= before.total
    assert after.qualified or not before.qualified


@given(model_and_answers())
def test_the_score_is_within_0_and_100_and_the_contributions_add_up(case):
    criteria, answers = case
    score = rules.score_lead(criteria, answers, Decimal(50))
    assert Decimal(0) <= score.total <= Decimal(100)
    # Each contribution is rounded to 0.1 on its own: the sum is within half a step per part.
    assert abs(sum(c.points for c in score.contributions) - score.total) <= Decimal("0.05") * len(
        criteria
    ) + Decimal("0.05")


def test_a_worked_example_shows_each_criterions_contribution():
    urgency = CriterionSpec(
        1, "需求紧迫度", 3, "options", (OptionSpec(11, "急", 10), OptionSpec(12, "不急", 2))
    )
    budget = CriterionSpec(
        2, "采购预算", 2, "scale", scale_min=Decimal(0), scale_max=Decimal(1_000_000)
    )
    score = rules.score_lead([urgency, budget], {"1": 12, "2": "500000"}, Decimal(40))
    # 需求紧迫度: 100 × 3 × 0.2 / 5 = 12.0; 采购预算: 100 × 2 × 0.5 / 5 = 20.0
    assert [c.points for c in score.contributions] == [Decimal("12.0"), Decimal("20.0")]
    assert [c.answer for c in score.contributions] == ["不急", "500000"]
    assert score.total == Decimal("32.0")
    assert not score.qualified
    assert rules.score_lead([urgency, budget], {"1": 11, "2": "2000000"}, Decimal(40)).total == 100


def test_an_answer_outside_the_options_is_refused():
    urgency = CriterionSpec(1, "需求紧迫度", 1, "options", (OptionSpec(11, "急", 10),))
    with pytest.raises(ValueError, match="unknown option"):
        rules.score_lead([urgency], {"1": 99}, Decimal(50))


@given(
    st.integers(1, 10),
    st.decimals(min_value=-100, max_value=200, places=1),
    st.decimals(min_value=-100, max_value=200, places=1),
)
def test_a_scale_answer_is_monotone(weight, a, b):
    budget = CriterionSpec(
        1, "采购预算", weight, "scale", scale_min=Decimal(0), scale_max=Decimal(100)
    )
    low, high = sorted([a, b])
    assert (
        rules.score_lead([budget], {"1": str(low)}, Decimal(0)).total
        <= rules.score_lead([budget], {"1": str(high)}, Decimal(0)).total
    )


PROVINCES = ["上海", "江苏", "浙江", "广东"]
people_st = st.lists(st.integers(1, 12), min_size=0, max_size=5, unique=True)
rule_st = st.builds(
    lambda i, prio, members, provs, line, strategy: RuleSpec(
        id=i,
        name=f"r{i}",
        priority=prio,
        members=tuple(members),
        provinces=frozenset(provs),
        product_line_id=line,
        strategy=strategy,
    ),
    st.integers(1, 1000),
    st.integers(0, 5),
    people_st,
    st.sets(st.sampled_from(PROVINCES), max_size=2),
    st.sampled_from([None, 1, 2]),
    st.sampled_from(["workload", "round_robin"]),
)
rules_st = st.lists(rule_st, max_size=6, unique_by=lambda r: r.id)
lead_st = st.builds(
    rules.LeadFacts,
    province=st.sampled_from(["", *PROVINCES, "上海市"]),
    product_line_id=st.sampled_from([None, 1, 2]),
)
loads_st = st.dictionaries(
    st.integers(1, 12),
    st.builds(
        Load,
        open_items=st.integers(0, 30),
        last_assigned=st.none()
        | st.datetimes(
            min_value=dt.datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
            max_value=dt.datetime(2026, 12, 31),  # noqa: DTZ001
        ).map(lambda d: d.replace(tzinfo=dt.UTC)),
    ),
)


@given(lead_st, rules_st, st.sets(st.integers(1, 12)), loads_st)
def test_a_rule_set_always_yields_an_owner_or_says_why_none(lead, rule_set, available, loads):
    decision = rules.distribute(lead, rule_set, available, loads)
    if decision.owner_id is None:
        assert decision.reason
        assert decision.rule_id is None
        # …and truly nobody: no matching rule has an available member.
        assert not any(rules.matches(r, lead) and set(r.members) & available for r in rule_set)
    else:
        rule = next(r for r in rule_set if r.id == decision.rule_id)
        assert decision.owner_id in rule.members
        assert decision.owner_id in available
        assert rules.matches(rule, lead)
        assert rule.name in decision.reason
        # The first matching rule (by priority) that has someone available chose.
        first = min(
            (r for r in rule_set if rules.matches(r, lead) and set(r.members) & available),
            key=lambda r: (r.priority, r.id),
        )
        assert first.id == rule.id


@given(lead_st, rule_st, st.sets(st.integers(1, 12), min_size=1), loads_st)
def test_workload_gives_the_lead_to_someone_with_the_fewest_open_items(
    lead, rule, available, loads
):
    rule = RuleSpec(rule.id, rule.name, 0, rule.members, strategy="workload")
    decision = rules.distribute(lead, [rule], available, loads)
    candidates = set(rule.members) & available
    if candidates:
        least = min(loads.get(p, Load()).open_items for p in candidates)
        assert loads.get(decision.owner_id, Load()).open_items == least


@translation.override("en")
def test_no_rules_and_no_match_are_stated():
    lead = rules.LeadFacts(province="广东")
    assert rules.distribute(lead, [], [1], {}).reason == "No distribution rules are set."
    east = RuleSpec(1, "华东", 1, (1,), provinces=frozenset({"上海"}))
    assert (
        rules.distribute(lead, [east], [1], {}).reason == "No distribution rule matches this lead."
    )
    nobody = RuleSpec(2, "华南", 1, (5,), provinces=frozenset({"广东"}))
    decision = rules.distribute(lead, [east, nobody], [1], {})
    assert decision.owner_id is None
    assert "华南" in decision.reason


def test_the_pool_clock():
    now = dt.datetime(2026, 6, 15, tzinfo=dt.UTC)
    assert rules.is_stale(last_worked=None, assigned=now - dt.timedelta(days=14), now=now, days=14)
    assert not rules.is_stale(
        last_worked=now - dt.timedelta(days=3),
        assigned=now - dt.timedelta(days=30),
        now=now,
        days=14,
    )
    assert rules.is_overdue(due=now - dt.timedelta(hours=1), contacted=None, now=now)
    assert not rules.is_overdue(due=now - dt.timedelta(hours=1), contacted=now, now=now)


def test_report_ratios():
    row = rules.ReportRow("c", "c", 40, 10, 4, 500_00, 2_000_00, 2, 1_000_00)
    assert row.cost_per_lead_fen == 2_500
    assert row.cost_per_won_fen == 50_000
    assert row.return_on_cost == Decimal("2.00")
    assert row.qualified_rate == Decimal("25.0")
    empty = rules.ReportRow("x", "x", 0, 0, 0, 0, 0, 0, 0)
    assert empty.cost_per_lead_fen is None
    assert empty.return_on_cost is None
