"""Ledger pages: sales summary (table, chart, export), sales lines, receivables, cross-territory
sales, orders with the credit hold, and the import (upload → preview → background job)."""

import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salescope.core import ratelimit
from salescope.core.choices import choice_label
from salescope.core.errors import DomainError, ValidationFailed
from salescope.core.importing.readers import read_table
from salescope.core.money import from_fen, grouped
from salescope.core.periods import month_end
from salescope.core.web import date_param, int_param, page, paginate
from salescope.customers.choices import DealerHealth
from salescope.ledger import export, jobs, queries, services
from salescope.ledger import permissions as perms
from salescope.ledger.choices import ImportKind, LineKind
from salescope.ledger.importing import masterdata
from salescope.ledger.importing.fields import FIELD_LABELS, SALES_LINE_FIELDS
from salescope.ledger.importing.sales_lines import import_sales_lines, resolve_mapping
from salescope.ledger.models import from_milli
from salescope.org.models import User
from salescope.org.permissions import require, requires

# Lazy: translated when a page shows them, in the reader's language.
DIMENSION_LABELS = {
    "month": gettext_lazy("Month"),
    "salesperson": gettext_lazy("Salesperson"),
    "region": gettext_lazy("Region"),
    "category": gettext_lazy("Category"),
    "brand": gettext_lazy("Brand"),
    "product": gettext_lazy("Product"),
    "customer": gettext_lazy("Customer"),
    "channel": gettext_lazy("Channel"),
    "kind": gettext_lazy("Kind"),
}


def _summary_request(request: HttpRequest) -> dict[str, Any]:
    dims = [d for d in request.GET.getlist("group_by") if d in queries.SUMMARY_DIMENSIONS][:4]
    if not dims:
        dims = ["month", "category"]
    today = timezone.localdate()
    filters = {
        "kind": request.GET.get("kind") or "sell_in",
        "category": int_param(request, "category"),
        "region": int_param(request, "region"),
        "salesperson": int_param(request, "salesperson"),
        "brand": int_param(request, "brand"),
        "channel": request.GET.get("channel", "").strip(),
    }
    return {
        "group_by": dims,
        "date_from": date_param(request, "from", today.replace(month=1, day=1)),
        "date_to": date_param(request, "to", month_end(today)),
        "filters": filters,
    }


def _summary_rows(request: HttpRequest, params: dict[str, Any]) -> list[dict[str, Any]]:
    return queries.summary_for_output(viewer=request.user, **params)


@page
def sales(request: HttpRequest) -> HttpResponse:
    params = _summary_request(request)
    try:
        rows = _summary_rows(request, params)
    except ValidationFailed as error:
        rows = []
        messages.error(request, error.detail)
    chart = {
        "dims": params["group_by"],
        "rows": [
            {d: (r.get(d) if r.get(d) is not None else "—") for d in params["group_by"]}
            | {"amount": str(r["amount"])}
            for r in rows
        ],
    }
    context = {
        "rows": rows,
        "params": params,
        "total": queries.summary_total(rows) if rows else None,
        "show_margin": queries.may_see_margin(request.user),
        "dimensions": [(d, DIMENSION_LABELS[d]) for d in queries.SUMMARY_DIMENSIONS],
        "chart": chart,
        "query": request.GET.urlencode(),
        "options": queries.filter_options(viewer=request.user),
    }
    return render(request, "ledger/sales.html", context)


@page
def sales_export(request: HttpRequest, fmt: str) -> HttpResponse:
    ratelimit.spend(request.user, "export")
    params = _summary_request(request)
    rows = _summary_rows(request, params)
    measures = ["amount", "quantity", "lines"]
    if queries.may_see_margin(request.user):
        measures.insert(2, "gross_profit")
    headers = [str(DIMENSION_LABELS[d]) for d in params["group_by"]] + [
        str(_("Amount")),
        str(_("Quantity")),
        *([str(_("Gross profit"))] if "gross_profit" in measures else []),
        str(_("Lines")),
    ]
    body = ([r.get(d) for d in params["group_by"]] + [r.get(m) for m in measures] for r in rows)
    return export.download(fmt, "sales-summary", headers, body)


# What ledger/lines.html shows of each line, read as values: a page of 50 makes no model
# instance (six a line with its customer, product, category, salesperson and region, ~5 ms of
# the page's Python under load, issue 20 item 9). Showing another field means adding it here
# and to _line_rows; tests/ledger guard that nothing is loaded row by row.
LINES_PAGE_COLUMNS = (
    *("date", "line_key", "customer__name", "product__name", "category__name"),
    *("salesperson_id", "salesperson__full_name", "salesperson__first_name"),
    *("salesperson__last_name", "salesperson__username", "region__name", "channel", "kind"),
    *("cross_territory", "quantity_milli", "amount_fen"),
)


# A row's cells, in the order of ledger/lines.html's <thead>: a column changes in both.
_LINE_ROW = (
    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
    '<td>{}{}</td><td class="text-end">{}</td><td class="text-end">{}</td></tr>'
)


def _line_rows(lines: Iterable[tuple[Any, ...]]) -> list[str]:
    """The page's rows of lines as HTML, escaped by ``format_html`` (names as their records'
    ``__str__``, "—" for none), built here as Django's admin builds its change list: the
    template engine took ~7 ms to print a page's 600 cells one variable node at a time, and
    localised each date and number again (issue 20 item 9). A page's dates are few, formatted
    once each."""
    days: dict[Any, str] = {}
    badge = format_html(' <span class="badge text-bg-danger">{}</span>', _("cross-territory"))
    rows = []
    for values in lines:
        date, line_key, customer, product, category, person, *name, region = values[:11]
        channel, kind, cross_territory, quantity_milli, amount_fen = values[11:]
        if date not in days:
            days[date] = formats.date_format(date)
        salesperson = User.name_of(*name) if person is not None else None
        rows.append(
            format_html(
                _LINE_ROW,
                days[date],
                line_key,
                customer,
                product,
                category or "—",
                salesperson or "—",
                region or "—",
                channel,
                choice_label(LineKind, kind),
                badge if cross_territory else "",
                formats.localize(from_milli(quantity_milli)),
                grouped(from_fen(amount_fen)),
            )
        )
    return rows


def _line_filter_choices(viewer: User) -> dict[str, str]:
    """The lines page's filter choices as the ``<option>`` elements of each select, read as
    values, not as a model instance per option, and joined here as the rows are (~100 options
    for a team lead, on every page of lines)."""
    options = queries.filter_options(viewer=viewer)
    people = options["people"].values_list("pk", "full_name", "first_name", "last_name", "username")
    choices = {
        "categories": options["categories"].values_list("pk", "name"),
        "regions": options["regions"].values_list("pk", "name"),
        "people": [(pk, User.name_of(*name)) for pk, *name in people],
    }
    return {
        name: format_html_join("", '<option value="{}">{}</option>', pairs)
        for name, pairs in choices.items()
    }


@page
def lines(request: HttpRequest) -> HttpResponse:
    filters = {
        "kind": request.GET.get("kind") or "all",
        "customer": int_param(request, "customer"),
        "product": int_param(request, "product"),
        "category": int_param(request, "category"),
        "region": int_param(request, "region"),
        "salesperson": int_param(request, "salesperson"),
        "brand": int_param(request, "brand"),
        "channel": request.GET.get("channel", "").strip(),
    }
    qs = queries.list_lines(
        viewer=request.user,
        date_from=date_param(request, "from"),
        date_to=date_param(request, "to"),
        filters=filters,
        columns=LINES_PAGE_COLUMNS,
    )
    query = request.GET.copy()
    query.pop("page", None)
    page_of_lines = paginate(request, qs)
    context = {
        "page": page_of_lines,
        "rows": _line_rows(page_of_lines),
        "query": query.urlencode(),
        "options": _line_filter_choices(request.user),
        "get": request.GET,
    }
    return render(request, "ledger/lines.html", context)


AGEING_ROWS = 200  # the largest balances; the totals are every row's


@page
def receivables(request: HttpRequest) -> HttpResponse:
    as_of = date_param(request, "as_of", timezone.localdate())
    group_by = request.GET.get("group_by") or "customer"
    if group_by not in queries.AGEING_GROUPS:
        group_by = "customer"
    report = queries.receivables_ageing(
        viewer=request.user, as_of=as_of, group_by=group_by, limit=AGEING_ROWS
    )
    summary = report["overdue"]
    # The ageing counted the overdue invoices in its own scan: paged in full, not counted again.
    overdue = paginate(
        request, queries.overdue_invoices(viewer=request.user, as_of=as_of), summary["count"]
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "report": report,
        "group_by": group_by,
        "dso": queries.dso(viewer=request.user, as_of=as_of),
        "overdue": overdue,
        "overdue_rows": [{"invoice": i, "days": queries.days_overdue(i, as_of)} for i in overdue],
        "overdue_summary": summary,
        "query": query.urlencode(),
        "as_of": as_of,
        "cells": [
            {"row": row, "values": [row[b.key] for b in report["buckets"]]}
            for row in report["rows"]
        ],
        "totals": [report["total"][b.key] for b in report["buckets"]],
    }
    return render(request, "ledger/receivables.html", context)


@page
def cross_territory(request: HttpRequest) -> HttpResponse:
    qs = queries.cross_territory_lines(viewer=request.user)
    return render(
        request, "ledger/cross_territory.html", {"page": paginate(request, qs), "query": ""}
    )


@page
def orders(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = queries.list_orders(viewer=request.user, status=status)
    return render(
        request,
        "ledger/orders.html",
        {"page": paginate(request, qs), "status": status, "query": f"status={status}"},
    )


@page
def order(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_order(viewer=request.user, pk=pk)
    return render(
        request,
        "ledger/order.html",
        {
            "order": found,
            "lines": found.lines.select_related("product"),
            "can_release": request.user.role in services.CREDIT_RELEASE_ROLES,
        },
    )


@page
@require_POST
@requires(perms.ORDER_CONFIRM.code)
def order_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_order(viewer=request.user, pk=pk, action="change")
    try:
        found = services.confirm_order(
            actor=request.user, order=found, expected_version=_version(request)
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        if found.status == "credit_hold":
            messages.warning(request, _("Put on credit hold: %s") % found.hold_reason_text)
        else:
            messages.success(request, _("Order confirmed."))
    return redirect("ledger:order", pk=pk)


@page
@require_POST
@requires(perms.ORDER_RELEASE.code)
def order_release(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.get_order(viewer=request.user, pk=pk)
    try:
        services.release_credit_hold(
            actor=request.user,
            order=found,
            expected_version=_version(request),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Credit hold released."))
    return redirect("ledger:order", pk=pk)


def _version(request: HttpRequest) -> int:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else 0


def _error_text(error: DomainError) -> str:
    details = "; ".join(f"{k}: {', '.join(v)}" for k, v in error.fields.items())
    return f"{error.detail} {details}".strip()


def _import_kind(request: HttpRequest) -> str:
    """What to import: sales lines (the default) or one of the master-data kinds."""
    kind = request.POST.get("kind") or request.GET.get("kind") or ImportKind.SALES_LINES
    return kind if kind in masterdata.IMPORTS else ImportKind.SALES_LINES.value


def _import_fields(kind: str) -> list[tuple[str, Any]]:
    if kind == ImportKind.SALES_LINES:
        return [(f, FIELD_LABELS[f]) for f in SALES_LINE_FIELDS]
    info = masterdata.IMPORTS[kind]
    return [(f, info.labels.get(f, f)) for f in info.fields]


def _guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    if kind == ImportKind.SALES_LINES:
        return resolve_mapping(headers, {})
    return masterdata.guess_mapping(kind, headers)


def _preview(kind: str, actor: Any, path: Any, options: dict[str, Any]) -> Any:
    """A dry run of the chosen kind of import."""
    if kind == ImportKind.SALES_LINES:
        return import_sales_lines(
            actor=actor, path=path, options=jobs.options_from({**options, "dry_run": True})
        )
    return masterdata.IMPORTS[kind].run(
        actor=actor, path=path, options=masterdata.options_from({**options, "dry_run": True})
    )


@page
@requires(perms.IMPORT_RUN.code)
def imports(request: HttpRequest) -> HttpResponse:
    require(request.user, perms.IMPORT_RUN.code)  # the page is the upload form: importers only
    kind = _import_kind(request)
    context: dict[str, Any] = {
        "jobs": queries.list_import_jobs(viewer=request.user),
        "kind": kind,
        "kinds": ImportKind.choices,
        "fields": _import_fields(kind),
        "presets": queries.list_presets(viewer=request.user),
    }
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        try:
            stored = jobs.store_upload(actor=request.user, name=upload.name, chunks=upload.chunks())
            table = read_table(stored.stored_path)
            mapping = _guess_mapping(kind, table.headers)
            remembered = jobs.remembered_mapping(kind=kind, headers=table.headers)
            if remembered is not None:
                mapping = remembered
            preset = queries.get_preset(viewer=request.user, pk=request.POST.get("preset"))
            if preset is not None and preset.kind == kind:
                mapping.update({s: f for s, f in preset.mapping.items() if s in table.headers})
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect("ledger:imports")
        context.update(
            {
                "stored": stored.token,
                "filename": stored.filename,
                "headers": table.headers,
                "mapping": mapping,
                "encoding": table.encoding,
                "total_rows": table.total_rows,
                "remembered": remembered is not None,
            }
        )
        return render(request, "ledger/import_map.html", context)
    return render(request, "ledger/imports.html", context)


def _posted_mapping(request: HttpRequest, headers: list[str], kind: str) -> dict[str, str]:
    known = {f for f, _label in _import_fields(kind)}
    mapping = {}
    for index, header in enumerate(headers):
        field = request.POST.get(f"map-{index}", "")
        if field in known:
            mapping[header] = field
    return mapping


@page
@require_POST
@requires(perms.IMPORT_RUN.code)
def import_run(request: HttpRequest) -> HttpResponse:
    # The form names the upload by the token the server issued to this person, never a path.
    upload = jobs.upload_for(actor=request.user, token=request.POST.get("stored"))
    path = Path(upload.stored_path)
    kind = _import_kind(request)
    headers = read_table(path).headers
    mapping = _posted_mapping(request, headers, kind)
    options = {
        "mapping": mapping,
        "create_missing": bool(request.POST.get("create_missing")),
        "date_format": request.POST.get("date_format") or "auto",
        "complete_mapping": True,  # the page maps every column: "(ignore)" means ignore
    }
    try:
        if request.POST.get("preset_name", "").strip():
            services.save_preset(
                actor=request.user, name=request.POST["preset_name"], mapping=mapping, kind=kind
            )
        if request.POST.get("step") == "preview":
            result = _preview(kind, request.user, path, options)
            return render(
                request,
                "ledger/import_preview.html",
                {
                    "result": result,
                    "kind": kind,
                    "stored": upload.token,
                    "options": options,
                    "filename": upload.filename,
                    "headers": headers,
                    "mapping_json": json.dumps(mapping, ensure_ascii=False),
                    "errors": result.errors[:200],
                    "problems": getattr(result, "problems", []),
                },
            )
        job = jobs.enqueue_import(
            actor=request.user, kind=kind, upload=upload, options=options, headers=headers
        )
    except DomainError as error:
        messages.error(request, f"{error.detail} {json.dumps(error.fields, ensure_ascii=False)}")
        return redirect("ledger:imports")
    return redirect("ledger:import-job", pk=job.pk)


@page
@require_POST
@requires(perms.IMPORT_RUN.code)
def import_confirm(request: HttpRequest) -> HttpResponse:
    upload = jobs.upload_for(actor=request.user, token=request.POST.get("stored"))
    try:
        mapping = json.loads(request.POST.get("mapping", "{}"))
    except ValueError:
        mapping = {}
    if not isinstance(mapping, dict):
        mapping = {}
    options = {
        "mapping": mapping,
        "create_missing": bool(request.POST.get("create_missing")),
        "date_format": request.POST.get("date_format") or "auto",
        "complete_mapping": True,  # the page maps every column: "(ignore)" means ignore
    }
    try:
        job = jobs.enqueue_import(
            actor=request.user,
            kind=_import_kind(request),
            upload=upload,
            options=options,
            headers=read_table(upload.stored_path).headers,
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
        return redirect("ledger:imports")
    return redirect("ledger:import-job", pk=job.pk)


@page
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = queries.get_import_job(viewer=request.user, pk=pk)
    done, total = jobs.read_progress(job)
    entry = jobs.registered(job)  # a kind another app registered: its tabs and its result
    context = {
        "job": job,
        "entry": entry,
        "result": jobs.result_of(job) if entry and job.status == "done" else None,
        "done": done,
        "total": total,
        "percent": int(done * 100 / total) if total else (100 if job.status == "done" else 0),
        "errors": (job.result or {}).get("errors", [])[:200],
        "problems": (job.result or {}).get("problems", []),
    }
    template = (
        "ledger/_job_status.html" if request.headers.get("HX-Request") else "ledger/import_job.html"
    )
    return render(request, template, context)


@page
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = queries.get_import_job(viewer=request.user, pk=pk)
    path = jobs.error_report_path(job)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"import-{job.pk}-errors.csv")


# --- Dealer health (F6): the customers' sell-in, so the ledger's page ----------------------


def _percent(ratio: Decimal | None) -> str:
    """A trend ratio as a signed percentage: Decimal("-0.135") → "−13.5 %"."""
    if ratio is None:
        return "—"
    value = (ratio * 100).quantize(Decimal("0.1"))
    sign = "−" if value < 0 else "+" if value > 0 else ""
    return f"{sign}{abs(value)} %"


@page
def dealer_health(request: HttpRequest) -> HttpResponse:
    rows = queries.dealer_health(viewer=request.user, as_of=timezone.localdate())
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
        row["status_label"] = DealerHealth(row["status"]).label
        row["trend_percent"] = _percent(row["trend"])
    return render(request, "ledger/dealer_health.html", {"rows": rows, "counts": counts})
