"""Last year's actuals, for decomposition by last year's share (按去年占比分解).

The actuals are analytics' to compute (rollups of the sales lines, collections, manual
actuals). Analytics sits above plans, so it installs its reader here when it loads
(``AnalyticsConfig.ready``) and plans imports no app above it. Without analytics there is no
history, and a decomposition by last year's share says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol


class ActualsReader(Protocol):
    def __call__(
        self,
        *,
        viewer: Any,
        metric: str,
        date_from: dt.date,
        date_to: dt.date,
        group_by: Sequence[str],
        filters: dict[str, Any] | None = None,
    ) -> dict[tuple, int]: ...


_reader: ActualsReader | None = None


def install_actuals_reader(reader: ActualsReader) -> None:
    global _reader  # one reader per process, installed once at start-up
    _reader = reader


def actual_totals(**query: Any) -> dict[tuple, int]:
    """``{(dimension values…): hundredths}`` of a metric between two months, as the viewer may
    see them (``analytics.actuals.actual_totals``); empty when no reader is installed."""
    return _reader(**query) if _reader is not None else {}
