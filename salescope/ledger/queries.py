"""Reads of the sales ledger, always for a viewer and through ``org.visibility``.

Contract used by other apps (plans/targets, analytics) — keep these signatures stable:

``rollup_totals(*, viewer, date_from, date_to, group_by, filters=None) -> list[dict]``
    Actual sales from the rollups, narrowed to what ``viewer`` may see.

    * ``date_from`` / ``date_to``: ``datetime.date``, both included, at **month** grain: every
      month from ``date_from``'s month to ``date_to``'s month counts in full.
    * ``group_by``: any of ``"month"``, ``"salesperson"``, ``"region"``, ``"category"``,
      ``"kind"`` (order kept in the output; ``[]`` gives one total row).
    * ``filters``: optional ``{"salesperson": id | [ids], "region": id | [ids],
      "category": id | [ids] (a category includes its subtree), "kind": "sell_in" |
      "sell_through" | "all"}``; ``kind`` defaults to ``"sell_in"`` (shipments to customers;
      dealers' sell-through is reported separately so nothing is counted twice).
    * Each row: the dimensions asked for — ``month`` as ``date`` (first day), ``salesperson``
      as user id, ``region`` as ``OrgUnit`` id (the salesperson's region when the line was
      recorded), ``category`` as ``catalog.Category`` id, ``kind`` as text; ``None`` where a
      line had none — and the measures ``amount``, ``gross_profit``, ``cost`` (``Decimal``,
      exact, from integer fen), ``quantity`` (``Decimal``) and ``lines`` (int). Rows are
      ordered by the dimensions.

``collection_totals(*, viewer, date_from, date_to, group_by) -> list[dict]``
    Collections (回款) with ``group_by`` ⊆ ``["month", "salesperson"]`` (salesperson = the
    collection's owner); each row has those keys plus ``amount`` (Decimal) and ``count``.
    ``until`` (optional): only collections dated on or before that day (tracking as of a date).

``sales_summary(*, viewer, group_by, date_from=None, date_to=None, filters=None)``
    The summary behind the page, the CLI and the API: any of ``SUMMARY_DIMENSIONS`` over day
    ranges, answered from the rollups when the question fits their grain, else from the lines.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Func, Max, OrderBy, Q, QuerySet, Sum

from salescope.catalog.models import Brand, Category, Product
from salescope.core.db import read_session
from salescope.core.errors import NotFound, ValidationFailed
from salescope.core.money import from_fen, grouped
from salescope.core.periods import month_end, month_start
from salescope.customers.models import Customer
from salescope.ledger import rules
from salescope.ledger.choices import LineKind
from salescope.ledger.models import (
    Collection,
    OrderLine,
    PersonRollup,
    RegionRollup,
    SalesLine,
    SalesRollup,
    from_milli,
)
from salescope.org.models import OrgUnit, User
from salescope.org.visibility import (
    can,
    get_visible,
    names_of,
    record_denied,
    values_with_names,
    visible,
    visible_in_share,
)

ROLLUP_DIMENSIONS = ("month", "salesperson", "region", "category", "kind")
SUMMARY_DIMENSIONS = (
    "month",
    "salesperson",
    "region",
    "category",
    "brand",
    "product",
    "customer",
    "channel",
    "kind",
)
_COLUMN = {
    "month": "month",
    "salesperson": "salesperson_id",
    "region": "region_id",
    "category": "category_id",
    "brand": "brand_id",
    "product": "product_id",
    "customer": "customer_id",
    "channel": "channel",
    "kind": "kind",
}
_MEASURES = {
    "amount_fen": Sum("amount_fen"),
    "quantity_milli": Sum("quantity_milli"),
    "cost_fen": Sum("cost_fen"),
    "gross_profit_fen": Sum("gross_profit_fen"),
}


def _ids(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def category_subtree_ids(category_ids: Iterable[int]) -> list[int]:
    # The category tree is everyone's to read (catalog.models.CATALOG_OWNERSHIP).
    categories = Category.objects.unrestricted()
    paths = list(categories.filter(pk__in=list(category_ids)).values_list("path", flat=True))
    ids: set[int] = set()
    for path in paths:
        ids.update(categories.filter(path__startswith=path).values_list("pk", flat=True))
    return sorted(ids)


def _check_dimensions(group_by: Sequence[str], allowed: Sequence[str]) -> None:
    unknown = [d for d in group_by if d not in allowed]
    if unknown or len(set(group_by)) != len(group_by):
        raise ValidationFailed(
            fields={"group_by": [f"unknown or repeated dimension: {', '.join(unknown) or '…'}"]}
        )


def _apply_filters(qs: QuerySet, filters: dict[str, Any]) -> QuerySet:
    kind = filters.get("kind") or LineKind.SELL_IN
    if kind != "all":
        qs = qs.filter(kind=kind)
    for name in ("salesperson", "region", "brand", "product", "customer"):
        if filters.get(name) is not None:
            qs = qs.filter(**{f"{_COLUMN[name]}__in": _ids(filters[name])})
    if filters.get("category") is not None:
        qs = qs.filter(category_id__in=category_subtree_ids(_ids(filters["category"])))
    if filters.get("channel"):
        qs = qs.filter(channel__in=_ids(filters["channel"]))
    return qs


def _measure_row(row: dict[str, Any], group_by: Sequence[str]) -> dict[str, Any]:
    out = {dim: row[_COLUMN[dim]] for dim in group_by}
    out["amount"] = from_fen(row["amount_fen"])
    out["quantity"] = from_milli(row["quantity_milli"])
    out["cost"] = from_fen(row["cost_fen"])
    out["gross_profit"] = from_fen(row["gross_profit_fen"])
    out["lines"] = int(row["lines"] or 0)
    return out


def _aggregate(qs: QuerySet, group_by: Sequence[str], line_count: Any) -> list[dict[str, Any]]:
    columns = [_COLUMN[d] for d in group_by]
    measures = {**_MEASURES, "lines": line_count}
    if columns:
        rows = qs.values(*columns).annotate(**measures).order_by(*columns)
    else:
        rows = [qs.aggregate(**measures)]
    return [_measure_row(row, group_by) for row in rows]


def rollup_totals(
    *,
    viewer: User,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    filters: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Actual sales from the rollups; see the module docstring for the contract."""
    _check_dimensions(group_by, ROLLUP_DIMENSIONS)
    filters = dict(filters or {})
    unknown = set(filters) - {"salesperson", "region", "category", "kind"}
    if unknown:
        raise ValidationFailed(
            fields={"filters": [f"unknown filter: {', '.join(sorted(unknown))}"]}
        )
    qs = rollup_queryset(
        viewer=viewer, date_from=date_from, date_to=date_to, group_by=group_by, filters=filters
    )
    return _aggregate(qs, group_by, Sum("lines"))


def rollup_queryset(
    *,
    viewer: User,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    filters: dict[str, Any],
) -> QuerySet:
    """The smallest rollup that answers ``group_by`` under ``filters``, for the months from
    ``date_from``'s to ``date_to``'s, narrowed to what ``viewer`` may see, filters applied:
    the region rollup for company-wide readers who neither group nor filter by salesperson,
    the salesperson × month rollup when nothing finer is asked (~12k rows a year instead of
    ~550k at 10M lines, bench/bench_plans.py), else the salesperson × category rollup."""
    months = {"month__gte": month_start(date_from), "month__lte": month_start(date_to)}
    by_person = "salesperson" in group_by or filters.get("salesperson") is not None
    if not by_person and can(viewer, RegionRollup, "view"):
        qs = RegionRollup.objects.filter(**months).visible_to(viewer)
    elif (
        set(group_by) <= {"month", "salesperson", "kind"}
        and filters.get("region") is None
        and filters.get("category") is None
    ):
        qs = visible(PersonRollup.objects.filter(**months), viewer=viewer)
    else:
        qs = visible(SalesRollup.objects.filter(**months), viewer=viewer)
    return _apply_filters(qs, filters)


def collection_totals(
    *,
    viewer: User,
    date_from: dt.date,
    date_to: dt.date,
    group_by: Sequence[str],
    until: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Collections by month and/or salesperson (owner); see the module docstring."""
    _check_dimensions(group_by, ("month", "salesperson"))
    qs = visible(
        Collection.objects.filter(
            month__gte=month_start(date_from), month__lte=month_start(date_to)
        ),
        viewer=viewer,
    )
    if until is not None:
        qs = qs.filter(date__lte=until, month__lte=month_start(until))
    columns = {"month": "month", "salesperson": "owner_id"}
    cols = [columns[d] for d in group_by]
    if cols:
        rows = list(qs.values(*cols).annotate(fen=Sum("amount_fen"), n=Count("id")).order_by(*cols))
    else:
        rows = [qs.aggregate(fen=Sum("amount_fen"), n=Count("id"))]
    return [
        {
            **{d: row[columns[d]] for d in group_by},
            "amount": from_fen(row["fen"]),
            "count": row["n"],
        }
        for row in rows
    ]


def _whole_months(date_from: dt.date | None, date_to: dt.date | None) -> bool:
    return (date_from is None or date_from.day == 1) and (
        date_to is None or date_to == month_end(date_to)
    )


def sales_summary(
    *,
    viewer: User,
    group_by: Sequence[str],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    filters: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Sales by any of ``SUMMARY_DIMENSIONS``; rows carry ids, labelled by ``label_rows``."""
    _check_dimensions(group_by, SUMMARY_DIMENSIONS)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    rollup_fits = (
        set(group_by) <= set(ROLLUP_DIMENSIONS)
        and set(filters) <= {"salesperson", "region", "category", "kind"}
        and _whole_months(date_from, date_to)
    )
    if rollup_fits:
        return rollup_totals(
            viewer=viewer,
            date_from=date_from or dt.date(1900, 1, 1),
            date_to=date_to or dt.date(9999, 12, 1),
            group_by=group_by,
            filters=filters,
        )
    qs = SalesLine.objects.all()
    if date_from:
        qs = qs.filter(date__gte=date_from, month__gte=month_start(date_from))
    if date_to:
        qs = qs.filter(date__lte=date_to, month__lte=month_start(date_to))
    qs = _apply_filters(visible(qs, viewer=viewer), filters)
    return _aggregate(qs, group_by, Count("id"))


_LABELS = {
    "salesperson": (User, "username", "full_name"),
    "region": (OrgUnit, "code", "name"),
    "category": (Category, "code", "name"),
    "brand": (Brand, "code", "name"),
    "product": (Product, "sku", "name"),
    "customer": (Customer, "code", "name"),
}


def label_rows(rows: list[dict[str, Any]], group_by: Sequence[str]) -> list[dict[str, Any]]:
    """Rows for people and files: each dimension by name (``month`` as ``YYYY-MM``), its id
    in ``<dim>_id`` and its code in ``<dim>_code``; measures as ``Decimal``."""
    names: dict[str, dict[Any, tuple[str, str]]] = {}
    for dim in group_by:
        if dim in _LABELS:
            model, code_field, name_field = _LABELS[dim]
            ids = {row[dim] for row in rows if row[dim] is not None}
            names[dim] = {
                pk: (code or "", name or code or "")
                for pk, code, name in names_of(model, ids, code_field, name_field)
            }
    labelled = []
    for row in rows:
        out: dict[str, Any] = {}
        for dim in group_by:
            value = row[dim]
            if dim == "month":
                out["month"] = value.strftime("%Y-%m") if value else None
            elif dim in names:
                code, name = names[dim].get(value, ("", ""))
                out[dim] = name or None
                out[f"{dim}_id"] = value
                out[f"{dim}_code"] = code or None
            else:
                out[dim] = value
        for measure in ("amount", "quantity", "gross_profit", "lines"):
            out[measure] = row[measure]
        labelled.append(out)
    return labelled


def summary_total(rows: list[dict[str, Any]]) -> dict[str, Decimal | int]:
    return {
        "amount": sum((r["amount"] for r in rows), Decimal("0.00")),
        "quantity": sum((r["quantity"] for r in rows), Decimal(0)),
        "gross_profit": sum((r.get("gross_profit", 0) for r in rows), Decimal("0.00")),
        "lines": sum(r["lines"] for r in rows),
    }


def may_see_margin(viewer: User) -> bool:
    """Cost and gross profit are protected fields (R6)."""
    from salescope.catalog.models import COST_ROLES

    return getattr(viewer, "role", None) in COST_ROLES


def summary_for_output(
    *,
    viewer: User,
    group_by: Sequence[str],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    filters: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The sales summary as the CLI, API and exports give it: labelled rows, and no
    ``gross_profit`` for a viewer who may not see margins."""
    rows = sales_summary(
        viewer=viewer, group_by=group_by, date_from=date_from, date_to=date_to, filters=filters
    )
    labelled = label_rows(rows, group_by)
    if not may_see_margin(viewer):
        for row in labelled:
            row.pop("gross_profit", None)
    return labelled


# --- Receivables (F3) -----------------------------------------------------------------------

AGEING_GROUPS = {"customer": "customer_id", "owner": "owner_id", "unit": "owner__unit_id"}


def _open_invoices(viewer: User, as_of: dt.date) -> QuerySet:
    from salescope.ledger.models import Invoice

    return visible(Invoice.objects.filter(status="open", issue_date__lte=as_of), viewer=viewer)


def receivables_ageing(
    *,
    viewer: User,
    as_of: dt.date,
    group_by: str | None = None,
    bounds: tuple[int, ...] | None = None,
    limit: int | None = None,
    offset: int = 0,
    with_overdue: bool = True,
) -> dict[str, Any]:
    """Open balances by days overdue at ``as_of`` (buckets from ``rules.buckets``), per
    customer, owner or owner's unit, or in total. Each row's buckets add up to its ``total``
    and the rows add up to the open invoice balance (the golden test checks both).
    ``overdue``: the count and open balance of the invoices past due, for the overdue list
    (None unless ``with_overdue``: two sums fewer for a caller that does not show them).

    Rows come largest balance first; ``limit``/``offset`` keep a page of them (``row_count``
    says how many there are), while ``total`` and ``overdue`` stay those of every row. The
    database adds up (one grouped scan, sums cast to whole fen so no row goes through a
    decimal); only the rows kept become amounts and get their labels — a thousand-fold smaller
    IN list than every customer's id (1M open invoices of 100k customers: 2.2–4.0 s before,
    issue 20 item 9; bench/bench_ageing.py)."""
    from django.db.models import BigIntegerField, ExpressionWrapper, F
    from django.db.models.functions import Cast

    all_buckets = rules.buckets(bounds or rules.DEFAULT_BUCKETS)
    balance = ExpressionWrapper(F("amount_fen") - F("paid_fen"), output_field=BigIntegerField())

    def fen(condition: Q | None = None) -> Cast:
        return Cast(Sum(balance, filter=condition), output_field=BigIntegerField())

    # One pass, few sums: each row adds its balance to the total and to every "due on or after
    # day d" sum whose d it reaches, one comparison each; a bucket is the difference of two of
    # them (exact: whole fen), so 3 bounds take 4 such sums instead of 5 two-sided ones.
    edges = _ageing_edges(all_buckets, as_of)
    measures: dict[str, Any] = {"total": fen()}
    for name, day in edges.items():
        measures[name] = fen(Q(due_date__gte=day))
    # The overdue list's heading, counted in the same scan: past due (an invoice due today
    # is in the first bucket, 0 days late, but not overdue).
    if with_overdue:
        measures["overdue_count"] = Count("id", filter=Q(due_date__lt=as_of))
        if _edge_name(as_of) not in edges:
            measures[_edge_name(as_of)] = fen(Q(due_date__gte=as_of))
    names = list(measures)
    qs = _open_invoices(viewer, as_of)
    if group_by:
        if group_by not in AGEING_GROUPS:
            raise ValidationFailed(fields={"group_by": ["customer, owner or unit"]})
        with read_session(serial=group_by == "customer"):
            kept, row_count, fen_total = _ranked_groups(
                qs.values(AGEING_GROUPS[group_by]).annotate(**measures).order_by(),
                AGEING_GROUPS[group_by],
                names,
                limit,
                offset,
            )
    else:
        totals = qs.aggregate(**measures)
        fen_total = {name: totals[name] or 0 for name in names}
        kept = [(None, *(totals[name] for name in names))][offset:][: limit or None]
        row_count = 1
    rows = []
    for item in kept:
        values = _bucket_values(dict(zip(names, item[1:], strict=True)), all_buckets, as_of)
        row: dict[str, Any] = {"key": item[0]}
        for bucket in all_buckets:
            row[bucket.key] = from_fen(values[bucket.key])
        row["total"] = from_fen(values["total"])
        rows.append(row)
    if group_by:
        keys = [r["key"] for r in rows]
        if group_by == "customer":
            labels = {
                pk: Customer.label(name, code)
                for pk, name, code in names_of(Customer, keys, "name", "code")
            }
        elif group_by == "owner":
            people = names_of(User, keys, "full_name", "username")
            labels = {pk: full_name or username for pk, full_name, username in people}
        else:
            labels = dict(names_of(OrgUnit, keys, "name"))
        for row in rows:
            row["label"] = labels.get(row["key"], "—")
    fen_total = _bucket_values(fen_total, all_buckets, as_of)
    total = {b.key: from_fen(fen_total[b.key]) for b in all_buckets}
    total["total"] = from_fen(fen_total["total"])
    return {
        "buckets": all_buckets,
        "rows": rows,
        "row_count": row_count,
        "total": total,
        "overdue": {"count": fen_total["overdue_count"], "balance": from_fen(fen_total["overdue"])}
        if with_overdue
        else None,
        "as_of": as_of,
    }


def _edge_name(day: dt.date) -> str:
    return f"due_from_{day:%Y%m%d}"


def _ageing_edges(all_buckets: list[rules.Bucket], as_of: dt.date) -> dict[str, dt.date]:
    """The first (earliest) due date of each bucket but the oldest, open-ended one, newest
    first: "not due" starts the day after ``as_of``, "31–60" days late 60 days before it."""
    edges = {}
    for bucket in all_buckets[:-1]:
        if bucket.low is None:
            day = as_of + dt.timedelta(days=1)
        else:
            day = as_of - dt.timedelta(days=bucket.high or 0)
        edges[_edge_name(day)] = day
    return edges


def _bucket_values(
    sums: dict[str, Any], all_buckets: list[rules.Bucket], as_of: dt.date
) -> dict[str, int]:
    """Each bucket's balance (and ``overdue``: past due) from the total and the "due on or
    after" sums of ``_ageing_edges``, in whole fen."""
    fen = {name: int(value or 0) for name, value in sums.items()}
    edges = list(_ageing_edges(all_buckets, as_of))
    newer = 0  # what the newer buckets already hold
    for bucket, edge in zip(all_buckets, [*edges, None], strict=True):
        reached = fen["total"] if edge is None else fen[edge]
        fen[bucket.key] = reached - newer
        newer = reached
    if _edge_name(as_of) in fen:
        fen["overdue"] = fen["total"] - fen[_edge_name(as_of)]
    return fen


def _ranked_groups(
    grouped: QuerySet, column: str, names: list[str], limit: int | None, offset: int
) -> tuple[list[tuple], int, dict[str, int]]:
    """The groups of ``grouped`` (``column`` and the measures ``names``), largest ``total``
    first, ``limit`` of them from ``offset``; with how many groups there are and each measure
    summed over all of them — in one statement, by window functions evaluated before the
    limit: the database ships a page of rows, not one per customer."""
    sql, params = grouped.query.sql_with_params()
    q = connection.ops.quote_name
    measures = [f"g.{q(n)}" for n in names]
    over_all = ", ".join(f"SUM({m}) OVER ()" for m in measures)
    if limit is None:
        window = "LIMIT ALL" if connection.vendor == "postgresql" else "LIMIT -1"
    else:
        window = f"LIMIT {int(limit)}"
    statement = (
        f"SELECT g.{q(column)}, {', '.join(measures)}, COUNT(*) OVER (), {over_all} "  # noqa: S608
        f"FROM ({sql}) g ORDER BY g.{q('total')} DESC, g.{q(column)} "
        f"{window} OFFSET {int(offset)}"
    )
    width = len(names) + 1
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        fetched = cursor.fetchall()
        if fetched:
            first = fetched[0]
            row_count, sums = first[width], first[width + 1 :]
        else:  # a page past the end (or nothing open): the totals by themselves
            cursor.execute(
                f"SELECT COUNT(*), {', '.join(f'SUM({m})' for m in measures)} "  # noqa: S608
                f"FROM ({sql}) g",
                params,
            )
            row_count, *sums = cursor.fetchone()
    fen_total = {name: int(value or 0) for name, value in zip(names, sums, strict=True)}
    return [row[:width] for row in fetched], int(row_count), fen_total


def dso(*, viewer: User, as_of: dt.date, days: int = 90) -> Decimal | None:
    """Days sales outstanding over the last ``days`` days (see ``rules.dso``)."""
    from salescope.ledger.models import Invoice

    open_fen = _open_invoices(viewer, as_of).aggregate(v=Sum("amount_fen") - Sum("paid_fen"))["v"]
    invoiced = visible(
        Invoice.objects.filter(
            issue_date__gt=as_of - dt.timedelta(days=days), issue_date__lte=as_of
        ).exclude(status="void"),
        viewer=viewer,
    ).aggregate(v=Sum("amount_fen"))["v"]
    return rules.dso(open_fen or 0, invoiced or 0, days)


def overdue_invoices(*, viewer: User, as_of: dt.date) -> QuerySet:
    """Open invoices past due at ``as_of``, oldest first."""
    return (
        _open_invoices(viewer, as_of)
        .filter(due_date__lt=as_of)
        .select_related("customer", "owner")
        .order_by("due_date", "id")
    )


def days_overdue(invoice: Any, as_of: dt.date) -> int:
    """Whole days an invoice is late at ``as_of``: as_of − due date (see ``rules.buckets``)."""
    return (as_of - invoice.due_date).days


def list_invoices(*, viewer: User, customer: Customer | None = None, status: str = "") -> QuerySet:
    from salescope.ledger.models import Invoice

    qs = Invoice.objects.all()
    if customer is not None:
        qs = qs.filter(customer=customer)
    if status:
        qs = qs.filter(status=status)
    return visible(qs, viewer=viewer).select_related("customer", "owner")


def get_invoice(*, viewer: User, pk: Any, action: str = "view") -> Any:
    from salescope.ledger.models import Invoice

    return get_visible(
        Invoice.objects.select_related("customer", "owner"), viewer=viewer, pk=pk, action=action
    )


def list_orders(*, viewer: User, customer: Customer | None = None, status: str = "") -> QuerySet:
    from salescope.ledger.models import Order

    qs = Order.objects.all()
    if customer is not None:
        qs = qs.filter(customer=customer)
    if status:
        qs = qs.filter(status=status)
    return visible(qs, viewer=viewer).select_related("customer", "owner")


def get_order(*, viewer: User, pk: Any, action: str = "view") -> Any:
    from salescope.ledger.models import Order

    return get_visible(
        Order.objects.select_related("customer", "owner"), viewer=viewer, pk=pk, action=action
    )


def list_collections(*, viewer: User, customer: Customer | None = None) -> QuerySet:
    qs = Collection.objects.all()
    if customer is not None:
        qs = qs.filter(customer=customer)
    return visible(qs, viewer=viewer).select_related("customer", "owner")


def get_collection(*, viewer: User, pk: Any, action: str = "view") -> Any:
    return get_visible(
        Collection.objects.select_related("customer"), viewer=viewer, pk=pk, action=action
    )


def customer_panel(viewer: User, customer: Customer) -> dict[str, Any]:
    """The ledger's panel on a customer's page: its latest invoices, orders and sales lines."""
    return {
        "invoices": list_invoices(viewer=viewer, customer=customer)[:20],
        "orders": list_orders(viewer=viewer, customer=customer)[:20],
        "lines": list_lines(viewer=viewer, filters={"customer": customer.pk})[:20],
    }


def dealer_health(*, viewer: User, as_of: dt.date) -> list[dict[str, Any]]:
    """Each visible dealer/distributor with last purchase, last-90-day and previous-90-day
    sell-in and a status from ``rules.dealer_health`` (F6)."""
    dealers = list(
        visible(
            Customer.objects.filter(
                deleted_at__isnull=True, kind__in=["dealer", "distributor"]
            ).select_related("owner"),
            viewer=viewer,
        ).order_by("code")
    )
    recent_start = as_of - dt.timedelta(days=90)
    previous_start = as_of - dt.timedelta(days=180)
    facts = {
        row["customer_id"]: row
        for row in SalesLine.objects.visible_to(viewer)
        .filter(customer_id__in=[d.pk for d in dealers], kind="sell_in", date__lte=as_of)
        .values("customer_id")
        .annotate(
            last=Max("date"),
            recent=Sum("amount_fen", filter=Q(date__gt=recent_start)),
            previous=Sum("amount_fen", filter=Q(date__gt=previous_start, date__lte=recent_start)),
        )
    }
    rows = []
    for dealer in dealers:
        fact = facts.get(dealer.pk, {})
        status, trend = rules.dealer_health(
            last_purchase=fact.get("last"),
            recent_fen=fact.get("recent") or 0,
            previous_fen=fact.get("previous") or 0,
            as_of=as_of,
        )
        rows.append(
            {
                "customer": dealer,
                "status": status,
                "trend": trend,
                "last_purchase": fact.get("last"),
                "recent_fen": fact.get("recent") or 0,
                "previous_fen": fact.get("previous") or 0,
            }
        )
    return rows


def committed_quantity(product: Product) -> int:
    """Units of ``product`` on confirmed orders and orders on credit hold: what availability
    (``catalog.queries.availability``) must hold back from stock on hand."""
    return (
        OrderLine.objects.unrestricted()  # visibility: every open order reserves stock
        .filter(product=product, order__status__in=["confirmed", "credit_hold"])
        .aggregate(v=Sum("quantity"))["v"]
        or 0
    )


# --- Sales lines ----------------------------------------------------------------------------


def list_lines(
    *,
    viewer: User,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    filters: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
    columns: Sequence[str] = (),
) -> QuerySet:
    """Sales lines with the summary's filters (``kind`` defaults to all here), newest first.
    ``fields`` (e.g. ``"customer__name"``) loads only those columns and the relations they
    name, for an answer that shows a few; ``columns``: the lines as tuples of those values, a
    related record's column read beside each line (``values_with_names``: a page's)."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    filters.setdefault("kind", "all")
    qs = SalesLine.objects.all()
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    qs, small_share = visible_in_share(qs, viewer=viewer)
    qs = _apply_filters(qs, filters).order_by(*_newest_first(small_share))
    if columns:
        return values_with_names(qs, *columns)
    if fields:
        related = {name.split("__")[0] for name in fields if "__" in name}
        return qs.select_related(*related).only(*fields)
    return qs.select_related("customer", "product", "category", "brand", "salesperson", "region")


def _newest_first(small_share: bool) -> list[Any]:
    """The lines list's order, newest first. On PostgreSQL, for a viewer who sees a small share
    of the lines, by the date as an expression no index serves: the planner, guessing their
    lines spread evenly over time, walked the date index and filtered — a team lead's 5,300 of
    10M lines took 522k rows and 1.2–1.4 s to fill a page of 50 — where reading them by the
    salesperson index and sorting them costs what they see (bench/bench_visibility.py)."""
    if connection.vendor == "postgresql" and small_share:
        return [OrderBy(Func(F("date"), template="(%(expressions)s + 0)"), descending=True), "-id"]
    return ["-date", "-id"]


def cross_territory_lines(*, viewer: User, date_from: dt.date | None = None) -> QuerySet:
    """Sell-through lines reported outside the dealer's sales area (窜货, F5)."""
    qs = SalesLine.objects.filter(cross_territory=True)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    return (
        visible(qs, viewer=viewer)
        .select_related("customer", "product", "salesperson")
        .order_by("-date", "-id")
    )


MONEY_KEYS = frozenset({"amount", "quantity", "gross_profit", "cost"})


def ageing_for_output(report: dict[str, Any]) -> dict[str, Any]:
    keys = [b.key for b in report["buckets"]]
    return {
        "as_of": report["as_of"],
        "buckets": [{"key": b.key, "low": b.low, "high": b.high} for b in report["buckets"]],
        "rows": [
            {
                "key": row["key"],
                "label": row.get("label"),
                "buckets": {k: row[k] for k in keys},
                "total": row["total"],
            }
            for row in report["rows"]
        ],
        "row_count": report["row_count"],
        "total": report["total"],
    }


def visible_import_jobs(*, viewer: User) -> QuerySet:
    """The import jobs ``viewer`` may follow: the ledger's own kinds by the job's ownership
    (its importer, the managers above them, finance); a job of a kind another app registered
    (``core.tasks.register_import_kind``: opportunities, leads, stock…) by its importer alone:
    its result and error report hold that app's records, which the roles that follow ledger
    imports (finance) may not see."""
    from salescope.core.tasks import import_kinds
    from salescope.ledger.models import ImportJob

    others = [entry.kind for entry in import_kinds()]
    return visible(ImportJob.objects.all(), viewer=viewer).filter(
        ~Q(kind__in=others) | Q(created_by=getattr(viewer, "pk", None))
    )


def get_import_job(*, viewer: User, pk: Any) -> Any:
    """Job ``pk`` if ``viewer`` may follow it (:func:`visible_import_jobs`); else not found,
    the same answer as for a job that does not exist."""
    from salescope.core.tasks import import_kind
    from salescope.ledger.models import ImportJob

    job = get_visible(ImportJob.objects.all(), viewer=viewer, pk=pk)
    if import_kind(job.kind) is not None and job.created_by_id != getattr(viewer, "pk", None):
        record_denied(viewer=viewer, model=ImportJob, pk=job.pk, action="view")
        raise NotFound()
    return job


def list_import_jobs(*, viewer: User) -> QuerySet:
    return visible_import_jobs(viewer=viewer).order_by("-created_at")[:20]


def filter_options(*, viewer: User) -> dict[str, QuerySet]:
    """Choices for the filter forms: categories, brands, regions and the people the viewer sees.

    Lazy, and only the columns a choice shows: each page reads the lists its form offers (the
    lines page has no brand filter) and makes no instance of a person's every column (the
    four lists were ~3 ms of the lines page, issue 20 item 9)."""
    from salescope.org.choices import UnitKind

    people = User.objects.filter(unit__isnull=False)
    return {
        "categories": visible(Category.objects.all(), viewer=viewer)
        .order_by("path")
        .only("name", "parent"),
        "brands": visible(Brand.objects.all(), viewer=viewer).order_by("name").only("name"),
        "regions": OrgUnit.objects.filter(kind=UnitKind.REGION)
        .visible_to(viewer)
        .order_by("path")
        .only("name"),
        "people": visible(people, viewer=viewer).only(
            "username", "full_name", "first_name", "last_name"
        ),
    }


def list_presets(*, viewer: User) -> QuerySet:
    from salescope.ledger.models import ImportPreset

    return visible(ImportPreset.objects.all(), viewer=viewer).order_by("name")


def get_preset(*, viewer: User, pk: Any) -> Any:
    if not pk:
        return None
    from salescope.ledger.models import ImportPreset

    return visible(ImportPreset.objects.all(), viewer=viewer).filter(pk=pk).first()


# --- Everyday records: what the order and collection forms offer ----------------------------


def customers_for_orders(*, viewer: User) -> QuerySet:
    """Active customers the viewer may take orders for (may change)."""
    qs = Customer.objects.filter(deleted_at__isnull=True, status="active")
    return visible(qs, viewer=viewer, action="change").order_by("code")


def customers_for_collections(*, viewer: User) -> QuerySet:
    """Customers the viewer may see, for recording a collection (finance sees all)."""
    qs = Customer.objects.filter(deleted_at__isnull=True)
    return visible(qs, viewer=viewer).order_by("code")


def products_for_orders(*, viewer: User) -> QuerySet:
    qs = Product.objects.filter(deleted_at__isnull=True, active=True)
    return visible(qs, viewer=viewer).order_by("sku")


def open_invoices_of(*, viewer: User, customer: Customer) -> list:
    """The customer's open invoices, oldest due first, for allocating a collection."""
    from salescope.ledger.models import Invoice

    qs = Invoice.objects.filter(customer=customer, status="open").order_by("due_date", "id")
    return list(visible(qs, viewer=viewer)[:50])


def credit_position(customer: Customer, *, exclude_order: Any = None) -> tuple[int, dt.date | None]:
    """Open invoice balance plus confirmed uninvoiced orders (fen) and the oldest open due
    date: what the credit check weighs an order against (F4). The system's read of one
    customer the caller already holds."""
    from django.db.models import F, Min

    from salescope.ledger.models import Invoice, Order

    # visibility: the credit check weighs everything the customer owes, whoever's it is.
    invoices = Invoice.objects.unrestricted().filter(customer=customer, status="open")
    open_fen = invoices.aggregate(v=Sum(F("amount_fen") - F("paid_fen")))["v"] or 0
    # visibility: as above, every confirmed order of the customer counts.
    orders = Order.objects.unrestricted().filter(customer=customer, status="confirmed")
    if exclude_order is not None:
        orders = orders.exclude(pk=exclude_order.pk)
    open_fen += orders.aggregate(v=Sum("amount_fen"))["v"] or 0
    oldest_due = invoices.filter(paid_fen__lt=F("amount_fen")).aggregate(d=Min("due_date"))["d"]
    return open_fen, oldest_due


def credit_summary(*, viewer: User, customer: Customer) -> dict[str, Any]:
    """The credit limit, what is open against it and what remains, shown before an order."""
    open_fen, oldest_due = credit_position(customer)
    limit = customer.credit_limit_fen
    return {  # amounts as the pages show them: to the cent, with separators
        "limit": None if limit is None else grouped(from_fen(limit)),
        "open": grouped(from_fen(open_fen)),
        "available": None if limit is None else grouped(from_fen(limit - open_fen)),
        "oldest_due": oldest_due,
    }
