"""Import opportunities (商机) from another CRM's export: ``salescope import opportunities FILE``.

On the one import framework (``core.importing``): CSV in UTF-8 or GBK, or XLSX; Chinese or
English headers; ``--map``; dry run; every refused row named by line, column and reason; one
transaction and one audit entry per import.

* Natural key: the external id (外部编号). A row whose external id is stored updates that deal
  where the file differs (the changed fields of each are in the import's audit entry); the same
  file imported again changes nothing. A blank cell leaves the stored value as it is.
* The account, product line (or pipeline), stage and owner are matched by name; a name that
  differs only in case, spacing or punctuation (full-width "（" or half-width "(") is used and
  reported as a data-quality finding. A deal whose account is blank or unknown is kept, the
  name as written in ``account_name``, and listed as incomplete (``?incomplete=1``).
* Owner: as the file says, an active person the importer may assign deals to (themselves and
  the people they manage — ``org.visibility``; anyone for the company-wide roles), else the
  importing person; anyone else is refused at the line. Only a manager
  (``pipeline.opportunity.import``) imports, and only deals they may change are updated.
* The stage is set as the file says, without the gates (the history is the other CRM's); a
  stage change is recorded in the stage history like a move. New deals are written set-based
  (``core.importing.bulk``), so 100k rows take seconds; they do not go on the timeline one by
  one (the import's audit entry is the record).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.catalog.models import Category
from salescope.core.importing.bulk import ids_by_key, insert_rows
from salescope.core.importing.common import (
    Cells,
    ImportOptions,
    ImportResult,
    Outcome,
    Progress,
    RowError,
    Spec,
    by_external_id,
    folded_note,
    run_import,
)
from salescope.core.importing.names import NameIndex
from salescope.customers.models import Customer
from salescope.org.models import User
from salescope.org.permissions import require
from salescope.pipeline import permissions as perms
from salescope.pipeline.choices import StageKind
from salescope.pipeline.models import Opportunity, Pipeline, Stage, StageChange
from salescope.timeline.choices import EventKind
from salescope.timeline.models import Event

OPPORTUNITY_FIELDS: dict[str, tuple[str, ...]] = {
    "external_id": (
        "外部编号",
        "商机编号",
        "机会编号",
        "商机ID",
        "编号",
        "external id",
        "opportunity id",
        "deal id",
        "record id",
        "id",
    ),
    "name": ("商机名称", "机会名称", "销售机会", "商机", "opportunity name", "deal name", "name"),
    "account": ("客户", "客户名称", "公司", "公司名称", "account", "account name", "company"),
    "amount": ("金额", "商机金额", "预计金额", "预计成交金额", "amount", "deal value", "value"),
    "stage": ("阶段", "销售阶段", "商机阶段", "stage", "deal stage", "sales stage"),
    "expected_close": (
        "预计成交日期",
        "预计签单日期",
        "结单日期",
        "成交日期",
        "close date",
        "expected close",
        "expected close date",
    ),
    "owner": (
        "负责人",
        "销售负责人",
        "所有人",
        "业务员",
        "owner",
        "opportunity owner",
        "deal owner",
    ),
    "source": ("来源", "商机来源", "线索来源", "source", "lead source"),
    "product_line": ("产品线", "产品", "销售漏斗", "product line", "product", "pipeline"),
    "campaign": ("市场活动", "活动", "campaign", "primary campaign"),
    "probability": ("赢率", "可能性", "成交概率", "probability", "probability (%)"),
    "next_step": ("下一步", "下一步计划", "next step"),
    "decision_maker": ("决策人", "关键决策人", "decision maker"),
    "competitor": ("竞争对手", "competitor", "competitors"),
}

OPPORTUNITY_LABELS = {
    "external_id": gettext_lazy("External ID"),
    "name": gettext_lazy("Opportunity name"),
    "account": gettext_lazy("Account"),
    "amount": gettext_lazy("Amount"),
    "stage": gettext_lazy("Stage"),
    "expected_close": gettext_lazy("Expected close"),
    "owner": gettext_lazy("Owner"),
    "source": gettext_lazy("Source"),
    "product_line": gettext_lazy("Product line"),
    "campaign": gettext_lazy("Campaign"),
    "probability": gettext_lazy("Probability (%)"),
    "next_step": gettext_lazy("Next step"),
    "decision_maker": gettext_lazy("Decision maker"),
    "competitor": gettext_lazy("Competitor"),
}

# What a row may set (compared with the stored deal to decide created / updated / unchanged).
_ATTRS = [
    "name",
    "customer_id",
    "account_name",
    "owner_id",
    "pipeline_id",
    "stage_id",
    "amount_fen",
    "expected_close",
    "probability",
    "forecast_category",
    "source",
    "campaign",
    "next_step",
    "decision_maker",
    "competitor",
]
_TEXTS = (
    ("source", 60),
    ("campaign", 100),
    ("next_step", 200),
    ("decision_maker", 100),
    ("competitor", 100),
)
_STORED = ["pk", "external_id", "furthest_order", "stage_entered_at", *_ATTRS]


class OpportunitySpec(Spec):
    kind = "opportunities"
    audit_action = "pipeline.opportunity.imported"
    object_type = "pipeline.opportunity"
    key_field = "external_id"
    key_limit = 60
    fields = OPPORTUNITY_FIELDS
    labels = OPPORTUNITY_LABELS
    required = ("external_id", "name")

    def check_permission(self) -> None:
        require(self.actor, perms.OPPORTUNITY_IMPORT.code)

    def load(self) -> None:
        rows = Opportunity.objects.unrestricted().filter(external_id__isnull=False).values(*_STORED)
        self.stored: dict[str, dict[str, Any]] = {row["external_id"]: row for row in rows}
        changeable = Opportunity.objects.visible_to(self.actor, "change").filter(
            external_id__isnull=False
        )
        self.changeable = set(changeable.values_list("pk", flat=True))
        # Accounts the importer may see: a customer they may not see is "unknown" (no leak).
        customers = list(
            Customer.objects.visible_to(self.actor, "view")
            .filter(deleted_at__isnull=True)
            .values_list("pk", "code", "name")
        )
        self.customers = NameIndex(
            [(name, pk) for pk, _code, name in customers]
            + [(code, pk) for pk, code, _name in customers]
        )
        users = list(
            User.objects.unrestricted().values_list("pk", "username", "full_name", "is_active")
        )
        self.active = {pk for pk, _u, _f, active in users if active}
        # Whom the importer may give a deal to: the people they see (themselves and those they
        # manage; everyone for the company-wide roles), as when they assign one in the page.
        self.assignable = set(
            User.objects.visible_to(self.actor, "change").values_list("pk", flat=True)
        )
        self.people = NameIndex(
            [(username, pk) for pk, username, _f, _a in users]
            + [(full, pk) for pk, _u, full, _a in users]
        )
        pipelines = list(Pipeline.objects.unrestricted().filter(is_active=True))
        lines = dict(Category.objects.unrestricted().values_list("pk", "name"))
        self.pipelines = NameIndex(
            [(p.name, p.pk) for p in pipelines]
            + [(lines[p.product_line_id], p.pk) for p in pipelines if p.product_line_id in lines]
        )
        general = [p for p in pipelines if p.product_line_id is None]
        only = general or (pipelines if len(pipelines) == 1 else [])
        self.default_pipeline = only[0].pk if only else None
        stages = list(Stage.objects.unrestricted().filter(pipeline__in=pipelines).order_by("order"))
        self.stage = {s.pk: s for s in stages}
        self.stages: dict[int, NameIndex] = {
            p.pk: NameIndex([(s.name, s.pk) for s in stages if s.pipeline_id == p.pk])
            for p in pipelines
        }
        self.first_stage = {}
        for s in reversed(stages):
            if s.kind == StageKind.OPEN:
                self.first_stage[s.pipeline_id] = s.pk

    def parse(self, cells: Cells) -> dict[str, Any]:
        external = self.text(cells, "external_id", 60, required=True)
        existing = self.stored.get(external)
        if existing is not None and existing["pk"] not in self.changeable:
            raise RowError("external_id", _("you may not change this opportunity"))
        values: dict[str, Any] = {}
        name = self.text(cells, "name", 200, required=existing is None)
        if name:
            values["name"] = name
        pipeline = self._pipeline(cells, existing)
        values["pipeline_id"] = pipeline
        stage = self._stage(cells, pipeline, existing)
        values["stage_id"] = stage
        amount = self.money(cells, "amount")
        if amount is not None:
            values["amount_fen"] = amount
        close = self.date(cells, "expected_close")
        if close is not None:
            values["expected_close"] = close
        probability = (
            self.whole(cells, "probability", maximum=100) if "probability" in self.mapped else None
        )
        stage_moved = existing is None or existing["stage_id"] != stage
        if probability is not None:
            values["probability"] = probability
        elif stage_moved:
            values["probability"] = self.stage[stage].probability
        if stage_moved:
            values["forecast_category"] = self.stage[stage].forecast_category
        owner_text = self.text(cells, "owner", 150)
        if owner_text:
            owner = self.named(
                "owner",
                owner_text,
                self.people,
                unknown=lambda: _("unknown person: %s") % owner_text,
            )
            if owner not in self.active:
                raise RowError("owner", _("not an active person"))
            if owner not in self.assignable:
                raise RowError("owner", _("you may not assign deals to %s") % owner_text)
            values["owner_id"] = owner
        elif existing is None:
            values["owner_id"] = self.actor.pk
        values.update(self._account(cells, existing))
        for column, limit in _TEXTS:
            text = self.text(cells, column, limit) if column in self.mapped else ""
            if text:
                values[column] = text
        return {"external_id": external, "existing": existing, "values": values}

    def _pipeline(self, cells: Cells, existing: dict[str, Any] | None) -> int:
        text = self.text(cells, "product_line", 100) if "product_line" in self.mapped else ""
        if text:
            return self.named(
                "product_line",
                text,
                self.pipelines,
                unknown=lambda: (
                    _("unknown product line or pipeline (%s)") % ", ".join(self.pipelines.names())
                ),
            )
        if existing is not None:
            return existing["pipeline_id"]
        if self.default_pipeline is None:
            raise RowError("product_line", _("no general pipeline: name the product line"))
        return self.default_pipeline

    def _stage(self, cells: Cells, pipeline: int, existing: dict[str, Any] | None) -> int:
        text = self.text(cells, "stage", 60)
        index = self.stages[pipeline]
        if text:
            return self.named(
                "stage",
                text,
                index,
                unknown=lambda: _("unknown stage (%s)") % ", ".join(index.names()),
            )
        if existing is not None and existing["pipeline_id"] == pipeline:
            return existing["stage_id"]
        if pipeline not in self.first_stage:
            raise RowError("stage", _("This pipeline has no open stage."))
        return self.first_stage[pipeline]

    def _account(self, cells: Cells, existing: dict[str, Any] | None) -> dict[str, Any]:
        text = self.text(cells, "account", 200)
        if not text:
            if existing is None or existing["customer_id"] is None:
                self.note_finding("account", "", _("no account: kept as incomplete"))
            return {"customer_id": None, "account_name": ""} if existing is None else {}
        match = self.customers.find(text)
        if match.value is None:
            note = _("several accounts match") if match.ambiguous else _("unknown account")
            self.note_finding("account", text, _("%s: kept as incomplete") % note)
            return {"customer_id": None, "account_name": text}
        if match.folded:
            self.note_finding("account", text, folded_note(match.name))
        return {"customer_id": match.value, "account_name": ""}

    def write(self, records: list[dict[str, Any]]) -> Outcome:
        now = timezone.now()
        new = [r for r in records if r["existing"] is None]
        self._create(new, now)
        return by_external_id(
            new,
            records,
            lambda existing, values: self._update(existing, values, now),
            extra={"incomplete": sum(1 for r in records if _incomplete(r))},
        )

    def _create(self, records: list[dict[str, Any]], now: Any) -> None:
        if not records:
            return
        template = Opportunity(
            name="", owner_id=self.actor.pk, stage_entered_at=now, created_at=now, updated_at=now
        )
        varying = ["external_id", *_ATTRS, "furthest_order", "closed_at"]

        def row(record: dict[str, Any]) -> list[Any]:
            values = record["values"]
            stage = self.stage[values["stage_id"]]
            return [
                record["external_id"],
                values["name"],
                values.get("customer_id"),
                values.get("account_name", ""),
                values["owner_id"],
                values["pipeline_id"],
                stage.pk,
                values.get("amount_fen", 0),
                values.get("expected_close"),
                values["probability"],
                values["forecast_category"],
                *(values.get(column, "") for column, _limit in _TEXTS),
                0 if stage.kind == StageKind.LOST else stage.order,
                now if stage.is_closed else None,
            ]

        insert_rows(Opportunity, template, varying, map(row, records))
        ids = ids_by_key(Opportunity, "external_id", [r["external_id"] for r in records])
        history = StageChange(to_stage_id=records[0]["values"]["stage_id"], at=now)
        history.actor_id = self.actor.pk
        insert_rows(
            StageChange,
            history,
            ["opportunity_id", "to_stage_id"],
            ((ids[r["external_id"]], r["values"]["stage_id"]) for r in records),
        )
        # each deal's timeline opens as a deal opened in the page does (one event, its owner's)
        opened = Event(
            kind=EventKind.OPPORTUNITY_CREATED,
            subject_type=Opportunity._meta.label_lower,
            at=now,
            actor_id=self.actor.pk,
            summary="",
        )
        insert_rows(
            Event,
            opened,
            ["customer_id", "subject_id", "owner_id", "summary"],
            (
                (
                    r["values"].get("customer_id"),
                    str(ids[r["external_id"]]),
                    r["values"]["owner_id"],
                    (
                        _("Opportunity %(name)s opened at %(stage)s")
                        % {
                            "name": r["values"]["name"],
                            "stage": self.stage[r["values"]["stage_id"]].name,
                        }
                    )[:500],
                )
                for r in records
            ),
        )

    def _update(self, existing: dict[str, Any], changes: dict[str, Any], now: Any) -> None:
        extra: dict[str, Any] = {}
        if "stage_id" in changes:
            stage = self.stage[changes["stage_id"]]
            StageChange.objects.create(
                opportunity_id=existing["pk"],
                from_stage_id=existing["stage_id"],
                to_stage=stage,
                at=now,
                actor=self.actor,
                seconds_in_previous=int((now - existing["stage_entered_at"]).total_seconds()),
                override_reason=_("imported"),
            )
            extra = {
                "stage_entered_at": now,
                "closed_at": now if stage.is_closed else None,
                "furthest_order": max(
                    existing["furthest_order"], 0 if stage.kind == StageKind.LOST else stage.order
                ),
            }
        Opportunity.objects.unrestricted().filter(pk=existing["pk"]).update(
            **changes, **extra, updated_at=now, version=F("version") + 1
        )


def _incomplete(record: dict[str, Any]) -> bool:
    values, existing = record["values"], record["existing"] or {}
    return values.get("customer_id", existing.get("customer_id")) is None


def import_opportunities(
    *,
    actor: User,
    path: Path | str,
    options: ImportOptions,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Read, validate and store one file of opportunities (see the module docstring)."""
    return run_import(
        OpportunitySpec, actor=actor, path=path, options=options, progress=progress, job=job
    )
