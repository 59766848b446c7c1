"""Early warnings (B2): find what is going wrong while there is time to act, route it to the
person and their manager, and keep it until it is resolved.

This module holds the reads (a person's inbox, one warning) and the words of a warning's
cause; raising, refreshing and resolving are writes, in :mod:`salescope.analytics.services`.

Checked by ``services.evaluate_alerts`` (the page button, ``salescope evaluate_alerts``, or a
nightly job): people behind pace by more than the plan's threshold, projections short of
target, plans not submitted by their deadline, targets not acknowledged three days after
approval, and overdue action steps. A warning whose condition has cleared is resolved by the
system; a person may resolve one with a note.

Evaluation reads as the system (``core.ownership.SYSTEM``), never as a person: target vs actual
is measured over everything the plan holds, so a plan owner who leaves, is deactivated or moves
to a post that sees less does not make every warning look cleared (issue 20, item 1).

For a percentage (market share, brand awareness: a level, ``rules.track_level``) the pace is the
target itself, so "behind pace" means the level is below the target by more than the threshold
(a share of the target: 10 % of an 18 % target is 1.8 points), and "projection short" means the
latest month's level is below the target. A person with no figure entered yet is not warned:
the level is unknown, not zero.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from salescope.analytics.choices import AlertKind, AlertStatus
from salescope.analytics.models import Alert
from salescope.core.money import grouped
from salescope.org.models import User
from salescope.org.visibility import get_visible, visible

# --- reads ---------------------------------------------------------------------------------


def inbox(*, viewer: User, status: str = AlertStatus.OPEN, routed_only: bool = True) -> QuerySet:
    """Warnings delivered to the viewer (as owner or manager), or all they may see."""
    qs = visible(
        Alert.objects.select_related("owner", "manager", "plan", "resolved_by"), viewer=viewer
    )
    if routed_only:
        qs = qs.filter(Q(owner=viewer) | Q(manager=viewer))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-raised_at", "-id")


def get_alert(*, viewer: User, pk: Any, action: str = "view") -> Alert:
    return get_visible(
        Alert.objects.select_related("owner", "plan"), viewer=viewer, pk=pk, action=action
    )


def _shown(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts as a reader sees them: amounts with thousands separators (1,831,781.86)."""
    shown = dict(facts)
    for name in ("target", "actual", "pace", "projection"):
        value = facts.get(name)
        if value is not None:
            try:
                shown[name] = grouped(value)
            except ArithmeticError:
                continue
    return shown


def _level_cause(kind: str, f: dict[str, Any]) -> str:
    if kind == AlertKind.BEHIND_PACE:
        return _(
            "The level %(actual)s%% is below the target of %(target)s%% by more than "
            "%(threshold)s%% of it on %(as_of)s."
        ) % {k: f.get(k) for k in ("actual", "target", "threshold", "as_of")}
    return _("The latest level %(projection)s%% is below the target of %(target)s%%.") % {
        k: f.get(k) for k in ("projection", "target")
    }


def cause(alert: Alert) -> str:
    """The warning's cause in words (translated at display time)."""
    f = _shown(alert.facts or {})
    if f.get("level") and f.get("unit"):  # a region's own level
        return _("%(unit)s: %(cause)s") % {"unit": f["unit"], "cause": _level_cause(alert.kind, f)}
    if f.get("level"):
        return _level_cause(alert.kind, f)
    if alert.kind == AlertKind.BEHIND_PACE:
        return _(
            "Actual %(actual)s is behind the pace %(pace)s (target %(target)s, attainment "
            "%(attainment)s%%) by more than %(threshold)s%% on %(as_of)s."
        ) % {k: f.get(k) for k in ("actual", "pace", "target", "attainment", "threshold", "as_of")}
    if alert.kind == AlertKind.PROJECTION_SHORT:
        return _(
            "At the current run rate the period ends at %(projection)s "
            "against a target of %(target)s."
        ) % {k: f.get(k) for k in ("projection", "target")}
    if alert.kind == AlertKind.OVER_BUDGET:
        return _(
            "%(unit)s: spending %(actual)s is ahead of the budget's pace %(pace)s (budget "
            "%(target)s; at the current rate the period ends at %(projection)s)."
        ) % {k: f.get(k) for k in ("unit", "actual", "pace", "target", "projection")}
    if alert.kind == AlertKind.STUCK_DEAL:
        return _(
            "“%(opportunity)s” has been in stage %(stage)s for %(days)s days (limit %(limit)s)."
        ) % {k: f.get(k) for k in ("opportunity", "stage", "days", "limit")}
    if alert.kind == AlertKind.PLAN_NOT_SUBMITTED:
        return _("“%(plan)s” was due for submission on %(deadline)s and is still a draft.") % {
            k: f.get(k) for k in ("plan", "deadline")
        }
    if alert.kind == AlertKind.UNACKNOWLEDGED:
        return _("The targets of “%(plan)s” have not been acknowledged since %(requested)s.") % {
            k: f.get(k) for k in ("plan", "requested")
        }
    if alert.kind == AlertKind.STEP_OVERDUE:
        return _("Action step “%(what)s” was due on %(due)s and is not done.") % {
            k: f.get(k) for k in ("what", "due")
        }
    return ""
