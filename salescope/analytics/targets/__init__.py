"""Target vs actual (目标与实绩) for any cell, level and period (B1).

For a group-by (e.g. salesperson × month) the report takes the partition of the plan's target
tree that fixes those coordinates — the cells that fix them whose parent does not (``dims`` /
``parent_dims``), plus the leaves that never fix them — so the targets add up to the plan
total exactly, whatever the depth of the decomposition. Targets are always taken per month
(a cell coarser than a month is split over its months by the plan's pace basis), so pace
follows a seasonal decomposition. Actuals come from the ledger rollups (``analytics.actuals``).
Definitions of variance, attainment, pace and projection: ``plans.rules``.

Percentages (``METRICS[metric].additive`` is False: market share, brand awareness) are levels:
the cells and figures folding into a row give their mean (half-up), not their sum; a year's or
quarter's cell carries its level into each of its months instead of being split over them; the
total row is the mean of every cell and figure of the report; pace and projection follow
``rules.track_level``.

Modules, in the order a report is built: ``dimensions`` (what rows can be grouped by),
``cells`` (the target cells read), ``basis`` (pace over a month), ``actual_cells`` (actuals
keyed like the cells), ``rows`` and ``labels`` (folding cells into named rows), ``levels``
(percentages), ``variance`` (the entry point), ``report`` (what it returns).
"""

from salescope.analytics.targets.basis import NO_CALENDAR, Calendar
from salescope.analytics.targets.cells import _levels
from salescope.analytics.targets.dimensions import DIMENSION_LABELS, DIMENSIONS, parse_group_by
from salescope.analytics.targets.report import VarianceReport, VarianceRow, attainment_percent
from salescope.analytics.targets.variance import target_variance

__all__ = [
    "DIMENSIONS",
    "DIMENSION_LABELS",
    "NO_CALENDAR",
    "Calendar",
    "VarianceReport",
    "VarianceRow",
    "_levels",
    "attainment_percent",
    "parse_group_by",
    "target_variance",
]
