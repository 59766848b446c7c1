"""The pure maths: distance, periods, coverage gaps, spreading visits, completion, facts."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from salescope.activities import rules

lat = st.floats(min_value=-89.9, max_value=89.9, allow_nan=False)
lon = st.floats(min_value=-179.9, max_value=179.9, allow_nan=False)


def test_distance_of_known_places():
    # 人民广场 to 外滩 (Shanghai), about 1.5 km apart
    assert 1300 < rules.distance_m(31.2304, 121.4737, 31.2400, 121.4900) < 2000
    assert rules.distance_m(31.2304, 121.4737, 31.2304, 121.4737) == 0


@given(lat, lon, lat, lon)
def test_distance_is_symmetric_and_bounded(a, b, c, d):
    there = rules.distance_m(a, b, c, d)
    assert there == rules.distance_m(c, d, a, b)
    assert 0 <= there <= 20_016_000  # half the earth's circumference


def test_invalid_positions():
    assert not rules.valid_position(None, 121.0)
    assert not rules.valid_position(91.0, 121.0)
    assert not rules.valid_position(float("nan"), 121.0)
    assert rules.valid_position(31.2, 121.4)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_periods_hold_the_day(day):
    monday, sunday = rules.week_of(day)
    assert monday.weekday() == 0
    assert (sunday - monday).days == 6
    assert monday <= day <= sunday
    first, last = rules.month_of(day)
    assert first.day == 1
    assert first <= day <= last
    assert (last + dt.timedelta(days=1)).day == 1


def test_coverage_gaps_most_missing_first():
    gaps = rules.coverage_gaps(
        [(1, "A"), (2, "A"), (3, "B"), (4, "C")], {"A": 2, "B": 1}, {1: 1, 3: 1}
    )
    assert [(g.customer_id, g.required, g.planned, g.missing) for g in gaps] == [
        (2, 2, 0, 2),
        (1, 2, 1, 1),
    ]


@given(
    st.lists(st.dates(), min_size=1, max_size=31, unique=True).map(sorted),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=10_000),
)
def test_spread_gives_count_days_from_the_window(window, count, seed):
    chosen = rules.spread(window, count, seed)
    assert len(chosen) == count
    assert set(chosen) <= set(window)
    assert chosen == sorted(chosen)
    if count <= len(window):
        assert len(set(chosen)) == count  # no day twice while there are days to spare


@given(st.lists(st.tuples(st.sampled_from("xyz"), st.booleans())))
def test_completion_rates_count_every_answer(answers):
    rates = rules.completion_rates(answers)
    assert sum(t for _d, t in rates.values()) == len(answers)
    assert sum(d for d, _t in rates.values()) == sum(1 for _k, done in answers if done)


def test_report_facts_from_visits():
    visits = [
        rules.VisitFact("甲", "done", "order_taken", 30, 1500, far=False),
        rules.VisitFact("乙", "done", "follow_up", 45, 0, far=True),
        rules.VisitFact("丙", "planned", "", None, 0, far=False),
        rules.VisitFact("丁", "cancelled", "", None, 0, far=False),
    ]
    facts = rules.report_facts(
        visits,
        orders_fen=120000,
        order_count=1,
        collections_fen=50000,
        new_customers=["新店"],
        checklist_done=4,
        checklist_total=6,
    )
    assert facts == {
        "visits_planned": 3,
        "visits_made": 2,
        "visits_far": 1,
        "field_minutes": 75,
        "cost_fen": 1500,
        "outcomes": {"follow_up": 1, "order_taken": 1},
        "customers": ["甲", "乙"],
        "orders_fen": 120000,
        "order_count": 1,
        "collections_fen": 50000,
        "new_customers": ["新店"],
        "checklist_done": 4,
        "checklist_total": 6,
    }
