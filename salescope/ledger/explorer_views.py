"""The sales explorer's pages (H2): the pivot with its chart, a cell's lines, the export and
each person's saved views. Thin: ``ledger.explorer`` reads, ``ledger.services`` writes."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from salescope.core import ratelimit
from salescope.core.errors import DomainError, ValidationFailed
from salescope.core.periods import month_end
from salescope.core.web import page, paginate
from salescope.ledger import explorer, export, queries, services
from salescope.ledger import permissions as perms
from salescope.org.permissions import requires

DIMENSION_LABELS = {
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
    "year": gettext_lazy("Year"),
    "region": gettext_lazy("Region"),
    "branch": gettext_lazy("Branch"),
    "team": gettext_lazy("Team"),
    "salesperson": gettext_lazy("Salesperson"),
    "brand": gettext_lazy("Brand"),
    "category": gettext_lazy("Category"),
    "product": gettext_lazy("Product"),
    "customer": gettext_lazy("Customer"),
    "channel": gettext_lazy("Channel"),
    "kind": gettext_lazy("Kind"),
}
MEASURE_LABELS = {
    "amount": gettext_lazy("Amount"),
    "quantity": gettext_lazy("Quantity"),
    "gross_profit": gettext_lazy("Gross profit"),
    "lines": gettext_lazy("Lines"),
}


def _params(request: HttpRequest) -> dict[str, Any]:
    """The query string, with this year and region × month as the defaults."""
    params: dict[str, Any] = {k: ",".join(request.GET.getlist(k)) for k in request.GET}
    if not params.get("rows") and not params.get("columns"):
        params["rows"], params["columns"] = "region", "month"
    today = timezone.localdate()
    params.setdefault("from", today.replace(month=1, day=1).isoformat())
    params.setdefault("to", month_end(today).isoformat())
    return params


def _spec(request: HttpRequest) -> explorer.PivotSpec:
    return explorer.spec_from_params(_params(request))


def _cell_link(spec: explorer.PivotSpec, keys: dict[str, Any]) -> str:
    import json

    return urlencode({**explorer.spec_to_params(spec), "cell": json.dumps(keys)})


def _table(spec: explorer.PivotSpec, result: dict[str, Any]) -> list[dict[str, Any]]:
    """The grid for the template: each row's labels, cells (value and drill-down link) and
    total."""
    values = explorer.grid(result)
    rows = []
    for r, row in enumerate(result["rows"]):
        row_keys = dict(zip(spec.rows, row["key"], strict=True))
        cells = []
        for c, column in enumerate(result["columns"]):
            keys = {**row_keys, **dict(zip(spec.columns, column["key"], strict=True))}
            cells.append({"value": values[r][c], "link": _cell_link(spec, keys)})
        rows.append(
            {
                "labels": row["label"],
                "cells": cells,
                "total": result["row_totals"][r],
                "link": _cell_link(spec, row_keys),
            }
        )
    return rows


@page
def explorer_page(request: HttpRequest) -> HttpResponse:
    spec = result = None
    try:
        spec = _spec(request)
        result = explorer.pivot(viewer=request.user, spec=spec)
    except ValidationFailed as error:
        messages.error(request, f"{error.detail} {error.fields}")
    chart = None
    if result is not None:
        chart = {
            "rows": [" / ".join(r["label"]) for r in result["rows"][:30]],
            "columns": [" / ".join(c["label"]) or _("Total") for c in result["columns"][:60]],
            "cells": [[r, c, str(v)] for r, c, v in result["cells"] if r < 30 and c < 60],
            "time_columns": bool(spec and spec.columns and spec.columns[0] in explorer.TIME),
        }
    context = {
        "spec": spec,
        "result": result,
        "table": _table(spec, result) if result is not None else [],
        "chart": chart,
        "chart_type": request.GET.get("chart") or "bar",
        "params": _params(request),
        "query": urlencode(explorer.spec_to_params(spec)) if spec else "",
        "dimensions": list(DIMENSION_LABELS.items()),
        "slots": _slots(spec),
        "measures": [
            (k, v)
            for k, v in MEASURE_LABELS.items()
            if k != "gross_profit" or queries.may_see_margin(request.user)
        ],
        "row_labels": [DIMENSION_LABELS[d] for d in spec.rows] if spec else [],
        "column_labels": [DIMENSION_LABELS[d] for d in spec.columns] if spec else [],
        "options": queries.filter_options(viewer=request.user),
        "views": explorer.list_views(viewer=request.user),
    }
    return render(request, "ledger/explorer.html", context)


@page
def explorer_lines(request: HttpRequest) -> HttpResponse:
    spec = _spec(request)
    cell = explorer.parse_cell(request.GET.get("cell"))
    qs = explorer.cell_lines(viewer=request.user, spec=spec, cell=cell)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": paginate(request, qs),
        "query": query.urlencode(),
        "cell": [(DIMENSION_LABELS.get(k, k), v) for k, v in cell.items()],
        "back": urlencode(explorer.spec_to_params(spec)),
    }
    return render(request, "ledger/explorer_lines.html", context)


@page
def explorer_export(request: HttpRequest, fmt: str) -> HttpResponse:
    ratelimit.spend(request.user, "export")
    spec = _spec(request)
    result = explorer.pivot(viewer=request.user, spec=spec)
    column_names = [" / ".join(c["label"]) for c in result["columns"]] if spec.columns else []
    headers = [
        *(str(DIMENSION_LABELS[d]) for d in spec.rows),
        *(column_names or [str(MEASURE_LABELS[spec.measure])]),
        *([str(_("Total"))] if spec.columns else []),
    ]
    values = explorer.grid(result)
    body: list[list[Any]] = []
    for r, row in enumerate(result["rows"]):
        totals = [result["row_totals"][r]] if spec.columns else []
        body.append([*row["label"], *values[r], *totals])
    footer = [str(_("Total")), *[""] * max(0, len(spec.rows) - 1)]
    footer += [*result["column_totals"], result["total"]] if spec.columns else [result["total"]]
    body.append(footer)
    return export.download(fmt, "sales-explorer", headers, body)


@page
@require_POST
@requires(perms.SAVED_VIEW.code)
def explorer_save(request: HttpRequest) -> HttpResponse:
    spec = _spec(request)
    try:
        name = request.POST.get("name", "")
        services.save_view(actor=request.user, name=name, spec=spec.as_dict())
        messages.success(request, _("View saved."))
    except DomainError as error:
        messages.error(request, str(error.detail))
    return redirect(f"{_url('ledger:explorer')}?{urlencode(explorer.spec_to_params(spec))}")


@page
def explorer_view(request: HttpRequest, pk: int) -> HttpResponse:
    view = explorer.get_view(viewer=request.user, pk=pk)
    spec = explorer.PivotSpec.from_dict(view.spec)
    return redirect(f"{_url('ledger:explorer')}?{urlencode(explorer.spec_to_params(spec))}")


@page
@require_POST
@requires(perms.SAVED_VIEW.code)
def explorer_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = explorer.get_view(viewer=request.user, pk=pk)
    services.delete_view(actor=request.user, view=view)
    messages.success(request, _("View deleted."))
    return redirect(_url("ledger:explorer"))


def _slots(spec: explorer.PivotSpec | None) -> list[tuple[str, str, int, str]]:
    """The two row and two column pickers: (parameter, label, number, chosen dimension)."""
    slots = []
    for name, label, chosen in (
        ("rows", _("Rows"), spec.rows if spec else ()),
        ("columns", _("Columns"), spec.columns if spec else ()),
    ):
        for number in (1, 2):
            slots.append((name, label, number, chosen[number - 1] if len(chosen) >= number else ""))
    return slots


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
