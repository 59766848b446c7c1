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

import datetime as dt
from typing import Any, Protocol

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.analytics.choices import AlertKind, AlertStatus
from salescope.analytics.models import Alert
from salescope.core.money import grouped
from salescope.org.models import User
from salescope.org.visibility import get_visible, visible

# Amounts in the facts of the warnings about customers and people (yuan, as text).
MONEY_FACTS = ("actual", "expected", "balance", "exposure", "limit", "amount")
CUSTOMER_KINDS = frozenset(
    {
        AlertKind.SUDDEN_DROP,
        AlertKind.NO_VISITS,
        AlertKind.OVERDUE_RECEIVABLE,
        AlertKind.CREDIT_BREACHED,
        AlertKind.CUSTOMER_LOST,
        AlertKind.CROSS_TERRITORY,
        AlertKind.STOCK_OUT,
    }
)


class Worded(Protocol):
    """What a warning's words need: an :class:`Alert`, or one just raised and not read back
    (``services.NewAlert``)."""

    @property
    def kind(self) -> str: ...

    @property
    def facts(self) -> Any: ...

    @property
    def checked_at(self) -> dt.datetime | None: ...


# --- reads ---------------------------------------------------------------------------------


def inbox(
    *, viewer: User, status: str = AlertStatus.OPEN, routed_only: bool = True, kind: str = ""
) -> QuerySet:
    """Warnings delivered to the viewer (as owner or manager), or all they may see; of one
    ``kind`` when given."""
    qs = visible(
        Alert.objects.select_related("owner", "manager", "plan", "resolved_by"), viewer=viewer
    )
    if routed_only:
        qs = qs.filter(Q(owner=viewer) | Q(manager=viewer))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-raised_at", "-id")


def get_alert(*, viewer: User, pk: Any, action: str = "view") -> Alert:
    return get_visible(
        Alert.objects.select_related("owner", "plan"), viewer=viewer, pk=pk, action=action
    )


def _shown(facts: dict[str, Any], kind: str = "") -> dict[str, Any]:
    """The facts as a reader sees them: amounts with thousands separators (1,831,781.86)."""
    shown = dict(facts)
    names = MONEY_FACTS if kind in CUSTOMER_KINDS else ("actual", "target", "pace", "projection")
    for name in names:
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


def cause(alert: Worded) -> str:
    """The warning's cause in words (translated at display time)."""
    f = _shown(alert.facts or {}, alert.kind)
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
    if alert.checked_at is not None:
        f["_checked"] = timezone.localdate(alert.checked_at)
    return _customer_cause(alert.kind, f) or ""


def _since(iso: Any, checked: dt.date) -> int | None:
    try:
        return (checked - dt.date.fromisoformat(str(iso))).days
    except ValueError:
        return None


def _customer_cause(kind: str, f: dict[str, Any]) -> str | None:  # noqa: PLR0911 - one per kind
    """The words of the warnings about customers, people's months and products (B2)."""
    checked = f.get("_checked") or timezone.localdate()
    who = f.get("customer") or f.get("person") or f.get("product") or ""
    if kind == AlertKind.SUDDEN_DROP:
        return _(
            "%(who)s: %(month)s brought %(actual)s against the %(expected)s expected from its own "
            "history and season, %(shortfall)s%% short (threshold %(threshold)s%%)."
        ) % {"who": who, **{k: f.get(k) for k in ("month", "actual", "expected", "shortfall",
                                                   "threshold")}}  # fmt: skip
    if kind == AlertKind.NO_VISITS:
        values = {"who": who, "tier": f.get("tier"), "interval": f.get("interval")}
        if not f.get("last"):
            return (
                _(
                    "%(who)s (tier %(tier)s, a visit every %(interval)s days) has never been "
                    "visited."
                )
                % values
            )
        return _(
            "%(who)s (tier %(tier)s, a visit every %(interval)s days) was last visited on "
            "%(last)s, %(days)s days ago."
        ) % {**values, "last": f.get("last"), "days": _since(f.get("last"), checked)}
    if kind == AlertKind.OVERDUE_RECEIVABLE:
        return _(
            "%(who)s owes %(balance)s overdue on %(count)s invoices; the oldest was due on "
            "%(due)s, %(days)s days ago."
        ) % {"who": who, "balance": f.get("balance"), "count": f.get("count"),
             "due": f.get("oldest_due"), "days": _since(f.get("oldest_due"), checked)}  # fmt: skip
    if kind == AlertKind.CREDIT_BREACHED:
        return _(
            "%(who)s: open invoices and confirmed orders of %(exposure)s exceed the credit "
            "limit of %(limit)s."
        ) % {"who": who, "exposure": f.get("exposure"), "limit": f.get("limit")}
    if kind == AlertKind.CUSTOMER_LOST:
        return _(
            "%(who)s has bought nothing since %(last)s (%(days)s days), while it usually buys "
            "every %(usual)s days."
        ) % {"who": who, "last": f.get("last"), "days": _since(f.get("last"), checked),
             "usual": f.get("usual")}  # fmt: skip
    if kind == AlertKind.CROSS_TERRITORY:
        return _(
            "%(who)s: %(lines)s sell-through lines of %(amount)s in %(month)s were reported "
            "outside its sales area (e.g. %(place)s)."
        ) % {"who": who, **{k: f.get(k) for k in ("lines", "amount", "month", "place")}}
    if kind == AlertKind.STOCK_OUT:
        return _("%(who)s is projected to run out of stock on %(date)s (short by %(gap)s).") % {
            "who": who,
            "date": f.get("stock_out"),
            "gap": f.get("gap"),
        }
    return None


def clearance(alert: Alert) -> str:
    """What changed when the system cleared a warning, in words (the active language)."""
    facts = alert.facts or {}
    c = dict(facts.get("cleared") or {})
    for name in MONEY_FACTS:
        if c.get(name) is not None:
            c[name] = grouped(c[name])
    why = c.get("why")
    words = {
        "customer_gone": _("The customer was archived, merged or deleted."),
        "now_lost": _("The customer now counts as lost (see that warning)."),
        "no_rule": _("Tier %(tier)s no longer has a coverage rule."),
        "no_limit": _("The customer no longer has a credit limit."),
        "stocked": _("No stock-out is projected within the horizon any more."),
        "recovered": _("%(month)s brought %(actual)s against %(expected)s expected."),
        "bought": _("The customer bought again on %(last)s."),
        "visited": _("Visited on %(last)s."),
        "within": _("Back within the rule."),
        "paid": _("Nothing is overdue beyond the threshold now (overdue: %(balance)s)."),
        "unflagged": _("The lines of %(month)s are no longer flagged as cross-territory."),
    }
    if why == "within" and alert.kind == AlertKind.CREDIT_BREACHED:
        return _("Exposure %(exposure)s is within the credit limit of %(limit)s now.") % c
    if why in words:
        text = words[why]
        try:
            return text % c if "%(" in text else text
        except KeyError:
            return text
    return alert.resolution or ""


def resolution_text(alert: Alert) -> str:
    """A resolved warning's resolution: the system's words re-worded in the reader's language,
    or what the person wrote."""
    if alert.resolved_by_id is None and (alert.facts or {}).get("cleared"):
        return clearance(alert)
    return alert.resolution
