"""Model choice on generated series with a known answer: the chosen model beats
seasonal-naive where there is a trend, Croston takes intermittent demand, short histories keep
the baseline."""

import math

from salescope.forecasting import engine, rules


def _series(months: int) -> list[float]:
    return [200 + 3 * i + 50 * math.sin(2 * math.pi * i / 12) for i in range(months)]


def test_on_a_seasonal_series_with_trend_the_chosen_model_beats_seasonal_naive():
    whole = _series(36 + 6)
    result = engine.fit_series(whole[:36], horizon=6)
    assert result.model != rules.BASELINE
    assert result.wape is not None
    assert result.baseline_wape is not None
    assert result.wape < result.baseline_wape
    truth = whole[36:]
    assert rules.wape(truth, result.forecast) < rules.wape(
        truth, rules.seasonal_naive(whole[:36], 6)
    )
    assert rules.wape(truth, result.forecast) < 0.05  # the known answer, within 5 %


def test_intermittent_demand_is_tried_with_croston():
    history = [0, 0, 6, 0, 0, 0, 5, 0, 0, 7, 0, 0] * 3
    result = engine.fit_series(history, horizon=3)
    assert set(result.scores) == {"SeasonalNaive", "CrostonOptimized"}
    assert all(v >= 0 for v in result.forecast)


def test_a_short_history_keeps_the_baseline():
    result = engine.fit_series([10, 12, 11, 13, 12, 14, 13, 15, 14], horizon=3)
    assert result.model == rules.BASELINE
    assert result.forecast == [14.0, 14.0, 14.0]
