"""Win probability learnt from the company's own closed deals (赢单概率, issue 15).

A logistic regression (scikit-learn) on what is known of a deal while it is open: the order of
its stage, its age in days, its amount (log), source, product line, and how much has happened
(notes and stage changes so far). Each closed deal gives one example per stage it passed
through, as it stood on entering that stage, labelled with how it ended; an open deal is
scored as it stands now. With fewer than ``MIN_CLOSED_DEALS`` closed deals nothing is learnt
and the stage's default probability stays the one to use.

``backtest`` splits the closed deals by the time they closed (learn on the older, test on the
newer) and reports AUC and Brier score of the model beside the stage-default baseline.
Everything here reads as the system: the model is the company's, not one viewer's.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import Count
from django.utils import timezone

from salescope.pipeline import rules
from salescope.pipeline.choices import StageKind
from salescope.pipeline.models import Opportunity, StageChange, WinModel
from salescope.timeline.choices import EventKind
from salescope.timeline.models import Event

MIN_CLOSED_DEALS = 30
TEST_SHARE = 0.3  # the newest 30% of closed deals are the backtest's test set
OPPORTUNITY_SUBJECT = Opportunity._meta.label_lower


@dataclass(frozen=True)
class Example:
    """One deal as it stood at one moment; ``won`` is None for an open deal."""

    features: dict[str, Any]
    stage_default: float
    won: bool | None
    closed_at: dt.datetime | None
    deal: int | None = None


def features(  # noqa: PLR0913 - the features are the model's whole input
    *,
    stage_order: int,
    age_days: float,
    amount_fen: int,
    source: str,
    product_line: str,
    activities: int,
) -> dict[str, Any]:
    """The model's input for one deal at one moment (strings become one-hot columns)."""
    return {
        "stage_order": float(stage_order),
        "log_age_days": math.log1p(max(0.0, age_days)),
        "log_amount": math.log1p(max(0, amount_fen) / 100),
        "activities": float(activities),
        "source": source or "-",
        "product_line": product_line or "-",
    }


def _notes_by_opportunity(ids: list[int]) -> dict[int, list[dt.datetime]]:
    notes: dict[int, list[dt.datetime]] = defaultdict(list)
    rows = (
        Event.objects.unrestricted()  # visibility: the model learns from the whole company
        .filter(subject_type=OPPORTUNITY_SUBJECT, kind=EventKind.NOTE)
        .filter(subject_id__in=[str(i) for i in ids])
        .values_list("subject_id", "at")
    )
    for subject_id, at in rows:
        notes[int(subject_id)].append(at)
    return notes


def _changes_by_opportunity(ids: list[int]) -> dict[int, list[tuple[dt.datetime, Any]]]:
    changes: dict[int, list[tuple[dt.datetime, Any]]] = defaultdict(list)
    rows = (
        StageChange.objects.unrestricted()  # visibility: as above, the company's history
        .filter(opportunity_id__in=ids)
        .select_related("to_stage")
        .order_by("at", "id")
    )
    for change in rows:
        changes[change.opportunity_id].append((change.at, change.to_stage))
    return changes


def _line_name(opportunity: Opportunity) -> str:
    line = opportunity.pipeline.product_line
    return line.name if line else opportunity.pipeline.name


def closed_examples() -> list[Example]:
    """One example per open stage each closed deal entered, as it stood on entering it."""
    deals = list(
        Opportunity.objects.unrestricted()  # visibility: the model learns from the whole company
        .filter(stage__kind__in=[StageKind.WON, StageKind.LOST], closed_at__isnull=False)
        .select_related("stage", "pipeline__product_line")
        .order_by("closed_at", "id")
    )
    ids = [d.pk for d in deals]
    notes = _notes_by_opportunity(ids)
    changes = _changes_by_opportunity(ids)
    examples: list[Example] = []
    for deal in deals:
        won = deal.stage.kind == StageKind.WON
        history = changes.get(deal.pk, [])
        for index, (at, stage) in enumerate(history):
            if stage.kind != StageKind.OPEN:
                continue
            note_count = sum(1 for n in notes.get(deal.pk, []) if n <= at)
            row = features(
                stage_order=stage.order,
                age_days=(at - deal.created_at).total_seconds() / 86400,
                amount_fen=deal.amount_fen,
                source=deal.source,
                product_line=_line_name(deal),
                activities=note_count + index,
            )
            examples.append(Example(row, stage.probability / 100, won, deal.closed_at, deal.pk))
    return examples


def open_example(opportunity: Opportunity, *, now: dt.datetime | None = None) -> Example:
    """An open deal as it stands now."""
    return open_examples([opportunity], now=now)[0]


def open_examples(
    opportunities: list[Opportunity], *, now: dt.datetime | None = None
) -> list[Example]:
    """Open deals as they stand now, their notes and stage moves counted in one query each."""
    now = now or timezone.now()
    ids = [o.pk for o in opportunities]
    notes = _notes_by_opportunity(ids)
    # visibility: counts only, of deals the caller already read through the rule
    moves = dict(
        StageChange.objects.unrestricted()
        .filter(opportunity_id__in=ids)
        .values("opportunity_id")
        .annotate(n=Count("id"))
        .values_list("opportunity_id", "n")
        .order_by()
    )
    return [
        Example(
            features(
                stage_order=o.stage.order,
                age_days=(now - o.created_at).total_seconds() / 86400,
                amount_fen=o.amount_fen,
                source=o.source,
                product_line=_line_name(o),
                activities=len(notes.get(o.pk, [])) + max(0, moves.get(o.pk, 0) - 1),
            ),
            o.stage.probability / 100,
            None,
            None,
        )
        for o in opportunities
    ]


# Open deals scored per batch: bounded id lists and memory for a quarter of many deals.
LEARNT_BATCH = 2000


def learnt_weighted_fen(opportunities: Iterable[Opportunity]) -> int | None:
    """Σ amount × learnt probability of open deals, each at the percent its page shows
    (``win_probability``), weighted as the stage default is (``rules.weighted_fen``). None
    when no model is in use (too little history: the stage defaults stand alone)."""
    row = current()
    if row is None or row.model is None:
        return None
    model = _load(row)
    total = 0
    deals_left = iter(opportunities)
    while deals := list(islice(deals_left, LEARNT_BATCH)):
        for deal, probability in zip(deals, predict(model, open_examples(deals)), strict=True):
            total += rules.weighted_fen(deal.amount_fen, round(100 * probability))
    return total


def closed_deal_count() -> int:
    return (
        Opportunity.objects.unrestricted()  # visibility: a company-wide count, no deal shown
        .filter(stage__kind__in=[StageKind.WON, StageKind.LOST], closed_at__isnull=False)
        .count()
    )


def fit(examples: list[Example]) -> Any:
    """A fitted scikit-learn pipeline, or None when the examples hold only one outcome."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    labels = [bool(e.won) for e in examples]
    if len(set(labels)) < 2:  # noqa: PLR2004 - both outcomes are needed to learn anything
        return None
    model = make_pipeline(
        DictVectorizer(sparse=False),
        StandardScaler(),
        LogisticRegression(max_iter=1000, C=1.0),
    )
    model.fit([e.features for e in examples], labels)
    return model


def predict(model: Any, examples: list[Example]) -> list[float]:
    if not examples:
        return []
    return [float(p) for p in model.predict_proba([e.features for e in examples])[:, 1]]


def dumps(model: Any) -> bytes:
    import joblib

    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    return buffer.getvalue()


_loaded: dict[int, Any] = {}


def current() -> WinModel | None:
    """The model in use: the newest fitted row."""
    # visibility: the company's one model, not a record of anyone's
    return WinModel.objects.unrestricted().order_by("-fitted_at", "-id").first()


def _load(row: WinModel) -> Any:
    if row.pk not in _loaded:
        import joblib

        _loaded.clear()
        _loaded[row.pk] = joblib.load(io.BytesIO(bytes(row.model or b"")))
    return _loaded[row.pk]


@dataclass(frozen=True)
class WinProbability:
    """What the opportunity page and API show beside the stage default."""

    stage_default: int
    learnt: int | None  # percent; None when there is no model to use
    closed_deals: int
    enough_history: bool
    fitted_at: dt.datetime | None

    @property
    def used(self) -> int:
        return self.stage_default if self.learnt is None else self.learnt


def win_probability(opportunity: Opportunity) -> WinProbability:
    """The learnt probability of an open deal (a closed one is what it is: 100 or 0)."""
    row = current()
    default = opportunity.stage.probability
    closed = row.closed_deals if row else closed_deal_count()
    enough = row is not None and row.model is not None
    if row is None or not enough or opportunity.stage.kind != StageKind.OPEN:
        return WinProbability(default, None, closed, enough, row.fitted_at if row else None)
    model = _load(row)
    learnt = round(100 * predict(model, [open_example(opportunity)])[0])
    return WinProbability(default, learnt, closed, True, row.fitted_at)


def _auc(labels: list[bool], scores: list[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    if len(set(labels)) < 2:  # noqa: PLR2004
        return None
    return round(float(roc_auc_score(labels, scores)), 4)


def _brier(labels: list[bool], scores: list[float]) -> float | None:
    from sklearn.metrics import brier_score_loss

    if not labels:
        return None
    return round(float(brier_score_loss(labels, scores)), 4)


def backtest(examples: list[Example] | None = None, *, test_share: float = TEST_SHARE) -> dict:
    """Learn on the deals that closed first, test on those that closed last (by deal, so no
    deal is on both sides); AUC and Brier of the model and of the stage defaults."""
    examples = closed_examples() if examples is None else examples
    closings = sorted({(e.closed_at, e.deal) for e in examples if e.closed_at is not None})
    deals = len(closings)
    report: dict[str, Any] = {
        "closed_deals": deals,
        "examples": len(examples),
        "min_closed_deals": MIN_CLOSED_DEALS,
        "enough_history": deals >= MIN_CLOSED_DEALS,
    }
    if deals < MIN_CLOSED_DEALS:
        return report
    cutoff = closings[int(deals * (1 - test_share))]
    train = [e for e in examples if (e.closed_at, e.deal) < cutoff]
    test = [e for e in examples if (e.closed_at, e.deal) >= cutoff]
    model = fit(train)
    labels = [bool(e.won) for e in test]
    baseline = [e.stage_default for e in test]
    report.update(
        split_at=cutoff[0].isoformat(),
        train_examples=len(train),
        test_examples=len(test),
        test_win_rate=round(sum(labels) / len(labels), 4) if labels else None,
        baseline={"auc": _auc(labels, baseline), "brier": _brier(labels, baseline)},
    )
    if model is None:
        report["model"] = None
        return report
    scores = predict(model, test)
    report["model"] = {"auc": _auc(labels, scores), "brier": _brier(labels, scores)}
    return report
