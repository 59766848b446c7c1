"""Pure rules of the leads context: scoring a lead (C2), distributing it (C3), the pool's
clock, and the campaign report's ratios (C1). No ORM: plain data in, plain data out.

**Scoring.** Each criterion of an evaluation model turns its answer into a fraction of its best
answer: an option's points over the criterion's best option's points, or a number's place on the
criterion's scale (clamped to ``[min, max]``). A criterion's contribution is
``100 × weight × fraction / Σ weights``; the score is the sum of the contributions (0–100),
rounded half up to one decimal. A better answer on one criterion never lowers the score.

**Distribution.** Rules are tried in priority order (lowest first, then id). A rule matches a
lead when each of its conditions that is set (provinces, cities, product line) holds. Among the
matching rule's salespeople still available, ``workload`` chooses the one with the fewest open
leads and opportunities, ``round_robin`` the one assigned longest ago; ties go to the lowest
id. A matching rule with nobody available passes the lead on to the next rule. The decision
names the rule and why, or says why nobody was chosen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from salescope.core.money import from_fen

ONE_PLACE = Decimal("0.1")
HUNDRED = Decimal(100)

# --- scoring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionSpec:
    id: int
    label: str
    points: int


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    name: str
    weight: int
    kind: str  # "options" | "scale"
    options: tuple[OptionSpec, ...] = ()
    scale_min: Decimal | None = None
    scale_max: Decimal | None = None


@dataclass(frozen=True)
class Contribution:
    criterion_id: int
    name: str
    weight: int
    answer: str  # the option's label or the number, "" when unanswered
    fraction: Decimal  # 0…1
    points: Decimal  # share of the 100-point score, one decimal


@dataclass(frozen=True)
class Score:
    total: Decimal
    contributions: tuple[Contribution, ...]
    qualified: bool
    threshold: Decimal


def _fraction(criterion: CriterionSpec, answer: object) -> tuple[Decimal, str]:
    if answer is None or answer == "":
        return Decimal(0), ""
    if criterion.kind == "options":
        best = max((o.points for o in criterion.options), default=0)
        chosen = next((o for o in criterion.options if str(o.id) == str(answer)), None)
        if chosen is None:
            raise ValueError(f"unknown option {answer!r} for criterion {criterion.id}")
        return (Decimal(chosen.points) / best if best else Decimal(0)), chosen.label
    low, high = criterion.scale_min, criterion.scale_max
    if low is None or high is None or high <= low:
        raise ValueError(f"criterion {criterion.id} has no valid scale")
    value = Decimal(str(answer))
    if not value.is_finite():
        raise ValueError(f"not a number: {answer!r}")
    clamped = min(max(value, low), high)
    return (clamped - low) / (high - low), f"{value.normalize():f}"


def score_lead(
    criteria: Sequence[CriterionSpec], answers: Mapping[str, object], threshold: Decimal
) -> Score:
    """The lead's score under one model: each criterion's contribution and the total.

    ``answers`` maps a criterion's id (as text) to an option id or a number; an unanswered
    criterion contributes nothing. Raises ``ValueError`` for an unknown option or a bad number.
    """
    total_weight = sum(c.weight for c in criteria)
    exact_total = Decimal(0)
    parts = []
    for criterion in criteria:
        fraction, label = _fraction(criterion, answers.get(str(criterion.id)))
        exact = HUNDRED * criterion.weight * fraction / total_weight if total_weight else Decimal(0)
        exact_total += exact
        parts.append(
            Contribution(
                criterion_id=criterion.id,
                name=criterion.name,
                weight=criterion.weight,
                answer=label,
                fraction=fraction,
                points=exact.quantize(ONE_PLACE, ROUND_HALF_UP),
            )
        )
    total = exact_total.quantize(ONE_PLACE, ROUND_HALF_UP)
    return Score(total, tuple(parts), total >= threshold, threshold)


def pick_model(models: Sequence[Any], product_line_id: int | None, industry: str) -> Any:
    """The evaluation model for a lead among active ``models`` (ordered): its product line's,
    else its industry's, else a general one (neither set); None if none applies."""
    tests = (
        lambda m: product_line_id is not None and m.product_line_id == product_line_id,
        lambda m: bool(industry) and m.industry == industry,
        lambda m: m.product_line_id is None and not m.industry,
    )
    for test in tests:
        found = next((m for m in models if test(m)), None)
        if found is not None:
            return found
    return None


# --- distribution -------------------------------------------------------------------------

_PLACES = re.compile(r"[,，;；、\s]+")


def places(text: str) -> frozenset[str]:
    """``"上海, 江苏；浙江"`` → the set of names (suffixes 省/市 dropped for comparison)."""
    return frozenset(normal_place(p) for p in _PLACES.split(text or "") if p)


def normal_place(name: str) -> str:
    name = (name or "").strip()
    for suffix in ("省", "市", "自治区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class LeadFacts:
    province: str = ""
    city: str = ""
    product_line_id: int | None = None


@dataclass(frozen=True)
class RuleSpec:
    id: int
    name: str
    priority: int
    members: tuple[int, ...]
    provinces: frozenset[str] = frozenset()
    cities: frozenset[str] = frozenset()
    product_line_id: int | None = None
    strategy: str = "workload"  # "workload" | "round_robin"


@dataclass(frozen=True)
class Load:
    open_items: int = 0  # open leads + open opportunities
    last_assigned: dt.datetime | None = None


@dataclass(frozen=True)
class Decision:
    owner_id: int | None
    rule_id: int | None
    reason: str  # in words, for the assignment record
    skipped: tuple[str, ...] = field(default=())  # rules that matched but had nobody


def matches(rule: RuleSpec, lead: LeadFacts) -> bool:
    if rule.provinces and normal_place(lead.province) not in rule.provinces:
        return False
    if rule.cities and normal_place(lead.city) not in rule.cities:
        return False
    return not (rule.product_line_id is not None and rule.product_line_id != lead.product_line_id)


def _conditions(rule: RuleSpec, lead: LeadFacts) -> str:
    said = []
    if rule.provinces:
        said.append(_("province %(place)s") % {"place": lead.province})
    if rule.cities:
        said.append(_("city %(place)s") % {"place": lead.city})
    if rule.product_line_id is not None:
        said.append(_("its product line"))
    return "、".join(said) if said else _("any lead")


_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def choose(
    rule: RuleSpec, available: Iterable[int], loads: Mapping[int, Load]
) -> tuple[int, str] | None:
    """The rule's pick among ``available`` members and why, or None if there is nobody."""
    candidates = sorted(set(rule.members) & set(available))
    if not candidates:
        return None
    if rule.strategy == "round_robin":
        owner = min(candidates, key=lambda p: (loads.get(p, Load()).last_assigned or _NEVER, p))
        return owner, _("in turn (assigned longest ago of %(count)d)") % {"count": len(candidates)}
    owner = min(candidates, key=lambda p: (loads.get(p, Load()).open_items, p))
    return owner, _("fewest open leads and opportunities (%(open)d) of %(count)d") % {
        "open": loads.get(owner, Load()).open_items,
        "count": len(candidates),
    }


def distribute(
    lead: LeadFacts,
    rules: Sequence[RuleSpec],
    available: Iterable[int],
    loads: Mapping[int, Load],
) -> Decision:
    """Who gets ``lead`` under ``rules``: an owner and the rule that chose them with why, or
    no owner and why none (no rules, none matching, nobody available in those that match)."""
    available = frozenset(available)
    if not rules:
        return Decision(None, None, _("No distribution rules are set."))
    skipped = []
    for rule in sorted(rules, key=lambda r: (r.priority, r.id)):
        if not matches(rule, lead):
            continue
        picked = choose(rule, available, loads)
        if picked is None:
            skipped.append(rule.name)
            continue
        owner, how = picked
        reason = _("Rule “%(rule)s” (priority %(priority)d) matched %(what)s; chosen by %(how)s.")
        what = _conditions(rule, lead)
        values = {"rule": rule.name, "priority": rule.priority, "what": what, "how": how}
        return Decision(owner, rule.id, reason % values, tuple(skipped))
    if skipped:
        return Decision(
            None,
            None,
            _("Rules %(rules)s matched but none of their salespeople is available.")
            % {"rules": "、".join(skipped)},
            tuple(skipped),
        )
    return Decision(None, None, _("No distribution rule matches this lead."))


# --- the pool's clock ---------------------------------------------------------------------


def is_stale(
    *, last_worked: dt.datetime | None, assigned: dt.datetime | None, now: dt.datetime, days: int
) -> bool:
    """A lead nobody has worked for ``days`` days (since it was last worked, else assigned)."""
    since = last_worked or assigned
    return since is not None and now - since >= dt.timedelta(days=days)


def is_overdue(*, due: dt.datetime | None, contacted: dt.datetime | None, now: dt.datetime) -> bool:
    """Not contacted within its SLA."""
    return due is not None and contacted is None and now > due


# --- the campaign report ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    leads: int
    qualified: int
    opportunities: int
    pipeline_fen: int
    won_fen: int
    won_deals: int
    cost_fen: int

    @property
    def cost_per_lead_fen(self) -> int | None:
        return _ratio(self.cost_fen, self.leads)

    @property
    def cost_per_won_fen(self) -> int | None:
        return _ratio(self.cost_fen, self.won_deals)

    @property
    def return_on_cost(self) -> Decimal | None:
        """Won value per unit of cost (2.50 = won 2.5 times what it cost)."""
        if not self.cost_fen:
            return None
        return (Decimal(self.won_fen) / Decimal(self.cost_fen)).quantize(Decimal("0.01"))

    def as_money(self) -> dict[str, Any]:
        """The row with money in yuan (``Decimal``), for the page and the API."""

        def money(fen: int | None) -> Decimal | None:
            return None if fen is None else from_fen(fen)

        return {
            "key": self.key,
            "label": self.label,
            "leads": self.leads,
            "qualified": self.qualified,
            "opportunities": self.opportunities,
            "pipeline_value": money(self.pipeline_fen),
            "won_value": money(self.won_fen),
            "won_deals": self.won_deals,
            "cost": money(self.cost_fen),
            "cost_per_lead": money(self.cost_per_lead_fen),
            "cost_per_won_deal": money(self.cost_per_won_fen),
            "return_on_cost": self.return_on_cost,
        }

    @property
    def qualified_rate(self) -> Decimal | None:
        if not self.leads:
            return None
        return (HUNDRED * self.qualified / self.leads).quantize(ONE_PLACE, ROUND_HALF_UP)


def _ratio(cost_fen: int, count: int) -> int | None:
    if not count:
        return None
    return int((Decimal(cost_fen) / count).quantize(Decimal(1), ROUND_HALF_UP))
