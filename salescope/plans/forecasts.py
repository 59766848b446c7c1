"""Forecast figures, for decomposition by forecast (按预测分解) and for tracking beside targets.

Forecasts are the forecasting app's to compute (statistical models over the ledger's history).
Forecasting sits above plans, so it installs its reader here when it loads
(``ForecastingConfig.ready``) and plans imports no app above it. Without a reader there is no
forecast, and a decomposition by forecast says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol


class ForecastReader(Protocol):
    def __call__(
        self,
        *,
        metric: str,
        date_from: dt.date,
        date_to: dt.date,
        group_by: Sequence[str],
        filters: dict[str, Any] | None = None,
    ) -> dict[tuple, int]: ...


_reader: ForecastReader | None = None


def install_forecast_reader(reader: ForecastReader) -> None:
    global _reader  # one reader per process, installed once at start-up
    _reader = reader


def has_forecasts() -> bool:
    return _reader is not None


def forecast_totals(**query: Any) -> dict[tuple, int]:
    """``{(dimension values…): hundredths}`` of a metric's forecast between two months (first
    days), keyed like ``history.actual_totals`` (dimensions such as ``month``, ``category``,
    ``region``, ``product``); empty when no reader is installed or nothing is forecast."""
    return _reader(**query) if _reader is not None else {}
