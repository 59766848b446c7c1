"""Fitting the statistical models (Nixtla statsforecast) and choosing one per series by a
rolling-origin backtest. No ORM: series in, forecasts and scores out.

Each series is backtested at ``windows`` origins (the last ``windows × step`` months held back
in turn): every candidate forecasts ``step`` months from each origin using only the months
before it (fitted once at the first origin, carried forward to the next), and is scored by
WAPE over all held-back months. The chosen model (seasonal-naive
unless one strictly beats it) is then carried forward over the whole history, with the
parameters fitted at the first origin, for the horizon (Croston, which has no ``forward``, is
refitted: it is cheap).

statsforecast 2.x runs its models in compiled C++ (no numba JIT); importing it costs a few
seconds (statsmodels), paid only by the processes that fit.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from salescope.forecasting import rules

SEASON = rules.SEASON


def _statsforecast_models() -> dict[str, Callable[[], Any]]:
    from statsforecast.models import AutoETS, CrostonOptimized, Theta

    # ETS restricted to additive error and season without trend (A,N,A): the full AutoETS
    # search fits up to 30 variants (~100 ms a series here); Theta carries the trend.
    return {
        "ETS": lambda: AutoETS(season_length=SEASON, model="ANA"),
        "Theta": lambda: Theta(season_length=SEASON),
        "CrostonOptimized": lambda: CrostonOptimized(),
    }


@dataclass
class SeriesResult:
    model: str
    forecast: list[float]
    wape: float | None
    mape: float | None
    bias: float | None
    baseline_wape: float | None
    scores: dict[str, float | None] = field(default_factory=dict)


def candidates(history: Sequence[float]) -> list[str]:
    """Models worth trying on this history: Croston for intermittent demand, smoothing and
    Theta otherwise (a seasonal model needs two seasons to estimate its pattern)."""
    if rules.is_intermittent(history):
        return ["CrostonOptimized"]
    return ["ETS", "Theta"] if len(history) >= 2 * SEASON else ["Theta"]


def _quiet(call: Callable[[], Any], h: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return np.asarray(call()["mean"], dtype=float)
        except Exception:  # a model that cannot fit this history is not a candidate
            return np.full(h, np.nan)


def _fit(name: str, y: np.ndarray) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _statsforecast_models()[name]().fit(y=y.astype(float))
        except Exception:
            return None


def _predict(name: str, y: np.ndarray, h: int) -> np.ndarray:
    if name == rules.BASELINE:
        return np.asarray(rules.seasonal_naive(list(y), h))
    fitted = _fit(name, y)
    return np.full(h, np.nan) if fitted is None else _quiet(lambda: fitted.predict(h=h), h)


def _backtest(
    name: str, y: np.ndarray, origins: list[int], step: int, fits: dict[str, Any]
) -> list[float]:
    """Forecasts from each origin: the model is fitted once, on the months before the first
    origin, and carried forward over the later origins' histories without refitting
    (statsforecast's ``forward``, like ``cross_validation(refit=False)``)."""
    if name == rules.BASELINE:
        return [v for o in origins for v in rules.seasonal_naive(list(y[:o]), step)]
    fitted = _fit(name, y[: origins[0]])
    if fitted is None:
        return [math.nan] * (step * len(origins))
    fits[name] = fitted
    out = list(_quiet(lambda: fitted.predict(h=step), step))
    for origin in origins[1:]:
        history = y[:origin].astype(float)
        if hasattr(fitted, "forward"):
            out.extend(_quiet(functools.partial(fitted.forward, y=history, h=step), step))
        else:  # Croston has no forward: refitted, it is cheap
            out.extend(_predict(name, history, step))
    return out


def fit_series(
    history: Sequence[float], *, horizon: int, windows: int = 2, step: int = 3
) -> SeriesResult:
    """Backtest, choose and forecast one monthly series (oldest first). Forecasts are never
    negative (sales are not)."""
    y = np.asarray(history, dtype=float)
    names = [rules.BASELINE]
    held = windows * step
    if len(y) - held >= SEASON and y.any():
        names += candidates(list(y[:-held]))
    actual: list[float] = []
    predicted: dict[str, list[float]] = {name: [] for name in names}
    fits: dict[str, Any] = {}
    if len(y) - held >= 3:
        origins = [len(y) - w * step for w in range(windows, 0, -1)]
        for origin in origins:
            actual.extend(y[origin : origin + step])
        for name in names:
            predicted[name] = [max(v, 0.0) for v in _backtest(name, y, origins, step, fits)]
    scores = {
        name: (
            None if not actual or any(math.isnan(v) for v in values) else rules.wape(actual, values)
        )
        for name, values in predicted.items()
    }
    chosen = rules.choose_model(scores)
    fitted = fits.get(chosen)
    if fitted is not None and hasattr(fitted, "forward"):
        # carried forward over the whole history with the backtest's parameters (no refit:
        # the largest share of the time for 10,000 series is fitting)
        raw = _quiet(functools.partial(fitted.forward, y=y.astype(float), h=horizon), horizon)
    else:
        raw = _predict(chosen, y, horizon)
    forecast = np.clip(raw, 0, None)
    if np.isnan(forecast).any():
        chosen = rules.BASELINE
        forecast = np.array(rules.seasonal_naive(list(y), horizon), dtype=float)
    values = predicted.get(chosen, [])
    return SeriesResult(
        model=chosen,
        forecast=[float(v) for v in forecast],
        wape=scores.get(chosen),
        mape=rules.mape(actual, values) if actual and values else None,
        bias=rules.bias(actual, values) if actual and values else None,
        baseline_wape=scores.get(rules.BASELINE),
        scores=scores,
    )


def _fit_one(args: tuple[Sequence[float], int]) -> SeriesResult:
    return fit_series(args[0], horizon=args[1])


def fit_many(
    histories: Sequence[Sequence[float]], *, horizon: int, workers: int = 1
) -> list[SeriesResult]:
    """``fit_series`` over many series, in ``workers`` processes when more than one (each
    pays statsforecast's import once)."""
    jobs = [(h, horizon) for h in histories]
    if workers <= 1 or len(jobs) < 2 * workers:
        return [_fit_one(job) for job in jobs]
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(_fit_one, jobs, chunksize=max(1, len(jobs) // (workers * 8)))
