"""What a target-vs-actual report returns: its rows and total as plain values the pages, the
API and the exports render alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from salescope.analytics.targets.dimensions import DIMENSION_LABELS
from salescope.plans import rules
from salescope.plans.choices import METRICS, PaceBasis
from salescope.plans.models import Plan, from_hundredths


@dataclass(slots=True)
class VarianceRow:
    keys: dict[str, Any]  # dimension → id / month
    labels: dict[str, str]  # dimension → name
    target: int
    actual: int
    tracking: rules.Tracking

    def as_dict(self) -> dict[str, Any]:
        t = self.tracking
        return {
            **self.labels,
            "target": str(from_hundredths(self.target)),
            "actual": str(from_hundredths(self.actual)),
            "variance": str(from_hundredths(t.variance)),
            "attainment": None if t.attainment is None else str(t.attainment),
            "pace": str(from_hundredths(t.pace)),
            "pace_gap": str(from_hundredths(t.pace_gap)),
            "projection": None if t.projection is None else str(from_hundredths(t.projection)),
        }


@dataclass
class VarianceReport:
    plan: Plan
    metric: str
    group_by: list[str]
    as_of: dt.date
    basis: str
    rows: list[VarianceRow]
    total: VarianceRow | None
    has_actuals: bool

    @property
    def basis_label(self) -> str:
        return str(PaceBasis(self.basis).label) if self.basis in PaceBasis.values else self.basis

    @property
    def is_level(self) -> bool:
        """A percentage (market share…): the figures are levels, shown with a % sign."""
        info = METRICS.get(self.metric)
        return info is not None and not info.additive

    @property
    def dim_labels(self) -> dict[str, str]:
        return {d: str(DIMENSION_LABELS[d]) for d in self.group_by}

    def dicts(self) -> list[dict[str, Any]]:
        return [row.as_dict() for row in self.rows]


def attainment_percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"
