"""Import customers and dealers (F1): ``salescope import customers FILE``.

Natural key: the customer code. A blank cell leaves the stored value as it is; a new customer
gets the defaults of ``customers.services.create_customer`` (owner: the importing person). The
parent group may be a customer already stored or one further down the same file. One primary
contact per row (name, title, phone, e-mail) is matched by name within the customer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salescope.core.importing.common import (
    Cells,
    ImportOptions,
    ImportResult,
    Outcome,
    People,
    Progress,
    RowError,
    Spec,
    bulk_create_with_ids,
    capped,
    changed_fields,
    run_import,
    unique_index,
    words_index,
)
from salescope.core.importing.headers import normalize_header
from salescope.customers import permissions as customer_perms
from salescope.customers.choices import CustomerKind, Tier
from salescope.customers.models import Contact, Customer, normalize_name, normalize_phone
from salescope.customers.services import check_protected
from salescope.org.models import Territory, User
from salescope.org.permissions import require
from salescope.org.visibility import visible

CUSTOMER_FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("客户编码", "客户代码", "客户编号", "编码", "代码", "customer_code", "customerno"),
    "name": ("客户名称", "名称", "客户", "客户全称", "customer_name", "customer"),
    "kind": ("客户类型", "类型", "客户类别", "类别", "type", "customer_type"),
    "owner": ("负责人", "业务员", "归属业务员", "销售代表", "客户经理", "salesperson", "rep"),
    "territory": ("区域", "片区", "销售区域", "辖区", "地区", "area", "region"),
    "tier": ("客户等级", "等级", "级别", "客户级别", "level", "grade"),
    "parent_code": (
        "上级客户编码",
        "上级编码",
        "集团编码",
        "所属集团编码",
        "母公司编码",
        "parent",
        "group_code",
    ),
    "phone": ("电话", "联系电话", "公司电话", "座机", "tel", "telephone"),
    "tax_number": ("税号", "纳税人识别号", "统一社会信用代码", "信用代码", "tax_no", "tax_id"),
    "address": ("地址", "详细地址", "公司地址", "注册地址", "addr"),
    "sales_area": ("经营区域", "授权区域", "销售范围", "经营范围区域"),
    "credit_limit": ("信用额度", "授信额度", "额度", "credit"),
    "payment_terms_days": ("账期", "账期天数", "付款期限", "付款天数", "信用期", "payment_terms"),
    "contact_name": ("联系人", "联系人姓名", "contact"),
    "contact_title": ("联系人职务", "职务", "title"),
    "contact_phone": ("联系人电话", "联系人手机", "手机", "mobile"),
    "contact_email": ("邮箱", "电子邮件", "联系人邮箱", "email", "e-mail"),
}

CUSTOMER_LABELS = {
    "code": gettext_lazy("Customer code"),
    "name": gettext_lazy("Customer name"),
    "kind": gettext_lazy("Kind"),
    "owner": gettext_lazy("Owner"),
    "territory": gettext_lazy("Territory"),
    "tier": gettext_lazy("Tier"),
    "parent_code": gettext_lazy("Parent group code"),
    "phone": gettext_lazy("Phone"),
    "tax_number": gettext_lazy("Tax number"),
    "address": gettext_lazy("Address"),
    "sales_area": gettext_lazy("Sales area"),
    "credit_limit": gettext_lazy("Credit limit"),
    "payment_terms_days": gettext_lazy("Payment terms (days)"),
    "contact_name": gettext_lazy("Contact name"),
    "contact_title": gettext_lazy("Contact title"),
    "contact_phone": gettext_lazy("Contact phone"),
    "contact_email": gettext_lazy("Contact e-mail"),
}

KIND_WORDS = words_index(
    {
        CustomerKind.END_CUSTOMER.value: (
            "终端",
            "终端客户",
            "零售",
            "门店",
            "end customer",
            "end",
            "retail",
        ),
        CustomerKind.DEALER.value: ("经销商", "经销", "代理商", "dealer"),
        CustomerKind.DISTRIBUTOR.value: ("分销商", "分销", "批发商", "distributor"),
        CustomerKind.KEY_ACCOUNT.value: ("大客户", "重点客户", "ka", "key account"),
    }
)
TIER_WORDS = words_index(
    {t.value: (f"{t.value}级", f"{t.value}类", f"tier {t.value}") for t in Tier}
)
# Model fields a row may set (the import's field → the customer's attribute).
_COLUMN_TO_ATTR = {
    "name": "name",
    "kind": "kind",
    "owner": "owner_id",
    "territory": "territory_id",
    "tier": "tier",
    "phone": "phone",
    "tax_number": "tax_number",
    "address": "address",
    "sales_area": "sales_area",
    "credit_limit": "credit_limit_fen",
    "payment_terms_days": "payment_terms_days",
}
_PROTECTED_COLUMNS = {"owner": "owner", "credit_limit": "credit_limit_fen"}
_PROTECTED_COLUMNS["payment_terms_days"] = "payment_terms_days"
_STORED = ["pk", "code", "version", "deleted_at", "parent_id", *_COLUMN_TO_ATTR.values()]


class CustomerSpec(Spec):
    kind = "customers"
    audit_action = "ledger.customers.imported"
    object_type = "customers.customer"
    key_field = "code"
    key_limit = 40
    fields = CUSTOMER_FIELDS
    labels = CUSTOMER_LABELS
    required = ("code", "name")

    def check_permission(self) -> None:
        super().check_permission()
        require(self.actor, customer_perms.CUSTOMER_CREATE.code)
        require(self.actor, customer_perms.CUSTOMER_CHANGE.code)

    def check_columns(self, mapped: set[str]) -> None:
        protected = {_PROTECTED_COLUMNS[c]: True for c in mapped if c in _PROTECTED_COLUMNS}
        check_protected(self.actor, protected)

    def load(self) -> None:
        rows = Customer.objects.unrestricted().values(*_STORED)
        self.stored: dict[str, dict[str, Any]] = {row["code"]: row for row in rows}
        self.stored_by_pk = {row["pk"]: row for row in self.stored.values()}
        changeable = visible(Customer.objects.all(), viewer=self.actor, action="change")
        self.changeable = set(changeable.values_list("pk", flat=True))
        self.people = People()
        territories = list(Territory.objects.unrestricted().values_list("pk", "code", "name"))
        self.territory_by_key = unique_index((normalize_header(n), pk) for pk, _c, n in territories)
        self.territory_by_key.update({normalize_header(c): pk for pk, c, _n in territories})

    def parse(self, cells: Cells) -> dict[str, Any]:
        code = self.text(cells, "code", 40, required=True)
        existing = self.stored.get(code)
        if existing is not None:
            if existing["deleted_at"] is not None:
                raise RowError("code", _("the customer is deleted; restore it first"))
            if existing["pk"] not in self.changeable:
                raise RowError("code", _("you may not change this customer"))
        values: dict[str, Any] = {}
        name = self.text(cells, "name", 200, required=existing is None)
        if name:
            values["name"] = name
        kind_text = self.text(cells, "kind", 40)
        if kind_text:
            kind = KIND_WORDS.get(normalize_header(kind_text))
            if kind is None:
                raise RowError(
                    "kind", _("unknown kind (end customer, dealer, distributor, key account)")
                )
            values["kind"] = kind
        tier_text = self.text(cells, "tier", 20)
        if tier_text:
            tier = TIER_WORDS.get(normalize_header(tier_text))
            if tier is None:
                raise RowError("tier", _("unknown tier (A, B, C or D)"))
            values["tier"] = tier
        owner = self.text(cells, "owner", 150)
        if owner:
            values["owner_id"] = self.people.find(owner, "owner")
        territory = self.text(cells, "territory", 100)
        if territory:
            found = self.territory_by_key.get(normalize_header(territory))
            if found is None:
                raise RowError("territory", _("unknown territory"))
            values["territory_id"] = found
        for column, limit in (("phone", 40), ("tax_number", 40), ("address", 300)):
            text = self.text(cells, column, limit)
            if text:
                values[column] = text
        area = self.text(cells, "sales_area", 300)
        if area:
            values["sales_area"] = area
        limit_fen = self.money(cells, "credit_limit")
        if limit_fen is not None:
            values["credit_limit_fen"] = limit_fen
        terms = self.whole(cells, "payment_terms_days", maximum=3650)
        if terms is not None:
            values["payment_terms_days"] = terms
        parent = self.text(cells, "parent_code", 40)
        if parent == code:
            raise RowError("parent_code", _("a customer cannot be its own parent group"))
        return {"code": code, "values": values, "parent": parent, "contact": self._contact(cells)}

    def _contact(self, cells: Cells) -> dict[str, str] | None:
        name = self.text(cells, "contact_name", 100)
        details = {
            "title": self.text(cells, "contact_title", 100),
            "phone": self.text(cells, "contact_phone", 40),
            "email": self.text(cells, "contact_email", 254),
        }
        if details["email"]:
            try:
                validate_email(details["email"])
            except ValidationError:
                raise RowError("contact_email", _("not an e-mail address")) from None
        if not name:
            if any(details.values()):
                raise RowError("contact_name", _("contact details without a contact name"))
            return None
        return {"name": name, **{k: v for k, v in details.items() if v}}

    def reject_late(self, records: list[dict[str, Any]]) -> list[tuple[dict, RowError]]:
        """Parent groups: stored or in the file, and no cycle (checked once all rows are read)."""
        rejected: list[tuple[dict, RowError]] = []
        while True:
            known = {code for code, row in self.stored.items() if row["deleted_at"] is None}
            known.update(r["code"] for r in records)
            parents = {code: row["parent_id"] for code, row in self.stored.items()}
            code_of = {row["pk"]: code for code, row in self.stored.items()}
            parent_code = {c: code_of.get(p) for c, p in parents.items()}
            parent_code.update({r["code"]: r["parent"] for r in records if r["parent"]})
            bad = []
            for record in records:
                if not record["parent"]:
                    continue
                if record["parent"] not in known:
                    bad.append((record, RowError("parent_code", _("unknown parent group"))))
                elif _cycles(record["code"], parent_code):
                    bad.append((record, RowError("parent_code", _("parent groups form a loop"))))
            if not bad:
                return rejected
            rejected.extend(bad)
            gone = {id(r) for r, _e in bad}
            records[:] = [r for r in records if id(r) not in gone]

    def write(self, records: list[dict[str, Any]]) -> Outcome:
        outcome = Outcome()
        now = timezone.now()
        new: list[Customer] = []
        for record in records:
            if record["code"] not in self.stored:
                values = {"owner_id": self.actor.pk, **record["values"]}
                customer = Customer(code=record["code"], **values)
                customer.name_normalized = normalize_name(customer.name)
                customer.phone_normalized = normalize_phone(customer.phone)
                new.append(customer)
        bulk_create_with_ids(Customer, new, "code")
        pk_of = {code: row["pk"] for code, row in self.stored.items()}
        pk_of.update((c.code, c.pk) for c in new)  # bulk_create returns ids on both databases
        contacts = _ContactWriter(
            {pk_of[r["code"]] for r in records if r["contact"] and r["code"] in self.stored}
        )
        changed: list[Customer] = []
        parent_links: list[Customer] = []
        touched: set[str] = set()
        updates: dict[str, Any] = {}
        for record in records:
            code = record["code"]
            stored = self.stored.get(code)
            after = dict(record["values"])
            if record["parent"]:
                after["parent_id"] = pk_of[record["parent"]]
            if stored is None:
                if "parent_id" in after:
                    parent_links.append(Customer(pk=pk_of[code], parent_id=after["parent_id"]))
            else:
                diff = changed_fields(stored, after)
                if diff:
                    changed.append(self._changed_customer(stored["pk"], after, now))
                    touched.update(after)
                    updates[code] = diff
            if record["contact"]:
                contact_diff = contacts.apply(pk_of[code], record["contact"])
                if stored is not None and contact_diff:
                    updates.setdefault(code, {}).update(contact_diff)
        if changed:
            fields = touched | {"version", "updated_at"}
            fields |= {"name_normalized"} if "name" in touched else set()
            fields |= {"phone_normalized"} if "phone" in touched else set()
            Customer.objects.bulk_update(changed, sorted(fields), batch_size=500)
        if parent_links:
            Customer.objects.bulk_update(parent_links, ["parent_id"], batch_size=500)
        contacts.flush()
        outcome.created = len(new)
        outcome.updated = len(updates)
        outcome.unchanged = len(records) - outcome.created - outcome.updated
        outcome.details = {
            "created_codes": capped([c.code for c in new]),
            "updated_fields": dict(capped(list(updates.items()))),
        }
        return outcome

    def _changed_customer(self, pk: int, after: dict[str, Any], now: Any) -> Customer:
        """A row for ``bulk_update``: every touched field is set (unchanged ones to their
        stored value), the version bumped."""
        stored = self.stored_by_pk[pk]
        customer = Customer(pk=pk, **{**{k: stored[k] for k in _COLUMN_TO_ATTR.values()}, **after})
        customer.parent_id = after.get("parent_id", stored["parent_id"])
        customer.name_normalized = normalize_name(customer.name)
        customer.phone_normalized = normalize_phone(customer.phone)
        customer.version = F("version") + 1
        customer.updated_at = now
        return customer


def _cycles(code: str, parent_code: dict[str, str | None]) -> bool:
    seen = {code}
    current = parent_code.get(code)
    while current:
        if current in seen:
            return True
        seen.add(current)
        current = parent_code.get(current)
    return False


class _ContactWriter:
    """Contacts by (customer, name), loaded once for the customers of the file."""

    def __init__(self, customer_ids: set[int]) -> None:
        self.by_key: dict[tuple[int, str], Contact] = {}
        self.with_primary: set[int] = set()
        if customer_ids:
            for contact in Contact.objects.unrestricted().filter(customer_id__in=customer_ids):
                self.by_key[(contact.customer_id, contact.name)] = contact
                if contact.is_primary:
                    self.with_primary.add(contact.customer_id)
        self.new: list[Contact] = []
        self.changed: list[Contact] = []

    def apply(self, customer_id: int, data: dict[str, str]) -> dict[str, list[Any]]:
        contact = self.by_key.get((customer_id, data["name"]))
        details = {k: v for k, v in data.items() if k != "name"}
        if contact is None:
            contact = Contact(
                customer_id=customer_id,
                name=data["name"],
                is_primary=customer_id not in self.with_primary,
                **details,
            )
            self.with_primary.add(customer_id)
            self.by_key[(customer_id, data["name"])] = contact
            self.new.append(contact)
            return {"contact": [None, data["name"]]}
        before = {k: getattr(contact, k) for k in details}
        diff = changed_fields(before, details)
        if diff:
            for key, value in details.items():
                setattr(contact, key, value)
            self.changed.append(contact)
        return {f"contact_{k}": v for k, v in diff.items()}

    def flush(self) -> None:
        Contact.objects.bulk_create(self.new, batch_size=500)
        if self.changed:
            Contact.objects.bulk_update(self.changed, ["title", "phone", "email"], batch_size=500)


def import_customers(
    *,
    actor: User,
    path: Path | str,
    options: ImportOptions,
    progress: Progress | None = None,
    job: Any = None,
) -> ImportResult:
    """Import a customer file; one transaction, one audit entry (see the module docstring)."""
    return run_import(
        CustomerSpec, actor=actor, path=path, options=options, progress=progress, job=job
    )
