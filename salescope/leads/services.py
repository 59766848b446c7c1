"""Every write of the leads context: campaigns, evaluation models, distribution rules, form
keys, leads typed in / posted / imported, evaluation, distribution, the pools, reassignment,
first contact. Keyword-only, ``actor`` first, one transaction, one audit entry per change;
stale writes raise ``StaleVersion`` (409)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.catalog.models import Category
from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, RateLimited, ValidationFailed
from salescope.core.importing.bulk import insert_rows
from salescope.core.importing.common import ImportOptions, ImportResult
from salescope.core.money import to_fen
from salescope.core.permissions import require
from salescope.leads import importing, policy, rules
from salescope.leads import permissions as perms
from salescope.leads.choices import (
    OPEN_STATUSES,
    AssignmentKind,
    CriterionKind,
    LeadErrorCode,
    LeadSource,
    LeadStatus,
    RuleStrategy,
)
from salescope.leads.models import (
    Campaign,
    Criterion,
    CriterionOption,
    DistributionRule,
    EvaluationModel,
    Lead,
    LeadAssignment,
    LeadFormKey,
)
from salescope.org.models import User
from salescope.pipeline import services as pipeline_services
from salescope.pipeline.choices import StageKind
from salescope.pipeline.models import Opportunity, Pipeline

LEAD_FIELDS = [
    "contact_name",
    "company",
    "phone",
    "email",
    "province",
    "city",
    "industry",
    "product_line",
    "need",
    "source",
    "medium",
    "campaign",
    "external_id",
]
AUDIT_FIELDS = [
    *LEAD_FIELDS,
    "status",
    "owner",
    "score",
    "qualified",
    "revisit_on",
    "assignment_rule",
    "assignment_reason",
]


def _fail(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={name: [message]})


def _money(value: Any, name: str) -> int:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        raise _fail(name, _("Enter an amount.")) from None
    if not amount.is_finite() or amount < 0:
        raise _fail(name, _("The amount may not be negative."))
    return to_fen(amount)


# --- campaigns ----------------------------------------------------------------------------


@transaction.atomic
def create_campaign(
    *,
    actor: User | None,
    code: str,
    name: str,
    source: str = LeadSource.OTHER,
    medium: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    budget: Any = 0,
    actual_cost: Any = 0,
) -> Campaign:
    require(actor, perms.CAMPAIGN_CREATE.code)
    code, name = (code or "").strip(), (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("A code is required.")]
    elif Campaign.objects.unrestricted().filter(code=code).exists():
        errors["code"] = [_("A campaign with this code already exists.")]
    if not name:
        errors["name"] = [_("A name is required.")]
    if source not in LeadSource.values:
        errors["source"] = [_("Unknown source.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The end is before the start.")]
    if errors:
        raise ValidationFailed(fields=errors)
    campaign = Campaign.objects.create(
        code=code,
        name=name,
        source=source,
        medium=(medium or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        budget_fen=_money(budget, "budget"),
        actual_cost_fen=_money(actual_cost, "actual_cost"),
        owner=actor,
    )
    fields = ["code", "name", "source", "medium", "budget_fen", "actual_cost_fen"]
    audit.record(
        actor=actor,
        action="leads.campaign.created",
        obj=campaign,
        changes=audit.diff({}, audit.snapshot(campaign, fields)),
    )
    return campaign


@transaction.atomic
def update_campaign_cost(
    *,
    actor: User | None,
    campaign: Campaign,
    expected_version: int,
    actual_cost: Any,
    budget: Any = None,
) -> Campaign:
    """Record what the campaign actually cost so far (and, optionally, a new budget)."""
    require(actor, perms.CAMPAIGN_CHANGE.code)
    fields = ["budget_fen", "actual_cost_fen"]
    before = audit.snapshot(campaign, fields)
    changes = {"actual_cost_fen": _money(actual_cost, "actual_cost")}
    if budget is not None:
        changes["budget_fen"] = _money(budget, "budget")
    update_versioned(campaign, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action="leads.campaign.changed",
        obj=campaign,
        changes=audit.diff(before, audit.snapshot(campaign, fields)),
    )
    return campaign


# --- evaluation models and distribution rules --------------------------------------------


@transaction.atomic
def create_evaluation_model(
    *,
    actor: User | None,
    name: str,
    threshold: Any,
    criteria: Sequence[Mapping[str, Any]],
    product_line: Category | None = None,
    industry: str = "",
) -> EvaluationModel:
    """A model with its criteria: ``{"name", "weight", "kind": "options", "options":
    [{"label", "points"}…]}`` or ``{"name", "weight", "kind": "scale", "min", "max"}``."""
    require(actor, perms.MODEL_CREATE.code)
    name = (name or "").strip()
    if not name:
        raise _fail("name", _("A name is required."))
    if EvaluationModel.objects.unrestricted().filter(name=name).exists():
        raise _fail("name", _("A model with this name already exists."))
    try:
        limit = Decimal(str(threshold))
    except InvalidOperation:
        raise _fail("threshold", _("Enter a number from 0 to 100.")) from None
    if not limit.is_finite() or not 0 <= limit <= 100:  # noqa: PLR2004 - a 100-point scale
        raise _fail("threshold", _("Enter a number from 0 to 100."))
    _check_criteria(criteria)
    model = EvaluationModel.objects.create(
        name=name, threshold=limit, product_line=product_line, industry=(industry or "").strip()
    )
    for position, spec in enumerate(criteria):
        kind = spec["kind"]
        criterion = Criterion.objects.create(
            model=model,
            name=spec["name"].strip(),
            kind=kind,
            weight=int(spec["weight"]),
            scale_min=Decimal(str(spec["min"])) if kind == CriterionKind.SCALE else None,
            scale_max=Decimal(str(spec["max"])) if kind == CriterionKind.SCALE else None,
            position=position,
        )
        for index, option in enumerate(spec.get("options") or []):
            CriterionOption.objects.create(
                criterion=criterion,
                label=str(option["label"]).strip(),
                points=int(option["points"]),
                position=index,
            )
    audit.record(
        actor=actor,
        action="leads.evaluationmodel.created",
        obj=model,
        changes={
            "threshold": [None, str(limit)],
            "criteria": [None, [c["name"] for c in criteria]],
        },
    )
    return model


def _check_criteria(criteria: Sequence[Mapping[str, Any]]) -> None:
    if not criteria:
        raise _fail("criteria", _("A model needs at least one criterion."))
    names = set()
    for number, spec in enumerate(criteria, start=1):
        where = f"criteria.{number}"
        name = str(spec.get("name") or "").strip()
        if not name or name in names:
            raise _fail(where, _("Each criterion needs a name of its own."))
        names.add(name)
        try:
            weight = int(spec.get("weight") or 0)
        except (TypeError, ValueError):
            weight = 0
        if weight <= 0:
            raise _fail(where, _("A weight is a whole number above zero."))
        kind = spec.get("kind")
        if kind == CriterionKind.OPTIONS:
            options = spec.get("options") or []
            try:
                points = [int(o["points"]) for o in options if str(o.get("label", "")).strip()]
            except (KeyError, TypeError, ValueError):
                points = []
            if len(points) != len(options) or not points or min(points) < 0 or max(points) == 0:
                raise _fail(where, _("Options need labels and points (0 or more, one above 0)."))
        elif kind == CriterionKind.SCALE:
            try:
                low, high = Decimal(str(spec["min"])), Decimal(str(spec["max"]))
            except (KeyError, InvalidOperation):
                raise _fail(where, _("A scale needs a minimum below its maximum.")) from None
            if not (low.is_finite() and high.is_finite() and low < high):
                raise _fail(where, _("A scale needs a minimum below its maximum."))
        else:
            raise _fail(where, _("A criterion is options or a scale."))


@transaction.atomic
def create_distribution_rule(
    *,
    actor: User | None,
    name: str,
    priority: int,
    members: Iterable[User],
    provinces: str = "",
    cities: str = "",
    product_line: Category | None = None,
    strategy: str = RuleStrategy.WORKLOAD,
) -> DistributionRule:
    require(actor, perms.RULE_CREATE.code)
    members = list(members)
    if not (name or "").strip():
        raise _fail("name", _("A name is required."))
    if strategy not in RuleStrategy.values:
        raise _fail("strategy", _("Unknown strategy."))
    if not members:
        raise _fail("members", _("A rule needs at least one salesperson."))
    if any(str(m.role) not in perms.OWNER_ROLES for m in members):
        raise _fail("members", _("Only salespeople and managers can be given leads."))
    rule = DistributionRule.objects.create(
        name=name.strip(),
        priority=priority,
        provinces=provinces or "",
        cities=cities or "",
        product_line=product_line,
        strategy=strategy,
    )
    rule.members.set(members)
    audit.record(
        actor=actor,
        action="leads.distributionrule.created",
        obj=rule,
        changes={"priority": [None, priority], "members": [None, [m.pk for m in members]]},
    )
    return rule


# --- web form keys ------------------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class IssuedKey:
    key: LeadFormKey
    raw: str


@transaction.atomic
def create_form_key(
    *,
    actor: User | None,
    name: str,
    campaign: Campaign | None = None,
    source: str = LeadSource.WEBSITE,
) -> IssuedKey:
    """A key for a public web form; the raw key is shown once and only its hash is kept."""
    require(actor, perms.FORM_KEY_CREATE.code)
    if not (name or "").strip():
        raise _fail("name", _("A name is required."))
    raw = "lf_" + secrets.token_urlsafe(24)
    key = LeadFormKey.objects.create(
        name=name.strip(),
        prefix=raw[:11],
        key_hash=_hash(raw),
        campaign=campaign,
        source=source,
        created_by=actor,
    )
    audit.record(actor=actor, action="leads.leadformkey.issued", obj=key)
    return IssuedKey(key, raw)


def authenticate_form_key(raw: str) -> LeadFormKey | None:
    """The active form key ``raw`` is, or None."""
    if not raw:
        return None
    return (
        LeadFormKey.objects.unrestricted()
        .select_related("campaign")
        .filter(key_hash=_hash(raw), is_active=True)
        .first()
    )


# --- leads --------------------------------------------------------------------------------


def _clean_lead(data: Mapping[str, Any]) -> dict[str, Any]:
    """The lead's fields from ``data``, stripped and checked; raises with every bad field."""
    values = {name: data.get(name) for name in LEAD_FIELDS if name in data}
    for name in ("contact_name", "company", "phone", "email", "province", "city"):
        values[name] = str(values.get(name) or "").strip()
    for name in ("industry", "need", "medium"):
        values[name] = str(values.get(name) or "").strip()
    errors: dict[str, list[str]] = {}
    if not values["contact_name"]:
        errors["contact_name"] = [_("A contact name is required.")]
    if not values["phone"] and not values["email"]:
        errors["phone"] = [_("Give a phone number or an email address.")]
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    values["source"] = values.get("source") or LeadSource.OTHER
    if values["source"] not in LeadSource.values:
        errors["source"] = [_("Unknown source.")]
    external = str(values.get("external_id") or "").strip()
    values["external_id"] = external or None
    limits = {"contact_name": 100, "company": 200, "phone": 40, "province": 30, "city": 30}
    for name, limit in limits.items():
        if len(values[name] or "") > limit:
            errors[name] = [_("At most %(count)d characters.") % {"count": limit}]
    if errors:
        raise ValidationFailed(fields=errors)
    return values


@transaction.atomic
def create_lead(
    *,
    actor: User | None,
    data: Mapping[str, Any],
    answers: Mapping[str, Any] | None = None,
    created_via: str = "",
) -> Lead:
    """A lead typed in (or posted, or imported): recorded, then evaluated and routed when
    ``answers`` are given and an evaluation model applies."""
    require(actor, perms.LEAD_CREATE.code)
    return _create_lead(actor=actor, data=data, answers=answers, created_via=created_via)


def _create_lead(
    *,
    actor: User | str | None,  # a person, or a label such as "form:<key prefix>"
    data: Mapping[str, Any],
    answers: Mapping[str, Any] | None,
    created_via: str,
) -> Lead:
    values = _clean_lead(data)
    if values["external_id"] and (
        Lead.objects.unrestricted().filter(external_id=values["external_id"]).exists()
    ):
        raise _fail("external_id", _("A lead with this external id already exists."))
    lead = Lead.objects.create(**values, created_by=actor if _is_person(actor) else None)
    changes = audit.diff({}, audit.snapshot(lead, [*LEAD_FIELDS, "status"]))
    if created_via:
        changes["created_via"] = [None, created_via]
    audit.record(actor=actor, action="leads.lead.created", obj=lead, changes=changes)
    if answers:
        _evaluate(actor=actor, lead=lead, answers=answers, revisit_on=None)
    return lead


def _is_person(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


@transaction.atomic
def capture_lead(*, form_key: LeadFormKey, data: Mapping[str, Any], remote_addr: str = "") -> Lead:
    """A lead a public web form posted with ``form_key``: rate-limited per key and per
    address (``LEADS_CAPTURE_PER_MINUTE`` each), validated like a typed-in lead, its source
    and campaign taken from the key."""
    minute = int(timezone.now().timestamp() // 60)
    for who in (f"key{form_key.pk}", f"ip{remote_addr}"):
        bucket = f"leads:capture:{who}:{minute}"
        cache.add(bucket, 0, timeout=120)
        if cache.incr(bucket) > policy.capture_per_minute():
            raise RateLimited(extra={"retry_after": 60})
    values = {name: data.get(name) for name in LEAD_FIELDS if name in data}
    values.pop("external_id", None)
    values["source"] = form_key.source
    values["campaign"] = form_key.campaign
    values.pop("product_line", None)
    actor_label = f"form:{form_key.prefix}"
    return _create_lead(actor=actor_label, data=values, answers=None, created_via=actor_label)


def model_for(lead: Lead) -> EvaluationModel | None:
    """The active evaluation model for the lead (``rules.pick_model``)."""
    models = list(
        EvaluationModel.objects.unrestricted().filter(is_active=True).order_by("name", "id")
    )
    return rules.pick_model(models, lead.product_line_id, lead.industry)


def criteria_specs(model: EvaluationModel) -> list[rules.CriterionSpec]:
    criteria = Criterion.objects.unrestricted().filter(model=model).prefetch_related("options")
    return [
        rules.CriterionSpec(
            id=c.pk,
            name=c.name,
            weight=c.weight,
            kind=c.kind,
            options=tuple(rules.OptionSpec(o.pk, o.label, o.points) for o in c.options.all()),
            scale_min=c.scale_min,
            scale_max=c.scale_max,
        )
        for c in criteria
    ]


@transaction.atomic
def evaluate_lead(
    *,
    actor: User | None,
    lead: Lead,
    expected_version: int,
    answers: Mapping[str, Any],
    model: EvaluationModel | None = None,
    revisit_on: dt.date | None = None,
) -> Lead:
    """Score the lead under its model and route it: qualified → distributed to sales (or the
    pool if no rule gives an owner); not qualified → the nurture pool, to look at again on
    ``revisit_on`` (default: in ``LEADS_NURTURE_DAYS``)."""
    require(actor, perms.LEAD_EVALUATE.code)
    if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        raise Conflict(_("This lead is closed."))
    update_versioned(lead, expected_version=expected_version, changes={})
    return _evaluate(actor=actor, lead=lead, answers=answers, revisit_on=revisit_on, model=model)


def _evaluate(
    *,
    actor: Any,
    lead: Lead,
    answers: Mapping[str, Any],
    revisit_on: dt.date | None,
    model: EvaluationModel | None = None,
) -> Lead:
    model = model or model_for(lead)
    if model is None:
        raise _fail("answers", _("No evaluation model applies to this lead."))
    specs = criteria_specs(model)
    answers = {str(k): v for k, v in answers.items() if v not in (None, "")}
    unknown = set(answers) - {str(s.id) for s in specs}
    if unknown:
        raise _fail(
            "answers",
            _("Answers to criteria of another model: %(ids)s")
            % {"ids": ", ".join(sorted(unknown))},
        )
    try:
        result = rules.score_lead(specs, answers, model.threshold)
    except (ValueError, InvalidOperation):
        raise _fail(
            "answers", _("An answer is not one of the criterion's options or not a number.")
        ) from None
    before = audit.snapshot(lead, AUDIT_FIELDS)
    lead.evaluation_model = model
    lead.answers = answers
    lead.score = result.total
    lead.qualified = result.qualified
    lead.score_breakdown = [
        {
            "criterion": c.criterion_id,
            "name": c.name,
            "weight": c.weight,
            "answer": c.answer,
            "points": str(c.points),
        }
        for c in result.contributions
    ]
    lead.save()
    audit.record(
        actor=actor,
        action="leads.lead.evaluated",
        obj=lead,
        changes=audit.diff(before, audit.snapshot(lead, AUDIT_FIELDS)),
    )
    if result.qualified:
        if lead.owner_id is None:
            _distribute(actor=actor, lead=lead)
    else:
        _to_nurture(actor=actor, lead=lead, revisit_on=revisit_on)
    return lead


def _to_nurture(*, actor: Any, lead: Lead, revisit_on: dt.date | None) -> None:
    before = audit.snapshot(lead, AUDIT_FIELDS)
    previous = lead.owner
    lead.status = LeadStatus.NURTURE
    lead.owner = None
    lead.revisit_on = revisit_on or timezone.localdate() + dt.timedelta(days=policy.nurture_days())
    lead.sla_due_at = None
    lead.save()
    reason = _("Below the threshold: marketing nurtures it until %(date)s.") % {
        "date": lead.revisit_on.isoformat()
    }
    _log_assignment(actor, lead, AssignmentKind.NURTURE, None, previous, None, reason)
    audit.record(
        actor=actor,
        action="leads.lead.assigned",
        obj=lead,
        changes=audit.diff(before, audit.snapshot(lead, AUDIT_FIELDS)),
    )


def _log_assignment(
    actor: Any,
    lead: Lead,
    kind: str,
    owner: User | None,
    previous: User | None,
    rule: DistributionRule | None,
    reason: str,
) -> LeadAssignment:
    return LeadAssignment.objects.create(
        lead=lead,
        kind=kind,
        owner=owner,
        previous_owner=previous,
        rule=rule,
        reason=reason[:300],
        actor=actor if _is_person(actor) else None,
    )


def rule_specs() -> tuple[list[rules.RuleSpec], dict[int, DistributionRule]]:
    found = list(
        DistributionRule.objects.unrestricted().filter(is_active=True).prefetch_related("members")
    )
    specs = [
        rules.RuleSpec(
            id=r.pk,
            name=r.name,
            priority=r.priority,
            members=tuple(m.pk for m in r.members.all()),
            provinces=rules.places(r.provinces),
            cities=rules.places(r.cities),
            product_line_id=r.product_line_id,
            strategy=r.strategy,
        )
        for r in found
    ]
    return specs, {r.pk: r for r in found}


def loads(people: Iterable[int]) -> dict[int, rules.Load]:
    """Each person's open leads (+ open opportunities) and when they last got a lead."""
    people = list(people)
    open_leads = dict(
        Lead.objects.unrestricted()
        .filter(owner__in=people, status__in=OPEN_STATUSES)
        .values_list("owner")
        .annotate(n=Count("id"))
    )
    extra = dict(
        Opportunity.objects.unrestricted()
        .filter(owner__in=people, stage__kind=StageKind.OPEN)
        .values_list("owner")
        .annotate(n=Count("id"))
    )
    last = dict(
        LeadAssignment.objects.unrestricted()
        .filter(owner__in=people)
        .values_list("owner")
        .annotate(at=Max("at"))
    )
    return {p: rules.Load(open_leads.get(p, 0) + extra.get(p, 0), last.get(p)) for p in people}


def _available_people(specs: Sequence[rules.RuleSpec]) -> list[int]:
    members = {m for spec in specs for m in spec.members}
    return list(
        User.objects.unrestricted()
        .filter(pk__in=members, is_active=True, role__in=perms.OWNER_ROLES)
        .values_list("pk", flat=True)
    )


def _distribute(*, actor: Any, lead: Lead) -> rules.Decision:
    specs, by_id = rule_specs()
    available = _available_people(specs)
    decision = rules.distribute(
        rules.LeadFacts(lead.province, lead.city, lead.product_line_id),
        specs,
        available,
        loads(available),
    )
    before = audit.snapshot(lead, AUDIT_FIELDS)
    previous = lead.owner
    now = timezone.now()
    rule = by_id.get(decision.rule_id) if decision.rule_id else None
    if decision.owner_id is None:
        lead.status, lead.owner = LeadStatus.POOL, None
        lead.assigned_at = lead.sla_due_at = None
        kind = AssignmentKind.RECYCLE
    else:
        lead.status = LeadStatus.ASSIGNED
        lead.owner = User.objects.unrestricted().get(pk=decision.owner_id)
        lead.assigned_at = now
        lead.sla_due_at = now + dt.timedelta(hours=policy.sla_hours())
        lead.contacted_at = lead.last_worked_at = None
        kind = AssignmentKind.RULE
    lead.assignment_rule = rule
    lead.assignment_reason = decision.reason[:300]
    lead.revisit_on = None
    lead.save()
    _log_assignment(actor, lead, kind, lead.owner, previous, rule, decision.reason)
    audit.record(
        actor=actor,
        action="leads.lead.assigned",
        obj=lead,
        changes=audit.diff(before, audit.snapshot(lead, AUDIT_FIELDS)),
    )
    return decision


@transaction.atomic
def distribute_lead(*, actor: User | None, lead: Lead, expected_version: int) -> rules.Decision:
    """Run the distribution rules for a qualified lead that has no owner (new or in the pool)."""
    require(actor, perms.LEAD_DISTRIBUTE.code)
    if not lead.qualified:
        raise Conflict(_("Only a qualified lead is distributed to sales; evaluate it first."))
    if lead.owner_id is not None:
        raise Conflict(_("This lead already has an owner; reassign it instead."))
    update_versioned(lead, expected_version=expected_version, changes={})
    return _distribute(actor=actor, lead=lead)


@dataclass(frozen=True)
class Distributed:
    """What :func:`distribute_leads` did: leads given an owner, and leads no rule could place
    (they are in the pool, each with the reason why nobody took it)."""

    assigned: int
    pooled: int


# Audited fields distribution changes (the rest of AUDIT_FIELDS stay as they are).
_DISTRIBUTED_AUDIT = ["status", "owner", "revisit_on", "assignment_rule", "assignment_reason"]
# Columns :func:`distribute_leads` writes on each lead (the rest stay as they are).
_DISTRIBUTED_COLUMNS = (
    "status",
    "owner",
    "assigned_at",
    "sla_due_at",
    "contacted_at",
    "last_worked_at",
    "assignment_rule",
    "assignment_reason",
    "revisit_on",
)


@transaction.atomic
def distribute_leads(*, actor: Any, leads: Iterable[int] | None = None) -> Distributed:
    """Run the distribution rules for every qualified lead that has no owner (or for those of
    ``leads``, ids), oldest first, at once (分配): each lead gets the owner, rule and reason it
    would get from :func:`distribute_lead` called on them one by one in that order — each pick
    counts in the workload (and the round-robin turn) of the next — and a lead no rule places
    goes to the pool with the reason. Written set-based: one UPDATE statement per lead in one
    batch, the assignment log and one audit entry per lead in batched INSERTs."""
    require(actor, perms.LEAD_DISTRIBUTE.code)
    waiting = (
        Lead.objects.unrestricted()
        .filter(qualified=True, owner__isnull=True)
        .exclude(status__in=(LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED))
        .order_by("created_at", "id")
    )
    if leads is not None:
        waiting = waiting.filter(pk__in=list(leads))
    todo = list(waiting.only("id", *LEAD_FIELDS, *AUDIT_FIELDS))
    if not todo:
        return Distributed(assigned=0, pooled=0)
    specs, by_id = rule_specs()
    available = _available_people(specs)
    workload = loads(available)
    now = timezone.now()
    due = now + dt.timedelta(hours=policy.sla_hours())
    assigned = 0
    rows: list[list[Any]] = []
    log: list[list[Any]] = []
    entries: list[tuple[Lead, dict[str, Any]]] = []
    # the database form of the two moments every assigned lead gets
    assigned_at = Lead._meta.get_field("assigned_at")
    assert isinstance(assigned_at, models.DateTimeField)
    stamp, due_stamp = (assigned_at.get_db_prep_save(v, connection) for v in (now, due))
    for step, lead in enumerate(todo):
        decision = rules.distribute(
            rules.LeadFacts(lead.province, lead.city, lead.product_line_id),
            specs,
            available,
            workload,
        )
        # one by one, each assignment is logged a moment after the one before: the
        # round-robin turn of the next lead reads that order
        at = now + dt.timedelta(microseconds=step)
        # only these audited fields change here, so their diff is the whole lead's diff
        before = audit.snapshot(lead, _DISTRIBUTED_AUDIT)
        rule_id = decision.rule_id if decision.rule_id in by_id else None
        reason = decision.reason[:300]
        if decision.owner_id is None:
            lead.status, lead.owner_id, kind = LeadStatus.POOL, None, AssignmentKind.RECYCLE
            rows.append([LeadStatus.POOL, None, None, None, None, None, rule_id, reason, None])
        else:
            lead.status, lead.owner_id, kind = (
                LeadStatus.ASSIGNED,
                decision.owner_id,
                AssignmentKind.RULE,
            )
            rows.append(
                [
                    LeadStatus.ASSIGNED,
                    decision.owner_id,
                    stamp,
                    due_stamp,
                    None,
                    None,
                    rule_id,
                    reason,
                    None,
                ]
            )
            load = workload.get(decision.owner_id, rules.Load())
            workload[decision.owner_id] = rules.Load(load.open_items + 1, at)
            assigned += 1
        rows[-1].append(lead.pk)
        lead.assignment_rule_id, lead.assignment_reason, lead.revisit_on = rule_id, reason, None
        log.append([lead.pk, kind, lead.owner_id, None, rule_id, reason, at])
        entries.append((lead, audit.diff(before, audit.snapshot(lead, _DISTRIBUTED_AUDIT))))
    _update_distributed(rows)
    template = LeadAssignment(reason="", actor=actor if _is_person(actor) else None, at=now)
    insert_rows(
        LeadAssignment,
        template,
        ["lead_id", "kind", "owner_id", "previous_owner_id", "rule_id", "reason", "at"],
        log,
    )
    audit.record_many(actor=actor or "system", action="leads.lead.assigned", entries=entries)
    return Distributed(assigned=assigned, pooled=len(todo) - assigned)


def _update_distributed(rows: list[list[Any]]) -> None:
    """``UPDATE`` each lead's distributed columns (and its version), in one ``executemany``;
    ``rows`` are the values of ``_DISTRIBUTED_COLUMNS`` in database form, then the lead's id."""
    quote = connection.ops.quote_name
    columns = [str(getattr(Lead._meta.get_field(c), "column", c)) for c in _DISTRIBUTED_COLUMNS]
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    version = quote("version")
    sql = (
        f"UPDATE {quote(Lead._meta.db_table)} SET {assignments},"  # noqa: S608 - our own names
        f" {version} = {version} + 1 WHERE {quote(str(Lead._meta.pk.column))} = %s"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # 10k single-row UPDATEs took 0.9 s; COPY into a scratch table of the same
            # columns and one UPDATE … FROM it, 0.1 s (bench/bench_pipeline.py)
            table, key = quote(Lead._meta.db_table), quote(str(Lead._meta.pk.column))
            named = ", ".join(quote(c) for c in columns)
            cursor.execute(
                f"CREATE TEMP TABLE leads_distributed AS SELECT {named}, {key}"  # noqa: S608
                f" FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY leads_distributed ({named}, {key}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            moved = ", ".join(f"{quote(c)} = d.{quote(c)}" for c in columns)
            cursor.execute(
                f"UPDATE {table} SET {moved}, {version} = {table}.{version} + 1"  # noqa: S608
                f" FROM leads_distributed d WHERE {table}.{key} = d.{key}"
            )
            cursor.execute("DROP TABLE leads_distributed")
            return
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


@transaction.atomic
def reassign_lead(
    *, actor: User | None, lead: Lead, expected_version: int, owner: User, reason: str
) -> Lead:
    """A manager gives the lead to someone else, saying why."""
    require(actor, perms.LEAD_REASSIGN.code)
    reason = (reason or "").strip()
    if not reason:
        raise _fail("reason", _("Say why the lead changes hands."))
    if not owner.is_active or str(owner.role) not in perms.OWNER_ROLES:
        raise _fail("owner", _("Only salespeople and managers can be given leads."))
    if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        raise Conflict(_("This lead is closed."))
    before = audit.snapshot(lead, AUDIT_FIELDS)
    previous = lead.owner
    now = timezone.now()
    update_versioned(
        lead,
        expected_version=expected_version,
        changes={
            "owner": owner,
            "status": LeadStatus.ASSIGNED,
            "assigned_at": now,
            "sla_due_at": now + dt.timedelta(hours=policy.sla_hours()),
            "contacted_at": None,
            "last_worked_at": None,
            "assignment_rule": None,
            "assignment_reason": reason[:300],
            "revisit_on": None,
        },
    )
    _log_assignment(actor, lead, AssignmentKind.REASSIGN, owner, previous, None, reason)
    audit.record(
        actor=actor,
        action="leads.lead.handed_over",
        obj=lead,
        changes={**audit.diff(before, audit.snapshot(lead, AUDIT_FIELDS)), "why": [None, reason]},
    )
    return lead


@transaction.atomic
def claim_lead(*, actor: User, lead: Lead) -> Lead:
    """A salesperson takes a lead from the pool (公海), while holding fewer open leads than the
    claim limit. Two claims of one lead: exactly one wins, the other gets 409."""
    require(actor, perms.LEAD_CLAIM.code)
    lead_id = lead.pk
    found = Lead.objects.unrestricted().filter(pk=lead_id, status=LeadStatus.POOL).first()
    if found is None:
        raise Conflict(
            _("Someone else claimed this lead first."), code=LeadErrorCode.ALREADY_CLAIMED
        )
    held = Lead.objects.unrestricted().filter(owner=actor, status__in=OPEN_STATUSES).count()
    limit = policy.claim_limit()
    if held >= limit:
        raise Conflict(
            _("You already hold %(held)d open leads; the limit for claiming is %(limit)d.")
            % {"held": held, "limit": limit},
            code=LeadErrorCode.CLAIM_LIMIT,
        )
    now = timezone.now()
    taken = (
        Lead.objects.unrestricted()
        .filter(pk=lead_id, status=LeadStatus.POOL, version=found.version)
        .update(
            owner=actor,
            status=LeadStatus.ASSIGNED,
            assigned_at=now,
            sla_due_at=now + dt.timedelta(hours=policy.sla_hours()),
            contacted_at=None,
            last_worked_at=None,
            assignment_rule=None,
            assignment_reason=_("Claimed from the pool."),
            version=found.version + 1,
        )
    )
    if taken != 1:
        raise Conflict(
            _("Someone else claimed this lead first."), code=LeadErrorCode.ALREADY_CLAIMED
        )
    lead = Lead.objects.unrestricted().get(pk=lead_id)
    _log_assignment(
        actor, lead, AssignmentKind.CLAIM, actor, None, None, _("Claimed from the pool.")
    )
    audit.record(
        actor=actor,
        action="leads.lead.claimed",
        obj=lead,
        changes={"owner": [None, actor.pk], "status": [LeadStatus.POOL, LeadStatus.ASSIGNED]},
    )
    return lead


@transaction.atomic
def record_contact(
    *, actor: User | None, lead: Lead, expected_version: int, note: str = ""
) -> Lead:
    """The owner reached the lead (the SLA's first contact), or worked it again."""
    require(actor, perms.LEAD_CONTACT.code)
    if lead.status not in OPEN_STATUSES:
        raise Conflict(_("Only a lead assigned to sales is contacted."))
    now = timezone.now()
    changes: dict[str, Any] = {"last_worked_at": now, "status": LeadStatus.WORKING}
    if lead.contacted_at is None:
        changes["contacted_at"] = now
    before = audit.snapshot(lead, ["status"])
    update_versioned(lead, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action="leads.lead.contacted",
        obj=lead,
        changes={
            **audit.diff(before, audit.snapshot(lead, ["status"])),
            "note": [None, note[:500]],
        },
    )
    return lead


def recycle_stale_leads(*, actor: Any = None, now: dt.datetime | None = None) -> int:
    """Leads nobody worked within ``LEADS_RECYCLE_DAYS`` go back to the pool (公海); the
    scheduler calls this daily (``salescope leads_recycle``). Returns how many went back."""
    require(actor, perms.POOL_RECYCLE.code)
    now = now or timezone.now()
    days = policy.recycle_days()
    cutoff = now - dt.timedelta(days=days)
    stale = (
        Lead.objects.unrestricted()
        .filter(status__in=OPEN_STATUSES)
        .filter(
            Q(last_worked_at__lte=cutoff) | Q(last_worked_at__isnull=True, assigned_at__lte=cutoff)
        )
        .select_related("owner")
    )
    moved = 0
    for lead in stale:
        if not rules.is_stale(
            last_worked=lead.last_worked_at, assigned=lead.assigned_at, now=now, days=days
        ):
            continue
        with transaction.atomic():
            previous = lead.owner
            changed = (
                Lead.objects.unrestricted()
                .filter(pk=lead.pk, version=lead.version)
                .update(
                    owner=None,
                    status=LeadStatus.POOL,
                    sla_due_at=None,
                    assignment_rule=None,
                    assignment_reason="",
                    version=lead.version + 1,
                )
            )
            if not changed:
                continue
            reason = _("Nobody worked it for %(days)d days.") % {"days": days}
            _log_assignment(actor, lead, AssignmentKind.RECYCLE, None, previous, None, reason)
            audit.record(
                actor=actor or "system",
                action="leads.lead.returned",
                obj=lead,
                changes={"owner": [previous.pk if previous else None, None], "why": [None, reason]},
            )
            moved += 1
    return moved


@transaction.atomic
def convert_lead(
    *,
    actor: User,
    lead: Lead,
    expected_version: int,
    name: str = "",
    amount: Any = None,
    expected_close: dt.date | None = None,
    pipeline: Pipeline | None = None,
    customer: Any = None,
) -> Any:
    """Turn a qualified lead its owner works into an opportunity (商机) for that owner, in the
    pipeline of the lead's product line (or ``pipeline``), carrying its source and campaign.
    The lead keeps a link to the opportunity and is closed as converted."""
    require(actor, perms.LEAD_CONVERT.code)
    if lead.status not in OPEN_STATUSES or lead.owner is None:
        raise Conflict(
            _("Only a lead a salesperson holds is converted."), code=LeadErrorCode.NOT_CONVERTIBLE
        )
    if not lead.qualified:
        raise Conflict(
            _("Only a qualified lead becomes an opportunity."), code=LeadErrorCode.NOT_QUALIFIED
        )
    pipeline = pipeline or pipeline_for(lead)
    if pipeline is None:
        raise _fail("pipeline", _("No pipeline is set up for this lead's product line."))
    update_versioned(lead, expected_version=expected_version, changes={})
    opportunity = pipeline_services.create_opportunity(
        actor=actor,
        name=(name or "").strip() or f"{lead.company or lead.contact_name} {lead.need}"[:200],
        owner=lead.owner,
        pipeline=pipeline,
        customer=customer,
        amount=amount,
        expected_close=expected_close,
        source=str(LeadSource(lead.source).label),
        campaign=lead.campaign.name[:100] if lead.campaign else "",
        decision_maker=lead.contact_name,
    )
    before = audit.snapshot(lead, ["status"])
    lead.status = LeadStatus.CONVERTED
    lead.opportunity = opportunity
    lead.converted_at = timezone.now()
    lead.contacted_at = lead.contacted_at or lead.converted_at
    lead.last_worked_at = lead.converted_at
    lead.save()
    audit.record(
        actor=actor,
        action="leads.lead.converted",
        obj=lead,
        changes={
            **audit.diff(before, audit.snapshot(lead, ["status"])),
            "opportunity": [None, opportunity.pk],
        },
    )
    return opportunity


def pipeline_for(lead: Lead) -> Pipeline | None:
    """The active pipeline of the lead's product line, else the only active one."""
    pipelines = list(Pipeline.objects.unrestricted().filter(is_active=True).order_by("name"))
    own = [p for p in pipelines if p.product_line_id and p.product_line_id == lead.product_line_id]
    if own:
        return own[0]
    general = [p for p in pipelines if p.product_line_id is None]
    if general:
        return general[0]
    return pipelines[0] if len(pipelines) == 1 else None


# --- import -------------------------------------------------------------------------------


def import_leads(
    *,
    actor: User | None,
    path: Path | str,
    dry_run: bool = False,
    mapping: Mapping[str, str] | None = None,
    complete_mapping: bool = False,
) -> ImportResult:
    """Leads from a CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX file, Chinese or English headers,
    on the one import framework (``leads.importing``): a re-import of the same file changes
    nothing, a changed row updates its lead, every refused row is named with its line, column
    and reason; good rows land. ``mapping``: source header → field (``--map``)."""
    options = ImportOptions(
        mapping=dict(mapping or {}), dry_run=dry_run, complete_mapping=complete_mapping
    )
    return importing.import_leads(actor=actor, path=path, options=options)
