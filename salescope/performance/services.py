"""Evaluation's writes (G3, G4): criteria, ratings, scorecard templates, computing, reviewing,
publishing, acknowledging and appealing scorecards, improvement plans. Each write is audited,
in one transaction; changes to a row another person may have changed are version-checked
(stale → 409). Computing reads the facts as the system (``SYSTEM``): a scorecard does not
depend on who pressed the button.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, PermissionDenied, ValidationFailed
from salescope.core.ownership import SYSTEM
from salescope.core.periods import month_end, month_start
from salescope.core.permissions import require
from salescope.notifications.services import notify
from salescope.org.models import User
from salescope.org.visibility import CHANGE, get_visible
from salescope.performance import permissions as perms
from salescope.performance import queries, rules
from salescope.performance.choices import (
    DEFAULT_CRITERIA,
    ItemKind,
    PlanStatus,
    ScorecardStatus,
    ScoringRule,
    TemplateStatus,
)
from salescope.performance.models import (
    ImprovementGoal,
    ImprovementPlan,
    Rating,
    RatingCriterion,
    Scorecard,
    ScorecardTemplate,
    TemplateItem,
)

RATING_FIELDS = ["person_id", "criterion_id", "month", "score", "comment"]
TEMPLATE_FIELDS = ["name", "role", "effective_from", "status", "reward_top", "improve_bottom"]
SCORECARD_FIELDS = ["status", "total", "rank", "rewarded", "needs_improvement"]


def _text(value: str, field: str, *, required: bool = True, limit: int | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(fields={field: [_("This field is required.")]})
    if limit and len(value) > limit:
        raise ValidationFailed(fields={field: [_("At most %(n)d characters.") % {"n": limit}]})
    return value


def _manager_of(actor: Any, person: User) -> None:
    """The actor may act on ``person``'s evaluation as their manager (not as themselves)."""
    get_visible(User.objects.all(), viewer=actor, pk=person.pk, action=CHANGE)
    if actor.pk == person.pk:
        raise ValidationFailed(fields={"person": [_("You cannot evaluate yourself.")]})


# --- criteria and ratings (G3) -----------------------------------------------------------------


@transaction.atomic
def ensure_default_criteria() -> list[RatingCriterion]:
    """Teamwork, enthusiasm, responsibility on 1–5 (the system's own setup; idempotent)."""
    found = []
    for code, name in DEFAULT_CRITERIA:
        criterion, _created = RatingCriterion.objects.unrestricted().get_or_create(
            code=code, defaults={"name": str(name), "scale_max": 5}
        )
        found.append(criterion)
    return found


@transaction.atomic
def add_criterion(
    *, actor: User, code: str, name: str, scale_max: int = 5, description: str = ""
) -> RatingCriterion:
    require(actor, perms.CRITERION_MANAGE.code)
    code = _text(code, "code", limit=40)
    if RatingCriterion.objects.unrestricted().filter(code=code).exists():
        raise ValidationFailed(fields={"code": [_("This code is taken.")]})
    if not 2 <= scale_max <= 10:
        raise ValidationFailed(fields={"scale_max": [_("A scale from 1 to 2–10.")]})
    criterion = RatingCriterion.objects.create(
        code=code,
        name=_text(name, "name", limit=100),
        scale_max=scale_max,
        description=_text(description, "description", required=False, limit=300),
    )
    audit.record(
        actor=actor,
        action="performance.criterion.created",
        obj=criterion,
        changes=audit.snapshot(criterion, ["code", "name", "scale_max"]),
    )
    return criterion


@transaction.atomic
def rate(
    *,
    actor: User,
    person: User,
    criterion: RatingCriterion,
    month: dt.date,
    score: int,
    comment: str = "",
    expected_version: int | None = None,
) -> Rating:
    """The manager's rating of ``person`` on ``criterion`` for ``month`` (again: a change,
    version-checked). The person is told."""
    require(actor, perms.RATE.code)
    _manager_of(actor, person)
    month = month_start(month)
    if not 1 <= int(score) <= criterion.scale_max:
        raise ValidationFailed(
            fields={"score": [_("From 1 to %(n)d.") % {"n": criterion.scale_max}]}
        )
    comment = _text(comment, "comment", required=False, limit=2000)
    existing = (
        Rating.objects.unrestricted()
        .filter(person=person, criterion=criterion, month=month)
        .first()
    )
    if existing is None:
        rating = Rating.objects.create(
            person=person,
            rater=actor,
            criterion=criterion,
            month=month,
            score=score,
            comment=comment,
        )
        audit.record(
            actor=actor,
            action="performance.rating.created",
            obj=rating,
            changes=audit.snapshot(rating, RATING_FIELDS),
        )
    else:
        if expected_version is None:
            raise Conflict(_("This rating exists already; change it with its version."))
        before = audit.snapshot(existing, RATING_FIELDS)
        rating = update_versioned(
            existing,
            expected_version=expected_version,
            changes={"score": score, "comment": comment, "rater": actor},
        )
        changes = audit.diff(before, audit.snapshot(rating, RATING_FIELDS))
        if changes:
            audit.record(
                actor=actor, action="performance.rating.changed", obj=rating, changes=changes
            )
    notify(
        recipients=[person],
        kind="performance.rating.given",
        title=_("You have a new rating: %(criterion)s %(score)s/%(scale)s")
        % {"criterion": criterion.name, "score": score, "scale": criterion.scale_max},
        link="/performance/scorecards/",
    )
    return rating


# --- templates (G4) ----------------------------------------------------------------------------


def _item(raw: dict[str, Any], position: int) -> TemplateItem:
    kind = raw.get("kind")
    code = str(raw.get("code") or "")
    rule = raw.get("rule") or ScoringRule.CAPPED
    if kind not in ItemKind.values:
        raise ValidationFailed(fields={"items": [_("Unknown item kind: %s") % kind]})
    if kind == ItemKind.KPI and code not in rules.KPIS:
        raise ValidationFailed(fields={"items": [_("Unknown KPI: %s") % code]})
    if kind == ItemKind.ATTAINMENT and code not in queries.ATTAINMENT_METRICS:
        raise ValidationFailed(fields={"items": [_("Unknown plan metric: %s") % code]})
    if (
        kind == ItemKind.RATING
        and not RatingCriterion.objects.unrestricted().filter(code=code).exists()
    ):
        raise ValidationFailed(fields={"items": [_("Unknown rating criterion: %s") % code]})
    if rule not in ScoringRule.values:
        raise ValidationFailed(fields={"items": [_("Unknown scoring rule: %s") % rule]})
    target = raw.get("target")
    if (
        kind == ItemKind.KPI
        and rule != ScoringRule.BANDS
        and (target is None or Decimal(str(target)) <= 0)
    ):
        raise ValidationFailed(
            fields={"items": [_("A KPI scored to target needs a target above 0.")]}
        )
    bands = [[str(Decimal(str(b))), str(Decimal(str(s)))] for b, s in raw.get("bands") or []]
    if rule == ScoringRule.BANDS and not bands:
        raise ValidationFailed(fields={"items": [_("The bands rule needs bands.")]})
    return TemplateItem(
        kind=kind,
        code=code,
        weight=int(raw.get("weight") or 0),
        rule=rule,
        target=None if target is None else Decimal(str(target)),
        threshold=None if raw.get("threshold") is None else Decimal(str(raw["threshold"])),
        cap=int(raw.get("cap") or 120),
        bands=bands,
        position=position,
    )


def _items(items: list[dict[str, Any]]) -> list[TemplateItem]:
    """The template's lines, checked; an error names its line (1-based)."""
    built = []
    for i, raw in enumerate(items):
        try:
            built.append(_item(raw, i))
        except ValidationFailed as error:
            messages = [m for msgs in error.fields.values() for m in msgs]
            raise ValidationFailed(
                fields={
                    "items": [
                        _("Line %(n)d: %(error)s") % {"n": i + 1, "error": m} for m in messages
                    ]
                }
            ) from None
        except (ArithmeticError, TypeError, ValueError):
            raise ValidationFailed(
                fields={"items": [_("Line %(n)d: enter numbers.") % {"n": i + 1}]}
            ) from None
    if not rules.check_weights(i.weight for i in built):
        raise ValidationFailed(
            fields={"items": [_("The weights must each be above 0 and sum to 100 %.")]}
        )
    return built


def _header(
    *, name: str, role: str, effective_from: dt.date, reward_top: int, improve_bottom: int
) -> dict[str, Any]:
    from salescope.org.choices import Role

    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 200:  # noqa: PLR2004 - the column's length
        errors["name"] = [_("At most %(n)d characters.") % {"n": 200}]
    if role not in Role.values:
        errors["role"] = [_("Unknown role.")]
    for field, value in (("reward_top", reward_top), ("improve_bottom", improve_bottom)):
        if not 0 <= int(value) <= 100:  # noqa: PLR2004 - people per unit
            errors[field] = [_("From 0 to 100.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return {
        "name": name,
        "role": role,
        "effective_from": month_start(effective_from),
        "reward_top": int(reward_top),
        "improve_bottom": int(improve_bottom),
    }


def _item_rows(items: list[TemplateItem]) -> list[list[Any]]:
    """The lines as the audit trail keeps them."""
    return [
        [
            i.kind,
            i.code,
            i.weight,
            i.rule,
            None if i.target is None else str(Decimal(i.target).normalize()),
            None if i.threshold is None else str(Decimal(i.threshold).normalize()),
            i.cap,
            i.bands,
        ]
        for i in items
    ]


@transaction.atomic
def create_template(
    *,
    actor: User,
    name: str,
    role: str,
    effective_from: dt.date,
    items: list[dict[str, Any]],
    reward_top: int = 1,
    improve_bottom: int = 1,
) -> ScorecardTemplate:
    """A draft template: KPIs, attainments and ratings with weights summing to 100 %."""
    require(actor, perms.TEMPLATE_MANAGE.code)
    header = _header(
        name=name,
        role=role,
        effective_from=effective_from,
        reward_top=reward_top,
        improve_bottom=improve_bottom,
    )
    built = _items(items)
    template = ScorecardTemplate.objects.create(created_by=actor, **header)
    for item in built:
        item.template = template
    TemplateItem.objects.bulk_create(built)
    audit.record(
        actor=actor,
        action="performance.template.created",
        obj=template,
        changes={
            **audit.snapshot(template, TEMPLATE_FIELDS),
            "items": [[i.kind, i.code, i.weight, i.rule] for i in built],
        },
    )
    return template


@transaction.atomic
def change_template(
    *,
    actor: User,
    template: ScorecardTemplate,
    expected_version: int,
    name: str,
    role: str,
    effective_from: dt.date,
    items: list[dict[str, Any]],
    reward_top: int = 1,
    improve_bottom: int = 1,
) -> ScorecardTemplate:
    """Change a draft template and replace its lines (a published one is fixed: the people
    were told). Version-checked; audited with what changed, the lines before and after."""
    require(actor, perms.TEMPLATE_MANAGE.code)
    if template.status != TemplateStatus.DRAFT:
        raise Conflict(_("A published template cannot change."))
    header = _header(
        name=name,
        role=role,
        effective_from=effective_from,
        reward_top=reward_top,
        improve_bottom=improve_bottom,
    )
    built = _items(items)
    before = audit.snapshot(template, TEMPLATE_FIELDS)
    old_items = _item_rows(list(template.items.all()))
    update_versioned(template, expected_version=expected_version, changes=header)
    new_items = _item_rows(built)
    if new_items != old_items:
        # visibility: the lines of the template being changed, reached through it
        TemplateItem.objects.unrestricted().filter(template=template).delete()
        for item in built:
            item.template = template
        TemplateItem.objects.bulk_create(built)
    changes: dict[str, Any] = audit.diff(before, audit.snapshot(template, TEMPLATE_FIELDS))
    if new_items != old_items:
        changes["items"] = [old_items, new_items]
    if changes:
        audit.record(
            actor=actor, action="performance.template.changed", obj=template, changes=changes
        )
    return template


@transaction.atomic
def publish_template(
    *, actor: User, template: ScorecardTemplate, expected_version: int, today: dt.date | None = None
) -> ScorecardTemplate:
    """Publish a draft template to the people, before the first month it applies to."""
    require(actor, perms.TEMPLATE_MANAGE.code)
    today = today or timezone.localdate()
    if template.status != TemplateStatus.DRAFT:
        raise Conflict(_("This template is published already."))
    if template.effective_from <= today:
        raise ValidationFailed(
            fields={
                "effective_from": [_("A template is published before the period it applies to.")]
            }
        )
    published_at = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    if today == timezone.localdate():
        published_at = timezone.now()
    update_versioned(
        template,
        expected_version=expected_version,
        changes={"status": TemplateStatus.PUBLISHED, "published_at": published_at},
    )
    audit.record(
        actor=actor,
        action="performance.template.published",
        obj=template,
        changes={"status": [TemplateStatus.DRAFT, TemplateStatus.PUBLISHED]},
    )
    return template


# --- computing scorecards (G4) -----------------------------------------------------------------


def _rule_of(item: TemplateItem) -> rules.Rule:
    info = rules.KPIS.get(item.code) if item.kind == ItemKind.KPI else None
    return rules.Rule(
        kind=item.rule,
        target=item.target if item.kind == ItemKind.KPI else (item.target or Decimal(100)),
        cap=item.cap,
        threshold=item.threshold,
        bands=tuple((Decimal(b), Decimal(s)) for b, s in item.bands),
        higher_is_better=info.higher_is_better if info else True,
    )


def _lines(
    items: list[TemplateItem],
    values: dict[str, Decimal | None],
    attainment: dict[str, Decimal | None],
    ratings: dict[str, int],
    scales: dict[str, int],
    item_rules: list[rules.Rule] | None = None,
) -> tuple[list[dict[str, Any]], Decimal]:
    lines = []
    scored = []
    item_rules = item_rules or [_rule_of(item) for item in items]
    for item, rule in zip(items, item_rules, strict=True):
        if item.kind == ItemKind.KPI:
            value = values.get(item.code)
        elif item.kind == ItemKind.ATTAINMENT:
            value = attainment.get(item.code)
        else:
            value = rules.rating_score(ratings.get(item.code), scales.get(item.code, 5))
        points = rules.score(value, rule)
        scored.append((item.weight, points))
        lines.append(
            {
                "kind": item.kind,
                "code": item.code,
                "weight": item.weight,
                "rule": item.rule,
                "target": None if item.target is None else str(item.target),
                "value": None if value is None else str(value),
                "score": str(points),
            }
        )
    return lines, rules.weighted_total(scored)


@transaction.atomic
def compute_scorecards(
    *, actor: Any, template: ScorecardTemplate, month: dt.date, today: dt.date | None = None
) -> dict[str, int]:
    """Compute (or recompute) the month's scorecards of everyone with the template's role.

    Set-based: the KPI facts of all people in a few grouped queries, ratings in one. Only
    scorecards still ``computed`` change; a recomputation that finds the same lines and total
    writes nothing (no version, no audit row). Ranks and marks are set per unit."""
    require(actor, perms.SCORECARD_COMPUTE.code)
    month = month_start(month)
    today = today or timezone.localdate()
    if template.status != TemplateStatus.PUBLISHED:
        raise Conflict(_("Only a published template is computed."))
    if month < template.effective_from:
        raise ValidationFailed(fields={"month": [_("The template applies from a later month.")]})
    if month_end(month) >= today:
        raise ValidationFailed(fields={"month": [_("A month is scored after it ends.")]})
    people = list(
        User.objects.unrestricted()
        .filter(is_active=True, role=template.role)
        .values_list("pk", "unit_id")
    )
    ids = {pk for pk, _unit in people}
    facts = queries.person_facts(viewer=SYSTEM, month=month, ids=ids)
    days = queries.working_days(month)
    _metrics, targets = queries.attainment(viewer=SYSTEM, month=month, ids=ids)
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    for pid, code, points in (
        Rating.objects.unrestricted()
        .filter(month=month, person_id__in=ids)
        .values_list("person_id", "criterion__code", "score")
    ):
        ratings[pid][code] = points
    scales = dict(RatingCriterion.objects.unrestricted().values_list("code", "scale_max"))
    items = list(template.items.all())
    item_rules = [_rule_of(item) for item in items]  # once, not once per person
    # The month's cards as plain values (no model instances): a recomputation compares the
    # computed state with them in memory, and loads in full only the cards it will write.
    compared = ("status", "version", *_COMPARED)
    existing = {
        row[0]: dict(zip(compared, row[1:], strict=True))
        for row in Scorecard.objects.unrestricted()
        .filter(month=month, person_id__in=ids)
        .values_list("person_id", *compared)
    }
    computed: dict[int, tuple[list[dict[str, Any]], Decimal, int | None]] = {}
    for pid, unit_id in people:
        values = rules.kpi_values(facts[pid], days)
        attained = {m: rules.ratio(a * 100, t) for m, (t, a) in targets.get(pid, {}).items()}
        lines, total = _lines(items, values, attained, ratings.get(pid, {}), scales, item_rules)
        computed[pid] = (lines, total, unit_id)
    # Ranks and marks within each unit, over everyone's current total.
    by_unit: dict[int | None, dict[int, Decimal]] = defaultdict(dict)
    for pid, (_unused, total, unit_id) in computed.items():
        old = existing.get(pid)
        frozen = old is not None and old["status"] != ScorecardStatus.COMPUTED
        by_unit[unit_id][pid] = old["total"] if frozen and old else total
    placing: dict[int, tuple[int, int, bool, bool]] = {}
    for members in by_unit.values():
        ranks = rules.rank(members)
        top, bottom = rules.marks(
            ranks, reward_top=template.reward_top, improve_bottom=template.improve_bottom
        )
        for pid, r in ranks.items():
            placing[pid] = (r, len(ranks), pid in top, pid in bottom)
    created = changed = unchanged = kept = 0
    now = timezone.now()
    to_create: list[Scorecard] = []
    to_update: list[tuple[Scorecard, dict[str, Any]]] = []  # (card, its audit snapshot before)
    changes: dict[int, tuple[dict[str, Any], int]] = {}  # person → (new state, version read)
    for pid, (lines, total, unit_id) in computed.items():
        r, of, rewarded, weak = placing[pid]
        state = {
            "lines": lines,
            "total": total,
            "unit_id": unit_id,
            "rank": r,
            "rank_of": of,
            "rewarded": rewarded,
            "needs_improvement": weak,
            "template_id": template.pk,
        }
        old = existing.get(pid)
        if old is None:
            to_create.append(Scorecard(person_id=pid, month=month, computed_at=now, **state))
            continue
        if old["status"] != ScorecardStatus.COMPUTED:
            kept += 1
            continue
        if all(old[name] == state[name] for name in _COMPARED):
            unchanged += 1
            continue
        changes[pid] = (state, old["version"])
    for card in Scorecard.objects.unrestricted().filter(month=month, person_id__in=changes):
        state, version = changes[card.person_id]
        if card.version != version or card.status != ScorecardStatus.COMPUTED:
            raise Conflict(_("Someone changed these scorecards meanwhile; compute again."))
        before = audit.snapshot(card, SCORECARD_FIELDS)
        for name, value in state.items():
            setattr(card, name, value)
        card.computed_at = now
        to_update.append((card, before))
    # In bulk: a month's first computation writes thousands of cards (R14: still one audit
    # entry per card, the same as a single write leaves).
    Scorecard.objects.bulk_create(to_create, batch_size=500)
    audit.record_many(
        actor=actor,
        action="performance.scorecard.computed",
        entries=[(card, audit.snapshot(card, SCORECARD_FIELDS)) for card in to_create],
    )
    created = len(to_create)
    _update_cards([card for card, _before in to_update])
    audit.record_many(
        actor=actor,
        action="performance.scorecard.recomputed",
        entries=[
            (card, audit.diff(before, audit.snapshot(card, SCORECARD_FIELDS)))
            for card, before in to_update
        ],
    )
    changed = len(to_update)
    return {"created": created, "changed": changed, "unchanged": unchanged, "kept": kept}


# What a recomputation sets and compares (the state of ``compute_scorecards``).
_COMPARED = (
    "lines",
    "total",
    "unit_id",
    "rank",
    "rank_of",
    "rewarded",
    "needs_improvement",
    "template_id",
)

_RECOMPUTED = [*_COMPARED, "computed_at"]  # and when


def _update_cards(cards: list[Scorecard]) -> None:
    """Write recomputed cards still ``computed``, each one version up, in one parameterised
    UPDATE run (``bulk_update``'s CASE per column grows with the batch). A card someone
    reviewed or changed since it was read (another version, another status) is not
    overwritten: that is a conflict (409), and the whole computation rolls back."""
    if not cards:
        return
    from django.db import connection

    quote = connection.ops.quote_name
    table = quote(Scorecard._meta.db_table)
    fields = [Scorecard._meta.get_field(name) for name in _RECOMPUTED]
    concrete = [f for f in fields if isinstance(f, models.Field)]
    assert len(concrete) == len(fields)  # columns of the table, no reverse relations
    sets = ", ".join(f"{quote(f.attname)} = %s" for f in concrete)  # attname is the column
    sql = (
        f"UPDATE {table} SET {sets}, {quote('version')} = {quote('version')} + 1 "  # noqa: S608 - names from the model
        f"WHERE id = %s AND {quote('version')} = %s AND {quote('status')} = %s"
    )
    rows = [
        [
            *(f.get_db_prep_save(getattr(card, f.attname), connection) for f in concrete),
            card.pk,
            card.version,
            ScorecardStatus.COMPUTED,
        ]
        for card in cards
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        written = cursor.rowcount
    if written != len(cards) and written >= 0:
        raise Conflict(_("Someone changed these scorecards meanwhile; compute again."))
    for card in cards:
        card.version += 1


def _card_change(
    *,
    actor: Any,
    card: Scorecard,
    expected_version: int,
    allowed_from: set[str],
    changes: dict[str, Any],
    action: str,
) -> Scorecard:
    if card.status not in allowed_from:
        raise Conflict(_("This scorecard is %(status)s.") % {"status": card.get_status_display()})
    before = audit.snapshot(card, ["status", "review_comment", "appeal_reason", "appeal_answer"])
    update_versioned(card, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action=action,
        obj=card,
        changes=audit.diff(
            before,
            audit.snapshot(card, ["status", "review_comment", "appeal_reason", "appeal_answer"]),
        ),
    )
    return card


@transaction.atomic
def review_scorecard(
    *, actor: User, card: Scorecard, expected_version: int, comment: str = ""
) -> Scorecard:
    """The manager has looked at the scorecard (and may say why)."""
    require(actor, perms.SCORECARD_REVIEW.code)
    _manager_of(actor, card.person)
    return _card_change(
        actor=actor,
        card=card,
        expected_version=expected_version,
        allowed_from={ScorecardStatus.COMPUTED},
        changes={
            "status": ScorecardStatus.REVIEWED,
            "review_comment": _text(comment, "comment", required=False, limit=2000),
        },
        action="performance.scorecard.manager_reviewed",
    )


@transaction.atomic
def publish_scorecard(*, actor: User, card: Scorecard, expected_version: int) -> Scorecard:
    """Show a reviewed scorecard to its person, who is told."""
    require(actor, perms.SCORECARD_REVIEW.code)
    _manager_of(actor, card.person)
    card = _card_change(
        actor=actor,
        card=card,
        expected_version=expected_version,
        allowed_from={ScorecardStatus.REVIEWED},
        changes={"status": ScorecardStatus.PUBLISHED},
        action="performance.scorecard.published",
    )
    notify(
        recipients=[card.person],
        kind="performance.scorecard.published",
        title=_("Your scorecard for %(month)s is published: %(total)s")
        % {"month": card.month.strftime("%Y-%m"), "total": card.total},
        link=f"/performance/scorecards/{card.pk}/",
    )
    return card


def _own(actor: User, card: Scorecard) -> None:
    require(actor, perms.SCORECARD_RESPOND.code)
    if actor.pk != card.person_id:
        raise PermissionDenied(_("Only the person evaluated answers the scorecard."))


@transaction.atomic
def acknowledge_scorecard(*, actor: User, card: Scorecard, expected_version: int) -> Scorecard:
    _own(actor, card)
    return _card_change(
        actor=actor,
        card=card,
        expected_version=expected_version,
        allowed_from={ScorecardStatus.PUBLISHED},
        changes={"status": ScorecardStatus.ACKNOWLEDGED},
        action="performance.scorecard.acknowledged",
    )


@transaction.atomic
def appeal_scorecard(
    *, actor: User, card: Scorecard, expected_version: int, reason: str
) -> Scorecard:
    """The person disagrees, with a reason; their managers are told."""
    _own(actor, card)
    card = _card_change(
        actor=actor,
        card=card,
        expected_version=expected_version,
        allowed_from={ScorecardStatus.PUBLISHED},
        changes={
            "status": ScorecardStatus.APPEALED,
            "appeal_reason": _text(reason, "reason", limit=2000),
        },
        action="performance.scorecard.appealed",
    )
    unit = card.person.unit
    if unit is not None and unit.manager_id and unit.manager_id != actor.pk:
        notify(
            recipients=[unit.manager],
            kind="performance.scorecard.appealed",
            title=_("%(person)s appeals the scorecard for %(month)s")
            % {"person": actor, "month": card.month.strftime("%Y-%m")},
            link=f"/performance/scorecards/{card.pk}/",
        )
    return card


@transaction.atomic
def answer_appeal(*, actor: User, card: Scorecard, expected_version: int, answer: str) -> Scorecard:
    """The manager answers an appeal; the scorecard is published again for the person."""
    require(actor, perms.SCORECARD_REVIEW.code)
    _manager_of(actor, card.person)
    return _card_change(
        actor=actor,
        card=card,
        expected_version=expected_version,
        allowed_from={ScorecardStatus.APPEALED},
        changes={
            "status": ScorecardStatus.PUBLISHED,
            "appeal_answer": _text(answer, "answer", limit=2000),
        },
        action="performance.scorecard.appeal_answered",
    )


# --- improvement plans (G4) --------------------------------------------------------------------


@transaction.atomic
def create_improvement_plan(
    *,
    actor: User,
    person: User,
    goals: list[tuple[str, dt.date]],
    scorecard: Scorecard | None = None,
) -> ImprovementPlan:
    """Goals with deadlines for a person (the weakest of a unit's scorecards, usually)."""
    require(actor, perms.IMPROVEMENT_MANAGE.code)
    _manager_of(actor, person)
    if not goals:
        raise ValidationFailed(fields={"goals": [_("Add at least one goal.")]})
    if scorecard is not None and scorecard.person_id != person.pk:
        raise ValidationFailed(fields={"scorecard": [_("That scorecard is someone else's.")]})
    plan = ImprovementPlan.objects.create(person=person, scorecard=scorecard, created_by=actor)
    made = ImprovementGoal.objects.bulk_create(
        [
            ImprovementGoal(plan=plan, text=_text(text, "goals", limit=300), deadline=deadline)
            for text, deadline in goals
        ]
    )
    audit.record(
        actor=actor,
        action="performance.improvement_plan.created",
        obj=plan,
        changes={
            "person_id": person.pk,
            "goals": [[g.text, g.deadline.isoformat()] for g in made],
        },
    )
    notify(
        recipients=[person],
        kind="performance.improvement_plan.created",
        title=_("An improvement plan with %(n)d goals was set for you") % {"n": len(made)},
        link="/performance/improvement/",
    )
    return plan


@transaction.atomic
def follow_up_goal(
    *, actor: User, goal: ImprovementGoal, expected_version: int, note: str, done: bool = False
) -> ImprovementGoal:
    """A follow-up note on a goal (the person or their manager); ``done`` closes it, and the
    plan closes with its last goal."""
    require(actor, perms.IMPROVEMENT_FOLLOW.code)
    get_visible(ImprovementGoal.objects.all(), viewer=actor, pk=goal.pk, action=CHANGE)
    if goal.status == PlanStatus.DONE:
        raise Conflict(_("This goal is done."))
    note = _text(note, "note", limit=1000)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    follow_up = (goal.follow_up + "\n" if goal.follow_up else "") + f"{stamp} {actor}: {note}"
    changes: dict[str, Any] = {"follow_up": follow_up}
    if done:
        changes.update(status=PlanStatus.DONE, done_at=timezone.now())
    update_versioned(goal, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action="performance.improvement_goal.followed_up",
        obj=goal,
        changes={"note": note, "status": goal.status},
    )
    plan = goal.plan
    if (
        done
        and not ImprovementGoal.objects.unrestricted()
        .filter(plan=plan, status=PlanStatus.OPEN)
        .exists()
    ):
        update_versioned(
            plan,
            expected_version=plan.version,
            changes={"status": PlanStatus.DONE, "done_at": timezone.now()},
        )
        audit.record(
            actor=actor,
            action="performance.improvement_plan.completed",
            obj=plan,
            changes={"status": [PlanStatus.OPEN, PlanStatus.DONE]},
        )
    return goal
