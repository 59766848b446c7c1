from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from salescope.core.api import ErrorOut, Rows
from salescope.core.bounds import Id
from salescope.core.money import from_fen, to_fen
from salescope.customers import permissions as perms
from salescope.customers import queries, services
from salescope.customers.schemas import (
    ContactIn,
    ContactOut,
    CreditTermsIn,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    DataQualityOut,
    HandoverIn,
    HandoverOut,
    MergeIn,
    OrphansOut,
)
from salescope.org.models import User
from salescope.org.permissions import api_permission

router = Router(tags=["customers"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _fields(payload: dict[str, Any], viewer: User) -> dict[str, Any]:
    """API field names → model fields (money to fen, ids to visible objects)."""
    out = dict(payload)
    api_names = {"credit_limit": "credit_limit_fen", "owner_id": "owner"}
    services.check_protected(viewer, {api_names.get(k, k): v for k, v in out.items()})
    if "credit_limit" in out:
        value = out.pop("credit_limit")
        out["credit_limit_fen"] = None if value is None else to_fen(value)
    if "owner_id" in out:
        owner_id = out.pop("owner_id")
        out["owner"] = queries.get_person(viewer=viewer, pk=owner_id) if owner_id else None
    if "territory_id" in out:
        territory_id = out.pop("territory_id")
        out["territory"] = (
            queries.get_territory(viewer=viewer, pk=territory_id) if territory_id else None
        )
    return out


# The columns a CustomerOut row reads, read as values (core.api.Rows): a page of 50 makes no
# model instance and converts nothing else (the owner's password and dates, the customer's
# timestamps…). tests/customers/test_api_list.py holds each row to the full record's answer.
ROW_COLUMNS = (
    *("id", "code", "name", "kind", "tier", "status", "sales_area", "parent_id", "phone"),
    *("tax_number", "address", "credit_limit_fen", "payment_terms_days", "version"),
    *("owner_id", "owner__username", "owner__full_name", "owner__first_name", "owner__last_name"),
    *("territory_id", "territory__name"),
)


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    """A CustomerOut row from ROW_COLUMNS (as ``Customer`` and ``User`` would answer it)."""
    (pk, code, name, kind, tier, status, area, parent, phone, tax, address, fen, days, version) = (
        values[:14]
    )
    owner, username, full_name, first_name, last_name, territory, territory_name = values[14:]
    return {
        "id": pk,
        "code": code,
        "name": name,
        "kind": kind,
        "tier": tier,
        "status": status,
        "owner": None
        if owner is None
        else {
            "id": owner,
            "username": username,
            "display_name": User.name_of(full_name, first_name, last_name, username),
        },
        "territory": None if territory is None else {"id": territory, "name": territory_name},
        "sales_area": area,
        "parent_id": parent,
        "phone": phone,
        "tax_number": tax,
        "address": address,
        "credit_limit": None if fen is None else from_fen(fen),
        "payment_terms_days": days,
        "version": version,
    }


@router.get("/customers", response=list[CustomerOut], summary="Customers and dealers I may see")
@paginate
def list_customers(request: HttpRequest, search: str = "", kind: str = "") -> Any:
    customers = queries.list_customers(viewer=request.user, search=search, kind=kind)
    return Rows(customers.values_list(*ROW_COLUMNS), _row)


@router.post(
    "/customers",
    response={201: CustomerOut, **ERRORS},
    summary="Create a customer",
    openapi_extra=api_permission(perms.CUSTOMER_CREATE.code),
)
def create_customer(request: HttpRequest, payload: CustomerIn) -> tuple[int, Any]:
    data = _fields(payload.dict(exclude_unset=True), request.user)
    if data.get("payment_terms_days") is None:
        data.pop("payment_terms_days", None)
    code, name = data.pop("code"), data.pop("name")
    return Status(201, services.create_customer(actor=request.user, code=code, name=name, **data))


@router.get("/customers/data-quality", response=DataQualityOut, summary="Duplicates, gaps (F1)")
def data_quality(request: HttpRequest) -> Any:
    return queries.data_quality(viewer=request.user)


@router.get("/customers/orphans", response=OrphansOut, summary="Records of inactive owners (F2)")
def orphans(request: HttpRequest) -> Any:
    found = queries.orphaned_records(viewer=request.user)
    return {key: [o.pk for o in objs] for key, objs in found.items()}


@router.post(
    "/customers/merge",
    response={200: CustomerOut, **ERRORS},
    summary="Merge duplicates",
    openapi_extra=api_permission(perms.CUSTOMER_MERGE.code),
)
def merge(request: HttpRequest, payload: MergeIn) -> Any:
    keep = queries.get_customer(viewer=request.user, pk=payload.keep_id, action="change")
    dups = [
        queries.get_customer(viewer=request.user, pk=pk, action="change")
        for pk in payload.duplicate_ids
    ]
    return services.merge_customers(actor=request.user, keep=keep, duplicates=dups)


@router.post(
    "/customers/handover",
    response={200: HandoverOut, **ERRORS},
    summary="Hand over (F2)",
    openapi_extra=api_permission(perms.OWNER_HAND_OVER.code),
)
def handover(request: HttpRequest, payload: HandoverIn) -> Any:
    from_user = queries.get_person(viewer=request.user, pk=payload.from_user_id)
    to_user = queries.get_person(viewer=request.user, pk=payload.to_user_id)
    return services.hand_over(
        actor=request.user, from_user=from_user, to_user=to_user, reason=payload.reason
    )


@router.put(
    "/customers/{customer_id}/credit-terms",
    response={200: CustomerOut, **ERRORS},
    summary="Set the credit limit and payment terms (finance, sales director, administrator)",
    openapi_extra=api_permission(perms.CREDIT_TERMS_CHANGE.code),
)
def set_credit_terms(request: HttpRequest, customer_id: Id, payload: CreditTermsIn) -> Any:
    customer = queries.get_customer(viewer=request.user, pk=customer_id)
    limit = payload.credit_limit
    return services.set_credit_terms(
        actor=request.user,
        customer=customer,
        expected_version=payload.version,
        credit_limit_fen=None if limit is None else to_fen(limit),
        payment_terms_days=payload.payment_terms_days,
    )


@router.get("/customers/{customer_id}", response={200: CustomerOut, 404: ErrorOut})
def get_customer(request: HttpRequest, customer_id: Id) -> Any:
    return queries.get_customer(viewer=request.user, pk=customer_id)


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, **ERRORS},
    openapi_extra=api_permission(perms.CUSTOMER_CHANGE.code),
)
def update_customer(request: HttpRequest, customer_id: Id, payload: CustomerPatch) -> Any:
    customer = queries.get_customer(viewer=request.user, pk=customer_id, action="change")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    return services.update_customer(
        actor=request.user,
        customer=customer,
        expected_version=version,
        changes=_fields(data, request.user),
    )


@router.delete(
    "/customers/{customer_id}",
    response={200: CustomerOut, **ERRORS},
    openapi_extra=api_permission(perms.CUSTOMER_DELETE.code),
)
def delete_customer(request: HttpRequest, customer_id: Id) -> Any:
    customer = queries.get_customer(viewer=request.user, pk=customer_id, action="delete")
    return services.delete_customer(actor=request.user, customer=customer)


@router.post(
    "/customers/{customer_id}/archive",
    response={200: CustomerOut, **ERRORS},
    openapi_extra=api_permission(perms.CUSTOMER_ARCHIVE.code),
)
def archive_customer(request: HttpRequest, customer_id: Id) -> Any:
    customer = queries.get_customer(viewer=request.user, pk=customer_id, action="change")
    return services.archive_customer(actor=request.user, customer=customer)


@router.post(
    "/customers/{customer_id}/restore",
    response={200: CustomerOut, **ERRORS},
    openapi_extra=api_permission(perms.CUSTOMER_RESTORE.code),
)
def restore_customer(request: HttpRequest, customer_id: Id) -> Any:
    customer = queries.get_customer(
        viewer=request.user, pk=customer_id, action="change", deleted=None
    )
    return services.restore_customer(actor=request.user, customer=customer)


@router.get("/customers/{customer_id}/contacts", response={200: list[ContactOut], 404: ErrorOut})
def list_contacts(request: HttpRequest, customer_id: Id) -> Any:
    customer = queries.get_customer(viewer=request.user, pk=customer_id)
    return list(queries.list_contacts(viewer=request.user, customer=customer))


@router.post(
    "/customers/{customer_id}/contacts",
    response={201: ContactOut, **ERRORS},
    openapi_extra=api_permission(perms.CONTACT_CREATE.code),
)
def add_contact(request: HttpRequest, customer_id: Id, payload: ContactIn) -> Any:
    customer = queries.get_customer(viewer=request.user, pk=customer_id, action="change")
    data = payload.dict()
    name = data.pop("name")
    return Status(
        201, services.add_contact(actor=request.user, customer=customer, name=name, **data)
    )
