"""Every write to pipelines and opportunities: create (also from a qualified lead), update,
move between stages through the gate, win, lose, note, the manager's forecast adjustment.
Each one transaction, one audit entry; stage moves and notes also go on the timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salescope.catalog.models import Product
from salescope.core import audit
from salescope.core.concurrency import update_versioned
from salescope.core.errors import Conflict, PermissionDenied, ValidationFailed
from salescope.core.importing.common import ImportOptions, ImportResult, Progress
from salescope.core.money import to_fen
from salescope.ledger import services as ledger_services  # below us: a won deal's order
from salescope.org.models import User
from salescope.org.permissions import allows, require
from salescope.pipeline import importing, rules
from salescope.pipeline import permissions as perms
from salescope.pipeline.choices import ForecastCategory, LostReason, PipelineErrorCode, StageKind
from salescope.pipeline.models import (
    ForecastAdjustment,
    Opportunity,
    Pipeline,
    Stage,
    StageChange,
    WinModel,
)
from salescope.timeline.choices import EventKind
from salescope.timeline.services import record_event

EDITABLE_FIELDS = [
    "name",
    "customer",
    "owner",
    "amount_fen",
    "expected_close",
    "probability",
    "forecast_category",
    "source",
    "campaign",
    "next_step",
    "decision_maker",
    "competitor",
    "checklist_done",
]
AUDIT_FIELDS = [*EDITABLE_FIELDS, "stage", "lost_reason", "lost_note", "closed_at"]


def _fen(amount: Decimal | int | str | None) -> int:
    if amount is None or amount == "":
        return 0
    return to_fen(amount)


def _validate(changes: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "name" in changes and not str(changes["name"] or "").strip():
        errors["name"] = [_("A name is required.")]
    if changes.get("amount_fen") is not None and changes["amount_fen"] < 0:
        errors["amount"] = [_("The amount cannot be negative.")]
    probability = changes.get("probability")
    if probability is not None and not 0 <= int(probability) <= 100:
        errors["probability"] = [_("A probability is between 0 and 100.")]
    category = changes.get("forecast_category")
    if category is not None and category not in ForecastCategory.values:
        errors["forecast_category"] = [_("Unknown forecast category.")]
    owner = changes.get("owner")
    if "owner" in changes and (owner is None or not owner.is_active):
        errors["owner"] = [_("The owner must be an active person.")]
    checklist = changes.get("checklist_done")
    if checklist is not None and not isinstance(checklist, list):
        errors["checklist_done"] = [_("A list of ticked items is expected.")]
    if errors:
        raise ValidationFailed(fields=errors)


def _first_stage(pipeline: Pipeline) -> Stage:
    stage = (
        Stage.objects.unrestricted()
        .filter(pipeline=pipeline, kind=StageKind.OPEN)
        .order_by("order")
        .first()
    )
    if stage is None:
        raise ValidationFailed(fields={"pipeline": [_("This pipeline has no open stage.")]})
    return stage


@transaction.atomic
def create_opportunity(  # noqa: PLR0913 - an opportunity's whole first state
    *,
    actor: User,
    name: str,
    owner: User,
    pipeline: Pipeline,
    customer: Any = None,
    amount: Decimal | int | str | None = None,
    expected_close: dt.date | None = None,
    stage: Stage | None = None,
    source: str = "",
    campaign: str = "",
    next_step: str = "",
    decision_maker: str = "",
    competitor: str = "",
    created_at: dt.datetime | None = None,
) -> Opportunity:
    """Open an opportunity (商机) for ``owner`` in ``pipeline``'s first open stage (or
    ``stage``), at that stage's default probability and forecast category.

    The leads app calls this when it converts a qualified lead: ``source`` and ``campaign``
    carry the lead's origin (C1). ``amount`` is in yuan (Decimal or text); ``customer`` may be
    None (a deal with no account yet). The actor needs ``pipeline.opportunity.create``; an
    owner other than the actor is the actor's choice (a manager or marketing assigning it).
    Records the first stage change and a timeline event; audited as
    ``pipeline.opportunity.created``.
    """
    require(actor, perms.OPPORTUNITY_CREATE.code)
    if stage is None:
        stage = _first_stage(pipeline)
    elif stage.pipeline_id != pipeline.pk:
        raise ValidationFailed(
            code=PipelineErrorCode.WRONG_PIPELINE,
            fields={"stage": [_("This stage belongs to another pipeline.")]},
        )
    at = created_at or timezone.now()
    changes: dict[str, Any] = {
        "name": (name or "").strip(),
        "owner": owner,
        "customer": customer,
        "amount_fen": _fen(amount),
        "expected_close": expected_close,
        "source": source or "",
        "campaign": campaign or "",
        "next_step": next_step or "",
        "decision_maker": decision_maker or "",
        "competitor": competitor or "",
    }
    _validate(changes)
    opportunity = Opportunity(
        **changes,
        pipeline=pipeline,
        stage=stage,
        probability=stage.probability,
        forecast_category=stage.forecast_category,
        furthest_order=0 if stage.kind == StageKind.LOST else stage.order,
        stage_entered_at=at,
        created_at=at,
        closed_at=at if stage.is_closed else None,
    )
    opportunity.save()
    StageChange.objects.create(
        opportunity=opportunity, from_stage=None, to_stage=stage, at=at, actor=actor
    )
    audit.record(
        actor=actor,
        action="pipeline.opportunity.created",
        obj=opportunity,
        changes=audit.diff({}, audit.snapshot(opportunity, AUDIT_FIELDS)),
    )
    record_event(
        actor=actor,
        customer=customer,
        subject=opportunity,
        kind=EventKind.OPPORTUNITY_CREATED,
        summary=_("Opportunity %(name)s opened at %(stage)s")
        % {"name": opportunity.name, "stage": stage.name},
        at=at,
    )
    return opportunity


@transaction.atomic
def update_opportunity(
    *, actor: User, opportunity: Opportunity, expected_version: int, changes: dict[str, Any]
) -> Opportunity:
    """Change an opportunity's fields (not its stage: see :func:`move_opportunity_to_stage`).
    ``amount`` in yuan is accepted for ``amount_fen``. Giving it to another owner is a
    manager's act."""
    require(actor, perms.OPPORTUNITY_CHANGE.code)
    changes = dict(changes)
    if "amount" in changes:
        changes["amount_fen"] = _fen(changes.pop("amount"))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={f: [_("This field cannot be changed.")] for f in unknown})
    before = audit.snapshot(opportunity, AUDIT_FIELDS)
    really = {k: v for k, v in changes.items() if audit.json_value(v) != before.get(k)}
    if "owner" in really and not allows(actor, perms.GATE_OVERRIDE.code):
        raise PermissionDenied(fields={"owner": [_("You may not change this field.")]})
    _validate(really)
    if not really:
        return opportunity
    update_versioned(opportunity, expected_version=expected_version, changes=really)
    audit.record(
        actor=actor,
        action="pipeline.opportunity.updated",
        obj=opportunity,
        changes=audit.diff(before, audit.snapshot(opportunity, AUDIT_FIELDS)),
    )
    return opportunity


def gate_for(opportunity: Opportunity, stage: Stage | None = None) -> rules.Gate:
    """The exit criteria of ``stage`` (default: the opportunity's own) against it."""
    stage = stage or opportunity.stage
    values = {name: getattr(opportunity, name, None) for name in rules.GATE_FIELDS}
    values["amount"] = opportunity.amount_fen
    return rules.check_gate(
        required_fields=stage.required_fields or [],
        checklist=stage.checklist or [],
        values=values,
        done=opportunity.checklist_done or [],
    )


def _gates_between(opportunity: Opportunity, target: Stage) -> rules.Gate:
    """Every open stage left behind on the way to ``target``: their criteria together."""
    passed = (
        Stage.objects.unrestricted()
        .filter(
            pipeline_id=opportunity.pipeline_id,
            kind=StageKind.OPEN,
            order__gte=opportunity.stage.order,
            order__lt=target.order,
        )
        .order_by("order")
    )
    fields: list[str] = []
    items: list[str] = []
    for stage in passed:
        gate = gate_for(opportunity, stage)
        fields += [f for f in gate.missing_fields if f not in fields]
        items += [i for i in gate.missing_items if i not in items]
    return rules.Gate(missing_fields=tuple(fields), missing_items=tuple(items))


@transaction.atomic
def move_opportunity_to_stage(  # noqa: PLR0913 - a move's whole context
    *,
    actor: User,
    opportunity: Opportunity,
    stage: Stage,
    expected_version: int,
    override_reason: str = "",
    lost_reason: str = "",
    lost_note: str = "",
    at: dt.datetime | None = None,
) -> Opportunity:
    """Move to ``stage``. Forward (and to won) passes the gate of every stage left behind,
    unless a manager overrides it with a written reason; backward is always allowed. Lost
    needs a reason. Probability and forecast category take the new stage's defaults."""
    require(actor, perms.OPPORTUNITY_MOVE.code)
    current = opportunity.stage
    if stage.pipeline_id != opportunity.pipeline_id:
        raise ValidationFailed(
            code=PipelineErrorCode.WRONG_PIPELINE,
            fields={"stage": [_("This stage belongs to another pipeline.")]},
        )
    if current.is_closed:
        raise Conflict(_("The opportunity is closed."), code=PipelineErrorCode.CLOSED)
    if stage.pk == current.pk:
        return opportunity
    override_reason = (override_reason or "").strip()
    if stage.kind == StageKind.LOST:
        if lost_reason not in LostReason.values:
            raise ValidationFailed(fields={"lost_reason": [_("Say why it was lost.")]})
    elif rules.is_forward(current.order, stage.order) or stage.kind == StageKind.WON:
        gate = _gates_between(opportunity, stage)
        if not gate.passed:
            if not override_reason:
                raise ValidationFailed(
                    _("The stage's exit criteria are not met."),
                    code=PipelineErrorCode.GATE_NOT_MET,
                    fields=_gate_fields(gate),
                )
            if not allows(actor, perms.GATE_OVERRIDE.code):
                raise PermissionDenied(
                    _("Only a manager may override a gate."),
                    code=PipelineErrorCode.OVERRIDE_REFUSED,
                )
        else:
            override_reason = ""
    else:
        override_reason = ""
    now = at or timezone.now()
    before = audit.snapshot(opportunity, AUDIT_FIELDS)
    seconds = max(0, int((now - opportunity.stage_entered_at).total_seconds()))
    changes: dict[str, Any] = {
        "stage": stage,
        "probability": stage.probability,
        "forecast_category": stage.forecast_category,
        "stage_entered_at": now,
        "closed_at": now if stage.is_closed else None,
    }
    if stage.kind != StageKind.LOST and stage.order > opportunity.furthest_order:
        changes["furthest_order"] = stage.order
    if stage.kind == StageKind.WON:
        changes["probability"] = 100
        changes["forecast_category"] = ForecastCategory.CLOSED
    if stage.kind == StageKind.LOST:
        changes.update(
            probability=0,
            forecast_category=ForecastCategory.OMITTED,
            lost_reason=lost_reason,
            lost_note=(lost_note or "").strip()[:300],
        )
    update_versioned(opportunity, expected_version=expected_version, changes=changes)
    StageChange.objects.create(
        opportunity=opportunity,
        from_stage=current,
        to_stage=stage,
        at=now,
        actor=actor,
        seconds_in_previous=seconds,
        override_reason=override_reason,
    )
    actions: dict[str, str] = {StageKind.WON.value: "won", StageKind.LOST.value: "lost"}
    action = actions.get(str(stage.kind), "moved")
    after = audit.snapshot(opportunity, AUDIT_FIELDS)
    diff = audit.diff(before, after)
    if override_reason:
        diff["override_reason"] = ["", override_reason]
    audit.record(
        actor=actor, action=f"pipeline.opportunity.{action}", obj=opportunity, changes=diff
    )
    record_event(
        actor=actor,
        customer=opportunity.customer,
        subject=opportunity,
        kind={"won": EventKind.WON, "lost": EventKind.LOST}.get(action, EventKind.STAGE_CHANGED),
        summary=_stage_summary(opportunity, current, stage, override_reason),
        at=now,
    )
    return opportunity


def _gate_fields(gate: rules.Gate) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {
        name: [_("Required to leave this stage.")] for name in gate.missing_fields
    }
    if gate.missing_items:
        fields["checklist"] = [_("Not done: %s") % item for item in gate.missing_items]
    return fields


def _stage_summary(opp: Opportunity, old: Stage, new: Stage, override: str) -> str:
    if new.kind == StageKind.LOST:
        return _("%(name)s lost: %(reason)s") % {
            "name": opp.name,
            "reason": opp.get_lost_reason_display(),
        }
    if new.kind == StageKind.WON:
        return _("%(name)s won") % {"name": opp.name}
    text = _("%(name)s: %(old)s → %(new)s") % {"name": opp.name, "old": old.name, "new": new.name}
    if override:
        text += " " + _("(gate overridden: %s)") % override
    return text


@transaction.atomic
def create_order_from_opportunity(
    *,
    actor: User,
    opportunity: Opportunity,
    lines: list[dict[str, Any]],
    date: dt.date | None = None,
    confirm: bool = False,
) -> Any:
    """The ledger order (订单) of a won opportunity, for its customer, linked to it.

    ``lines`` are ``{"sku": str, "quantity": int, "unit_price": Decimal | None}`` (or a
    ``"product"`` instead of the SKU). Goes through the ledger's ``take_order`` so the order
    permission, the customer's visibility and (with ``confirm``) the credit check are the
    ledger's own. Once only: a second attempt is a conflict (409). Audited as
    ``pipeline.opportunity.ordered`` and recorded on the timeline.
    """
    require(actor, perms.OPPORTUNITY_CHANGE.code)
    # Lock the row so two clicks cannot both create an order.
    locked = Opportunity.objects.unrestricted().select_for_update().get(pk=opportunity.pk)
    if locked.stage.kind != StageKind.WON:
        raise Conflict(
            _("Only a won opportunity can create an order."), code=PipelineErrorCode.NOT_WON
        )
    if locked.order_id is not None:
        raise Conflict(
            _("This opportunity already has its order."), code=PipelineErrorCode.ALREADY_ORDERED
        )
    if locked.customer_id is None:
        raise ValidationFailed(
            _("The opportunity has no customer."),
            code=PipelineErrorCode.NO_CUSTOMER,
            fields={"customer": [_("Set the customer before creating the order.")]},
        )
    errors: dict[str, list[str]] = {}
    resolved: list[dict[str, Any]] = []
    skus = {str(line.get("sku") or "").strip() for line in lines if not line.get("product")}
    products = {
        p.sku: p for p in Product.objects.unrestricted().filter(sku__in=skus)
    }  # the catalogue is everyone's to read
    for index, line in enumerate(lines):
        product = line.get("product") or products.get(str(line.get("sku") or "").strip())
        if product is None:
            errors[f"lines.{index}.sku"] = [_("No product with this SKU.")]
            continue
        resolved.append(
            {
                "product": product,
                "quantity": line.get("quantity"),
                "unit_price": line.get("unit_price"),
            }
        )
    if errors:
        raise ValidationFailed(fields=errors)
    order = ledger_services.take_order(
        actor=actor,
        customer=locked.customer,
        date=date or timezone.localdate(),
        lines=resolved,
        confirm=confirm,
    )
    Opportunity.objects.unrestricted().filter(pk=locked.pk).update(order=order)
    opportunity.order = order
    audit.record(
        actor=actor,
        action="pipeline.opportunity.ordered",
        obj=opportunity,
        changes={"order": ["", order.number]},
    )
    record_event(
        actor=actor,
        customer=locked.customer,
        subject=opportunity,
        kind=EventKind.ORDER,
        summary=_("Order %(number)s created from %(name)s (¥%(amount)s)")
        % {"number": order.number, "name": opportunity.name, "amount": order.amount},
    )
    return order


@transaction.atomic
def add_note(*, actor: User, opportunity: Opportunity, text: str) -> Any:
    """A note (跟进记录) on the opportunity's and its customer's timeline."""
    require(actor, perms.OPPORTUNITY_NOTE.code)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(fields={"text": [_("Write something.")]})
    event = record_event(
        actor=actor,
        customer=opportunity.customer,
        subject=opportunity,
        kind=EventKind.NOTE,
        summary=text,
    )
    audit.record(
        actor=actor,
        action="pipeline.opportunity.noted",
        obj=opportunity,
        changes={"note": ["", text[:200]]},
    )
    return event


@transaction.atomic
def adjust_forecast(
    *,
    actor: User,
    month: dt.date,
    amount: Decimal | int | str,
    note: str = "",
    expected_version: int | None = None,
) -> ForecastAdjustment:
    """The manager's own figure for ``month`` (经理调整). A first adjustment needs no version;
    changing one needs the version read (409 otherwise)."""
    require(actor, perms.FORECAST_ADJUST.code)
    month = rules.month_of(month)
    amount_fen = _fen(amount)
    if amount_fen < 0:
        raise ValidationFailed(fields={"amount": [_("The amount cannot be negative.")]})
    existing = ForecastAdjustment.objects.unrestricted().filter(manager=actor, month=month).first()
    if existing is None:
        if expected_version not in (None, 0):
            raise ValidationFailed(fields={"version": [_("There is no adjustment to change.")]})
        adjustment = ForecastAdjustment.objects.create(
            manager=actor, month=month, amount_fen=amount_fen, note=note[:300]
        )
        before: dict[str, Any] = {}
    else:
        if expected_version is None:
            expected_version = -1  # a second adjustment must say which one it replaces
        before = audit.snapshot(existing, ["amount_fen", "note"])
        adjustment = update_versioned(
            existing,
            expected_version=expected_version,
            changes={"amount_fen": amount_fen, "note": note[:300]},
        )
    audit.record(
        actor=actor,
        action="pipeline.forecast.adjusted",
        obj=adjustment,
        changes=audit.diff(before, audit.snapshot(adjustment, ["amount_fen", "note"])),
    )
    return adjustment


@transaction.atomic
def create_pipeline(
    *, actor: User, name: str, product_line: Any = None, stages: list[dict[str, Any]]
) -> Pipeline:
    """A pipeline and its stages (each a dict of Stage fields; ``order`` follows the list)."""
    require(actor, perms.PIPELINE_CONFIGURE.code)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(fields={"name": [_("A name is required.")]})
    if Pipeline.objects.unrestricted().filter(name=name).exists():
        raise ValidationFailed(fields={"name": [_("A pipeline with this name already exists.")]})
    if not any(s.get("kind", StageKind.OPEN) == StageKind.OPEN for s in stages):
        raise ValidationFailed(fields={"stages": [_("A pipeline needs an open stage.")]})
    pipeline = Pipeline.objects.create(name=name, product_line=product_line)
    for order, spec in enumerate(stages, start=1):
        bad = set(spec.get("required_fields", [])) - set(rules.GATE_FIELDS)
        if bad:
            raise ValidationFailed(
                fields={"stages": [_("Unknown required field: %s") % ", ".join(sorted(bad))]}
            )
        Stage.objects.create(pipeline=pipeline, order=order, **spec)
    audit.record(
        actor=actor,
        action="pipeline.pipeline.created",
        obj=pipeline,
        changes={"name": ["", name], "stages": [[], [s.get("name") for s in stages]]},
    )
    return pipeline


STAGE_FIELDS = [
    "name",
    "probability",
    "forecast_category",
    "required_fields",
    "checklist",
    "guidance",
    "risks",
    "rotting_days",
]


@transaction.atomic
def update_stage(
    *, actor: User, stage: Stage, expected_version: int, changes: dict[str, Any]
) -> Stage:
    """Configure a stage: its default probability, exit criteria, guidance, risks, rotting."""
    require(actor, perms.PIPELINE_CONFIGURE.code)
    unknown = set(changes) - set(STAGE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={f: [_("This field cannot be changed.")] for f in unknown})
    errors: dict[str, list[str]] = {}
    if "probability" in changes and not 0 <= int(changes["probability"]) <= 100:
        errors["probability"] = [_("A probability is between 0 and 100.")]
    bad = set(changes.get("required_fields", [])) - set(rules.GATE_FIELDS)
    if bad:
        errors["required_fields"] = [_("Unknown required field: %s") % ", ".join(sorted(bad))]
    if errors:
        raise ValidationFailed(fields=errors)
    before = audit.snapshot(stage, STAGE_FIELDS)
    update_versioned(stage, expected_version=expected_version, changes=changes)
    audit.record(
        actor=actor,
        action="pipeline.stage.updated",
        obj=stage,
        changes=audit.diff(before, audit.snapshot(stage, STAGE_FIELDS)),
    )
    return stage


@transaction.atomic
def refit_win_model(*, actor: User | None = None, now: dt.datetime | None = None) -> WinModel:
    """Learn the win probability again from every closed deal (as the system) and keep it as
    the model in use; with fewer than ``winmodel.MIN_CLOSED_DEALS`` closed deals the row says
    so and holds no model (the stage defaults stay in use). Older rows are dropped."""
    from salescope.pipeline import winmodel

    if actor is not None:
        require(actor, perms.PIPELINE_CONFIGURE.code)
    examples = winmodel.closed_examples()
    deals = len({e.deal for e in examples})
    model = winmodel.fit(examples) if deals >= winmodel.MIN_CLOSED_DEALS else None
    row = WinModel.objects.create(
        fitted_at=now or timezone.now(),
        closed_deals=deals,
        model=winmodel.dumps(model) if model is not None else None,
        metrics={"examples": len(examples), "learnt": model is not None},
    )
    WinModel.objects.unrestricted().exclude(pk=row.pk).delete()
    audit.record(
        actor=actor,
        action="pipeline.win_model.fitted",
        obj=row,
        changes={"closed_deals": ["", deals], "learnt": ["", model is not None]},
    )
    return row


def import_opportunities(
    *,
    actor: User,
    path: Any,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    complete_mapping: bool = False,
    date_format: str = "auto",
    progress: Progress | None = None,
) -> ImportResult:
    """Deals from another CRM's CSV/XLSX export (``pipeline.importing``): idempotent by external
    id, refused rows by line and column, name variants as findings, one audit entry."""
    options = ImportOptions(
        mapping=dict(mapping or {}),
        dry_run=dry_run,
        date_format=date_format,
        complete_mapping=complete_mapping,
    )
    return importing.import_opportunities(
        actor=actor, path=path, options=options, progress=progress
    )
