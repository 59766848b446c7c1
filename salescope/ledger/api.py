import datetime as dt
import json
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.renderers import JSONRenderer
from pydantic import Field

from salescope.catalog import queries as catalog_queries
from salescope.core import ratelimit
from salescope.core.api import ErrorOut
from salescope.core.bounds import MAX_OFFSET, Days, Id
from salescope.core.errors import ValidationFailed
from salescope.core.memory import cycle_collector_paused
from salescope.core.money import from_fen
from salescope.customers import queries as customer_queries
from salescope.ledger import explorer, jobs, queries, services
from salescope.ledger import permissions as perms
from salescope.ledger.importing import masterdata
from salescope.ledger.importing.sales_lines import import_sales_lines
from salescope.ledger.schemas import (
    AgeingOut,
    AllocationIn,
    CollectionIn,
    CollectionOut,
    DealerHealthOut,
    DsoOut,
    ImportJobOut,
    InvoiceIn,
    InvoiceOut,
    OrderIn,
    OrderOut,
    ReleaseIn,
    SalesLineOut,
    SalesViewIn,
    SalesViewOut,
    VersionIn,
)
from salescope.org.permissions import api_permission

router = Router(tags=["ledger"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _filters(**raw: Any) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if v not in (None, "")}


# The columns a SalesLineOut row reads (its customer's code and name among its relations).
LINE_COLUMNS = (
    *("line_key", "date", "kind", "product_id", "category_id", "brand_id", "salesperson_id"),
    *("region_id", "channel", "sale_location", "quantity_milli", "amount_fen", "cross_territory"),
    *("customer__code", "customer__name"),
)


@router.get("/sales-lines", response=list[SalesLineOut], summary="Sales lines with filters")
@paginate
def list_lines(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    customer: Id | None = None,
    product: Id | None = None,
    brand: Id | None = None,
    category: Id | None = None,
    channel: str = "",
    salesperson: Id | None = None,
    region: Id | None = None,
    kind: str = "all",
) -> Any:
    filters = _filters(
        customer=customer,
        product=product,
        brand=brand,
        category=category,
        channel=channel,
        salesperson=salesperson,
        region=region,
        kind=kind,
    )
    return queries.list_lines(
        viewer=request.user,
        date_from=date_from,
        date_to=date_to,
        filters=filters,
        fields=LINE_COLUMNS,
    )


@router.get("/sales-lines/cross-territory", response=list[SalesLineOut], summary="窜货 (F5)")
@paginate
def cross_territory(request: HttpRequest, date_from: dt.date | None = None) -> Any:
    return queries.cross_territory_lines(viewer=request.user, date_from=date_from)


@router.get(
    "/sales/summary",
    response={200: list[dict[str, Any]], 422: ErrorOut},
    summary="Sales summary by dimensions (as the CLI's report sales-summary)",
)
def sales_summary(
    request: HttpRequest,
    group_by: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    kind: str = "sell_in",
    category: Id | None = None,
    region: Id | None = None,
    salesperson: Id | None = None,
    channel: str = "",
    brand: Id | None = None,
    customer: Id | None = None,
    product: Id | None = None,
) -> Any:
    ratelimit.spend(request.user, "report")
    dims = [d.strip() for d in group_by.split(",") if d.strip()]
    filters = _filters(
        kind=kind,
        category=category,
        region=region,
        salesperson=salesperson,
        channel=channel,
        brand=brand,
        customer=customer,
        product=product,
    )
    rows = queries.summary_for_output(
        viewer=request.user, group_by=dims, date_from=date_from, date_to=date_to, filters=filters
    )
    return [{k: (str(v) if k in queries.MONEY_KEYS else v) for k, v in r.items()} for r in rows]


def _pivot_params(request: HttpRequest) -> explorer.PivotSpec:
    return explorer.spec_from_params(request.GET, limit=1000)


@router.get(
    "/sales/pivot",
    response={200: dict[str, Any], 422: ErrorOut},
    summary="Sales explorer: a pivot of any dimensions on rows and columns, with totals (H2)",
    description=(
        "rows, columns: comma-separated of "
        + ", ".join(explorer.DIMENSIONS)
        + "; measure: "
        + ", ".join(explorer.MEASURES)
        + "; date_from, date_to; kind; category_level (1 = top "
        "of the tree); filters " + ", ".join(explorer.FILTERS[1:]) + " as comma-separated ids; "
        "limit (row and column keys shown, largest first)."
    ),
)
def sales_pivot(request: HttpRequest) -> Any:
    spec = _pivot_params(request)
    if explorer.reads_lines(spec, request.user):  # a rollup's pivot is not a heavy request
        ratelimit.spend(request.user, "report")
    return _pivot_answer(request, spec)


def _pivot_answer(request: HttpRequest, spec: explorer.PivotSpec) -> HttpResponse:
    """The pivot rendered as ninja renders an answer (its JSON renderer), past its pass over a
    ``dict[str, Any]`` answer, which validates nothing and copies every cell (1,000 rows × 12
    months: ~35 ms). Built and dropped with the cycle collector held (``core.memory``)."""
    with cycle_collector_paused():
        body = _rendered_pivot(request, spec)
    return HttpResponse(body, content_type=f"{_JSON.media_type}; charset={_JSON.charset}")


_JSON = JSONRenderer()


def _rendered_pivot(request: HttpRequest, spec: explorer.PivotSpec) -> str:
    answer = explorer.pivot_for_json(viewer=request.user, spec=spec)
    return _JSON.render(request, answer, response_status=200)


@router.get(
    "/sales/pivot/lines",
    response={200: list[SalesLineOut], 422: ErrorOut},
    summary="The sales lines behind one cell of a pivot (the pivot's parameters and cell)",
)
@paginate
def sales_pivot_lines(request: HttpRequest, cell: str = "") -> Any:
    spec = _pivot_params(request)
    return explorer.cell_lines(viewer=request.user, spec=spec, cell=explorer.parse_cell(cell))


@router.get("/sales/views", response=list[SalesViewOut], summary="My saved explorer views")
def list_views(request: HttpRequest) -> Any:
    return explorer.list_views(viewer=request.user)


@router.post(
    "/sales/views",
    response={201: SalesViewOut, **ERRORS},
    summary="Save a view",
    openapi_extra=api_permission(perms.SAVED_VIEW.code),
)
def save_view(request: HttpRequest, payload: SalesViewIn) -> Any:
    view = services.save_view(actor=request.user, name=payload.name, spec=payload.spec)
    return Status(201, view)


@router.get("/sales/views/{view_id}", response={200: SalesViewOut, 404: ErrorOut})
def get_view(request: HttpRequest, view_id: Id) -> Any:
    return explorer.get_view(viewer=request.user, pk=view_id)


@router.get(
    "/sales/views/{view_id}/pivot",
    response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut},
    summary="A saved view's pivot",
)
def view_pivot(request: HttpRequest, view_id: Id) -> Any:
    view = explorer.get_view(viewer=request.user, pk=view_id)
    return _pivot_answer(request, explorer.PivotSpec.from_dict(view.spec))


@router.delete(
    "/sales/views/{view_id}",
    response={204: None, **ERRORS},
    openapi_extra=api_permission(perms.SAVED_VIEW.code),
)
def delete_view(request: HttpRequest, view_id: Id) -> Any:
    view = explorer.get_view(viewer=request.user, pk=view_id)
    services.delete_view(actor=request.user, view=view)
    return Status(204, None)


@router.get("/orders", response=list[OrderOut])
@paginate
def list_orders(request: HttpRequest, status: str = "") -> Any:
    return queries.list_orders(viewer=request.user, status=status)


@router.post(
    "/orders",
    response={201: OrderOut, **ERRORS},
    openapi_extra=api_permission(perms.ORDER_CREATE.code),
)
def create_order(request: HttpRequest, payload: OrderIn) -> Any:
    customer = customer_queries.get_customer(viewer=request.user, pk=payload.customer_id)
    lines = [
        {
            "product": catalog_queries.get_product(viewer=request.user, pk=line.product_id),
            "quantity": line.quantity,
            "unit_price": line.unit_price,
        }
        for line in payload.lines
    ]
    order = services.create_order(
        actor=request.user,
        customer=customer,
        number=payload.number,
        date=payload.date,
        lines=lines,
    )
    return Status(201, order)


@router.get("/orders/{order_id}", response={200: OrderOut, 404: ErrorOut})
def get_order(request: HttpRequest, order_id: Id) -> Any:
    return queries.get_order(viewer=request.user, pk=order_id)


@router.post(
    "/orders/{order_id}/confirm",
    response={200: OrderOut, **ERRORS},
    summary="Confirm, or put on credit hold (F4)",
    openapi_extra=api_permission(perms.ORDER_CONFIRM.code),
)
def confirm_order(request: HttpRequest, order_id: Id, payload: VersionIn) -> Any:
    order = queries.get_order(viewer=request.user, pk=order_id, action="change")
    return services.confirm_order(actor=request.user, order=order, expected_version=payload.version)


@router.post(
    "/orders/{order_id}/release",
    response={200: OrderOut, **ERRORS},
    summary="Release a credit hold with a reason (F4)",
    openapi_extra=api_permission(perms.ORDER_RELEASE.code),
)
def release_order(request: HttpRequest, order_id: Id, payload: ReleaseIn) -> Any:
    order = queries.get_order(viewer=request.user, pk=order_id)
    return services.release_credit_hold(
        actor=request.user, order=order, expected_version=payload.version, reason=payload.reason
    )


@router.get("/invoices", response=list[InvoiceOut])
@paginate
def list_invoices(request: HttpRequest, status: str = "") -> Any:
    return queries.list_invoices(viewer=request.user, status=status)


@router.post(
    "/invoices",
    response={201: InvoiceOut, **ERRORS},
    openapi_extra=api_permission(perms.INVOICE_ISSUE.code),
)
def issue_invoice(request: HttpRequest, payload: InvoiceIn) -> Any:
    customer = customer_queries.get_customer(viewer=request.user, pk=payload.customer_id)
    order = (
        queries.get_order(viewer=request.user, pk=payload.order_id) if payload.order_id else None
    )
    invoice = services.issue_invoice(
        actor=request.user,
        customer=customer,
        number=payload.number,
        issue_date=payload.issue_date,
        amount=payload.amount,
        due_date=payload.due_date,
        order=order,
    )
    return Status(201, invoice)


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, 404: ErrorOut})
def get_invoice(request: HttpRequest, invoice_id: Id) -> Any:
    return queries.get_invoice(viewer=request.user, pk=invoice_id)


@router.get("/collections", response=list[CollectionOut])
@paginate
def list_collections(request: HttpRequest) -> Any:
    return queries.list_collections(viewer=request.user)


@router.post(
    "/collections",
    response={201: CollectionOut, **ERRORS},
    summary="Record 回款",
    openapi_extra=api_permission(perms.COLLECTION_RECORD.code),
)
def record_collection(request: HttpRequest, payload: CollectionIn) -> Any:
    customer = customer_queries.get_customer(viewer=request.user, pk=payload.customer_id)
    collection = services.record_collection(
        actor=request.user,
        customer=customer,
        number=payload.number,
        date=payload.date,
        amount=payload.amount,
        method=payload.method,
        allocate=payload.allocate,
    )
    return Status(201, collection)


@router.post(
    "/collections/{collection_id}/allocate",
    response={200: CollectionOut, **ERRORS},
    openapi_extra=api_permission(perms.COLLECTION_ALLOCATE.code),
)
def allocate(request: HttpRequest, collection_id: Id, payload: list[AllocationIn]) -> Any:
    collection = queries.get_collection(viewer=request.user, pk=collection_id, action="change")
    pairs = [
        (queries.get_invoice(viewer=request.user, pk=item.invoice_id), item.amount)
        for item in payload
    ]
    return services.allocate_collection(
        actor=request.user, collection=collection, allocations=pairs
    )


MAX_AGEING_BUCKETS = 12
# Rows of a grouped ageing per call, largest balance first (``offset`` pages on; ``row_count``
# says how many there are): 100k customers' rows in one answer took seconds and megabytes.
MAX_AGEING_ROWS = 1000
AgeingRows = Annotated[int, Field(ge=1, le=MAX_AGEING_ROWS)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


def _ageing_bounds(buckets: str) -> tuple[int, ...] | None:
    """``30,60,90`` → (30, 60, 90): increasing whole days from 1 to ten years, at most 12."""
    message = _("Whole days from 1 to 3660, increasing, e.g. 30,60,90.")
    parts = [b.strip() for b in buckets.split(",") if b.strip()]
    if not parts:
        return None
    if len(parts) > MAX_AGEING_BUCKETS or not all(p.isdigit() and len(p) <= 4 for p in parts):
        raise ValidationFailed(fields={"buckets": [message]})
    bounds = tuple(int(p) for p in parts)
    if any(b < 1 or b > 3660 for b in bounds) or list(bounds) != sorted(set(bounds)):
        raise ValidationFailed(fields={"buckets": [message]})
    return bounds


@router.get("/receivables/ageing", response={200: AgeingOut, 422: ErrorOut}, summary="Ageing")
def ageing(
    request: HttpRequest,
    as_of: dt.date | None = None,
    group_by: str = "",
    buckets: str = "",
    limit: AgeingRows = MAX_AGEING_ROWS,
    offset: Offset = 0,
) -> Any:
    bounds = _ageing_bounds(buckets)
    report = queries.receivables_ageing(
        viewer=request.user,
        as_of=as_of or timezone.localdate(),
        group_by=group_by or None,
        bounds=bounds,
        limit=limit,
        offset=offset,
        with_overdue=False,  # not part of the API's answer
    )
    return queries.ageing_for_output(report)


@router.get("/receivables/dso", response=DsoOut, summary="Days sales outstanding")
def dso(request: HttpRequest, as_of: dt.date | None = None, days: Days = 90) -> Any:
    as_of = as_of or timezone.localdate()
    return {
        "as_of": as_of,
        "days": days,
        "dso": queries.dso(viewer=request.user, as_of=as_of, days=days),
    }


@router.get("/receivables/overdue", response=list[InvoiceOut], summary="Overdue invoices")
@paginate
def overdue(request: HttpRequest, as_of: dt.date | None = None) -> Any:
    return queries.overdue_invoices(viewer=request.user, as_of=as_of or timezone.localdate())


@router.post(
    "/imports/sales-lines",
    response={200: dict[str, Any], 202: ImportJobOut, **ERRORS},
    summary="Import sales lines (dry run answers at once; otherwise a background job)",
    openapi_extra=api_permission(perms.IMPORT_RUN.code),
)
def import_lines(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping: Form[str] = "{}",
    create_missing: Form[bool] = False,
    dry_run: Form[bool] = False,
    date_format: Form[str] = "auto",
) -> Any:
    columns = _mapping_field(mapping)
    upload = jobs.store_upload(
        actor=request.user, name=file.name or "upload.csv", chunks=file.chunks()
    )
    options = {"mapping": columns, "create_missing": create_missing, "date_format": date_format}
    if dry_run:
        result = import_sales_lines(
            actor=request.user,
            path=upload.stored_path,
            options=jobs.options_from({**options, "dry_run": True}),
        )
        return Status(200, result.as_dict(every_error=True))
    job = jobs.enqueue_import(
        actor=request.user, kind="sales_lines", upload=upload, options=options
    )
    return Status(202, job)


@router.get("/imports/{int:job_id}", response={200: ImportJobOut, 404: ErrorOut})
def get_import(request: HttpRequest, job_id: Id) -> Any:
    return queries.get_import_job(viewer=request.user, pk=job_id)


@router.post(
    "/imports/master-data/{kind}",
    response={200: dict[str, Any], 202: ImportJobOut, **ERRORS},
    summary="Import customers, products, invoices or collections (same contract as sales lines)",
    openapi_extra=api_permission(perms.IMPORT_RUN.code),
)
def import_master_data(
    request: HttpRequest,
    kind: Literal["customers", "products", "invoices", "collections"],
    file: File[UploadedFile],
    mapping: Form[str] = "{}",
    dry_run: Form[bool] = False,
    date_format: Form[str] = "auto",
    allocate: Form[bool] = True,
) -> Any:
    columns = _mapping_field(mapping)
    upload = jobs.store_upload(
        actor=request.user, name=file.name or "upload.csv", chunks=file.chunks()
    )
    options = {"mapping": columns, "date_format": date_format, "allocate": allocate}
    if dry_run:
        info = masterdata.IMPORTS[kind]
        options_obj = masterdata.options_from({**options, "dry_run": True})
        result = info.run(actor=request.user, path=upload.stored_path, options=options_obj)
        return Status(200, result.as_dict())
    job = jobs.enqueue_import(actor=request.user, kind=kind, upload=upload, options=options)
    return Status(202, job)


def _mapping_field(raw: str) -> dict[str, str]:
    try:
        columns = json.loads(raw or "{}")
    except ValueError:
        columns = None
    if not isinstance(columns, dict):
        raise ValidationFailed(fields={"mapping": ["JSON object: source header → field"]})
    return columns


@router.get("/customers/dealer-health", response=list[DealerHealthOut], summary="Dealer health")
def dealer_health(request: HttpRequest, as_of: dt.date | None = None) -> Any:
    rows = queries.dealer_health(viewer=request.user, as_of=as_of or timezone.localdate())
    for row in rows:
        row["recent"], row["previous"] = from_fen(row["recent_fen"]), from_fen(row["previous_fen"])
    return rows
