"""The pure maths: accuracy measures, the baseline, the model choice and projected stock."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salescope.forecasting import rules

MONDAY = dt.date(2026, 7, 13)


def test_accuracy_measures():
    actual, forecast = [100, 0, 50], [110, 10, 40]
    assert rules.wape(actual, forecast) == 30 / 150
    assert rules.mape(actual, forecast) == (0.1 + 0.2) / 2  # the empty month has no percentage
    assert rules.bias(actual, forecast) == 10 / 150
    assert rules.wape([0, 0], [1, 1]) is None


def test_seasonal_naive_repeats_last_season():
    history = list(range(24))
    assert rules.seasonal_naive(history, 14) == [float(v) for v in [*range(12, 24), 12, 13]]
    assert rules.seasonal_naive([5, 7], 3) == [7.0, 7.0, 7.0]


def test_the_baseline_stays_unless_beaten():
    assert rules.choose_model({"SeasonalNaive": 0.2, "Theta": 0.2}) == "SeasonalNaive"
    assert rules.choose_model({"SeasonalNaive": 0.2, "Theta": 0.1, "ETS": 0.15}) == "Theta"
    assert rules.choose_model({"SeasonalNaive": None, "ETS": None}) == "SeasonalNaive"


def test_intermittent_demand():
    assert rules.is_intermittent([0, 0, 5, 0, 0, 3, 0, 0])
    assert not rules.is_intermittent([4, 5, 3, 6, 0, 5])


def test_weekly_demand_spreads_months_over_days():
    weeks = rules.week_starts(dt.date(2026, 7, 29), 2)  # Monday 27 July, Monday 3 August
    demand = rules.weekly_demand({dt.date(2026, 7, 1): 310, dt.date(2026, 8, 1): 620}, weeks)
    assert demand[0] == 5 * 10 + 2 * 20  # 27–31 July at 10 a day, 1–2 August at 20
    assert demand[1] == 7 * 20


levels = st.integers(min_value=0, max_value=10_000)
weekly = st.lists(st.integers(min_value=0, max_value=2_000), min_size=1, max_size=26)


@settings(deadline=None)  # the shared CI machine is slow at times; no timing assertions
@given(start=levels, data=st.data())
def test_projection_is_stock_plus_supply_minus_demand(start, data):
    demand = data.draw(weekly)
    incoming = data.draw(
        st.lists(st.integers(0, 2_000), min_size=len(demand), max_size=len(demand))
    )
    projection = rules.project(start=start, incoming=incoming, demand=demand)
    for week in range(len(demand)):
        assert projection[week] == start + sum(incoming[: week + 1]) - sum(demand[: week + 1])
    matrix = rules.project_matrix(
        np.array([start], dtype=float), np.array([incoming], float), np.array([demand], float)
    )
    assert list(matrix[0]) == projection


@settings(deadline=None)  # the shared CI machine is slow at times; no timing assertions
@given(start=levels, data=st.data())
def test_stock_out_is_the_first_short_week_and_the_deepest_gap(start, data):
    demand = data.draw(weekly)
    incoming = [0] * len(demand)
    weeks = rules.week_starts(MONDAY, len(demand))
    projection = rules.project(start=start, incoming=incoming, demand=demand)
    risk = rules.assess(
        start=start, weeks=weeks, projection=projection, demand=demand, overstock_weeks=1e9
    )
    if start >= sum(demand):
        assert risk is None or risk.kind == rules.OVERSTOCK
    else:
        assert risk is not None
        assert risk.kind == rules.STOCK_OUT
        first = next(i for i, level in enumerate(projection) if level < 0)
        assert risk.date == weeks[first]
        assert risk.gap == sum(demand) - start  # without supply the last week is the deepest


@settings(deadline=None)  # the shared CI machine is slow at times; no timing assertions
@given(data=st.data())
def test_more_supply_never_brings_a_stock_out_earlier(data):
    demand = data.draw(weekly)
    start = data.draw(levels)
    extra = data.draw(st.lists(st.integers(0, 500), min_size=len(demand), max_size=len(demand)))
    weeks = rules.week_starts(MONDAY, len(demand))

    def short_from(incoming):
        projection = rules.project(start=start, incoming=incoming, demand=demand)
        risk = rules.assess(
            start=start, weeks=weeks, projection=projection, demand=demand, overstock_weeks=1e9
        )
        return risk.date if risk and risk.kind == rules.STOCK_OUT else dt.date.max

    assert short_from(extra) >= short_from([0] * len(demand))


def test_overstock_when_cover_exceeds_the_limit():
    weeks = rules.week_starts(MONDAY, 4)
    demand = [10, 10, 10, 10]
    projection = rules.project(start=500, incoming=[0] * 4, demand=demand)
    risk = rules.assess(
        start=500, weeks=weeks, projection=projection, demand=demand, overstock_weeks=26
    )
    assert risk is not None
    assert risk.kind == rules.OVERSTOCK
    assert risk.weeks_of_cover == 50
    assert risk.gap == 500 - 26 * 10
    fine = rules.assess(
        start=200,
        weeks=weeks,
        projection=rules.project(start=200, incoming=[0] * 4, demand=demand),
        demand=demand,
        overstock_weeks=26,
    )
    assert fine is None


def test_regions_go_to_the_nearest_warehouse_above_them():
    warehouses = {1: "0001.", 2: "0001.0002.", 3: None}
    served = rules.assign_regions(["0001.0002.0001.", "0001.0003.", "0009.", None], warehouses, 3)
    assert served == {"0001.0002.0001.": 2, "0001.0003.": 1, "0009.": 3, None: 3}


@settings(deadline=None)  # the shared CI machine is slow at times; no timing assertions
@given(data=st.data())
def test_the_vectorised_assessment_agrees_with_the_per_row_one(data):
    rows = data.draw(st.integers(1, 5))
    width = data.draw(st.integers(1, 8))
    weeks = rules.week_starts(MONDAY, width)
    cells = st.lists(st.integers(0, 300), min_size=width, max_size=width)
    starts = np.array(data.draw(st.lists(levels, min_size=rows, max_size=rows)), dtype=float)
    demand = np.array([data.draw(cells) for _ in range(rows)], dtype=float)
    incoming = np.array([data.draw(cells) for _ in range(rows)], dtype=float)
    matrix = rules.assess_matrix(starts, rules.project_matrix(starts, incoming, demand), demand, 4)
    for i in range(rows):
        need = demand[i].tolist()
        projection = rules.project(start=starts[i], incoming=incoming[i].tolist(), demand=need)
        risk = rules.assess(
            start=starts[i], weeks=weeks, projection=projection, demand=need, overstock_weeks=4
        )
        kind = {None: 0, rules.STOCK_OUT: 1, rules.OVERSTOCK: 2}[risk.kind if risk else None]
        assert matrix["kind"][i] == kind
        if risk is not None:
            assert matrix["gap"][i] == pytest.approx(risk.gap)
        if kind == 1:
            assert weeks[matrix["first_short"][i]] == risk.date
