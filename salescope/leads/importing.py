"""Import leads (线索) from another CRM's export or a trade-fair list: ``salescope import leads
FILE``, on the one import framework (``core.importing``): CSV in UTF-8 or GBK, or XLSX; Chinese
or English headers; ``--map``; dry run; refused rows by line, column and reason; one
transaction and one audit entry per import.

* Natural key: the external id (外部编号). A stored one updates the lead where the file differs
  (changed fields in the audit entry); the same file again changes nothing. A row without an
  external id is added each time it is imported, which the result says per row (a finding).
* Source, campaign and product line are matched by name; a name that differs only in case,
  spacing or punctuation is used and reported as a data-quality finding.
* New leads start as new (status 新), unowned, as a typed-in lead without answers does; they are
  then evaluated and distributed as usual.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.catalog.models import Category
from salescope.core.importing.common import (
    Cells,
    ImportOptions,
    ImportResult,
    Outcome,
    Progress,
    RowError,
    Spec,
    by_external_id,
    run_import,
)
from salescope.core.importing.names import NameIndex
from salescope.leads import permissions as perms
from salescope.leads.choices import LeadSource, LeadStatus
from salescope.leads.models import Campaign, Lead
from salescope.org.models import User
from salescope.org.permissions import require

LEAD_IMPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "external_id": ("外部编号", "线索编号", "线索ID", "external id", "lead id", "id"),
    "contact_name": (
        "联系人",
        "姓名",
        "联系人姓名",
        "contact",
        "contact name",
        "full name",
        "name",
    ),
    "company": ("公司", "单位", "公司名称", "客户名称", "company", "account"),
    "phone": ("电话", "手机", "联系电话", "phone", "mobile"),
    "email": ("邮箱", "电子邮件", "email", "e-mail"),
    "province": ("省份", "省", "province", "state"),
    "city": ("城市", "市", "city"),
    "industry": ("行业", "industry"),
    "need": ("需求", "需求描述", "need", "description"),
    "source": ("来源", "线索来源", "source", "lead source"),
    "medium": ("媒介", "渠道", "medium"),
    "campaign": ("活动", "推广活动", "市场活动", "活动编号", "campaign"),
    "product_line": ("产品线", "意向产品", "product line", "product"),
}
LEAD_IMPORT_LABELS = {
    "external_id": gettext_lazy("External ID"),
    "contact_name": gettext_lazy("Contact"),
    "company": gettext_lazy("Company"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("Email"),
    "province": gettext_lazy("Province"),
    "city": gettext_lazy("City"),
    "industry": gettext_lazy("Industry"),
    "need": gettext_lazy("Need"),
    "source": gettext_lazy("Source"),
    "medium": gettext_lazy("Medium"),
    "campaign": gettext_lazy("Campaign"),
    "product_line": gettext_lazy("Product line"),
}
SOURCE_WORDS: dict[str, tuple[str, ...]] = {
    LeadSource.WEBSITE: ("官网", "网站", "网页表单", "web", "web form"),
    LeadSource.EXHIBITION: ("展会", "trade show", "trade fair"),
    LeadSource.REFERRAL: ("转介绍", "推荐", "referral"),
    LeadSource.PHONE: ("电话", "来电", "phone", "inbound call"),
    LeadSource.ADVERTISING: ("广告", "advertising", "ads"),
    LeadSource.SOCIAL: ("社交媒体", "微信", "social", "social media"),
    LeadSource.EVENT: ("研讨会", "活动", "seminar", "event"),
    LeadSource.OTHER: ("其他", "other"),
}
_TEXTS = (
    ("company", 200),
    ("phone", 40),
    ("email", 254),
    ("province", 30),
    ("city", 30),
    ("industry", 60),
    ("need", 2000),
    ("medium", 60),
)
_ATTRS = [
    "contact_name",
    *(name for name, _limit in _TEXTS),
    "source",
    "campaign_id",
    "product_line_id",
]


class LeadSpec(Spec):
    kind = "leads"
    audit_action = "leads.lead.imported"
    object_type = "leads.lead"
    key_field = "external_id"
    fields = LEAD_IMPORT_FIELDS
    labels = LEAD_IMPORT_LABELS
    required = ("contact_name",)

    def check_permission(self) -> None:
        require(self.actor, perms.LEAD_IMPORT.code)

    def row_key(self, cells: Cells) -> Any:
        # A row without an external id is a lead of its own (never a duplicate of another).
        return self.text(cells, "external_id", 60) or object()

    def load(self) -> None:
        rows = Lead.objects.unrestricted().filter(external_id__isnull=False)
        self.stored = {row["external_id"]: row for row in rows.values("pk", "external_id", *_ATTRS)}
        changeable = Lead.objects.visible_to(self.actor, "change").filter(external_id__isnull=False)
        self.changeable = set(changeable.values_list("pk", flat=True))
        campaigns = list(
            Campaign.objects.unrestricted().values_list("pk", "code", "name", "source")
        )
        self.campaigns = NameIndex(
            [(code, pk) for pk, code, _n, _s in campaigns]
            + [(name, pk) for pk, _c, name, _s in campaigns]
        )
        self.campaign_source = {pk: source for pk, _c, _n, source in campaigns}
        self.sources = NameIndex(
            [(word, value) for value, words in SOURCE_WORDS.items() for word in (value, *words)]
            + [(str(label), value) for value, label in LeadSource.choices]
        )
        self.lines = NameIndex(Category.objects.unrestricted().values_list("name", "pk"))

    def parse(self, cells: Cells) -> dict[str, Any]:
        external = self.text(cells, "external_id", 60)
        existing = self.stored.get(external) if external else None
        if existing is not None and existing["pk"] not in self.changeable:
            raise RowError("external_id", _("you may not change this lead"))
        values: dict[str, Any] = {}
        contact = self.text(cells, "contact_name", 100, required=existing is None)
        if contact:
            values["contact_name"] = contact
        for column, limit in _TEXTS:
            text = self.text(cells, column, limit)
            if text:
                values[column] = text
        if values.get("email"):
            try:
                validate_email(values["email"])
            except ValidationError:
                raise RowError("email", _("Enter a valid email address.")) from None
        if existing is None and not values.get("phone") and not values.get("email"):
            raise RowError("phone", _("Give a phone number or an email address."))
        source = self.text(cells, "source", 40)
        if source:
            values["source"] = self.named(
                "source",
                source,
                self.sources,
                unknown=lambda: _("Unknown source “%(value)s”.") % {"value": source},
            )
        campaign_text = self.text(cells, "campaign", 200)
        if campaign_text:
            campaign = self.named(
                "campaign",
                campaign_text,
                self.campaigns,
                unknown=lambda: _("Unknown campaign “%(value)s”.") % {"value": campaign_text},
            )
            values["campaign_id"] = campaign
            if not source:
                values["source"] = self.campaign_source[campaign]
        line = self.text(cells, "product_line", 100)
        if line:
            values["product_line_id"] = self.named(
                "product_line", line, self.lines, unknown=_("unknown product line")
            )
        if existing is None:
            values.setdefault("source", LeadSource.OTHER)
            if not external:
                self.note_finding(
                    "external_id", "", _("no external id: importing the file again adds it again")
                )
        return {"external_id": external or None, "existing": existing, "values": values}

    def write(self, records: list[dict[str, Any]]) -> Outcome:
        new = [r for r in records if r["existing"] is None]
        Lead.objects.bulk_create(
            [
                Lead(
                    external_id=r["external_id"],
                    status=LeadStatus.NEW,
                    created_by=self.actor,
                    **r["values"],
                )
                for r in new
            ],
            batch_size=500,
        )

        def update(existing: dict[str, Any], values: dict[str, Any]) -> None:
            Lead.objects.unrestricted().filter(pk=existing["pk"]).update(
                **values, version=F("version") + 1
            )

        return by_external_id(new, records, update)


def import_leads(
    *,
    actor: User | None,
    path: Path | str,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Read, validate and store one file of leads (see the module docstring); ``job``: the
    background job it runs in (its audit entry points at the job)."""
    return run_import(
        LeadSpec,
        actor=actor,
        path=path,
        options=options or ImportOptions(),
        progress=progress,
        job=job,
    )
