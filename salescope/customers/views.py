"""Customer pages: list, detail, data quality and merge, dealer health, handover."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salescope.core.errors import DomainError
from salescope.customers import permissions as perms
from salescope.customers import queries, services
from salescope.customers.choices import CustomerKind
from salescope.ledger import queries as ledger_queries
from salescope.ledger.web import page, paginate
from salescope.org.permissions import requires

# What customers/index.html shows of each row (the owner's name is User.display_name): a
# page of 50 loads these instead of every column of three tables, ~0.5 ms less per page on
# both databases (bench/bench_ledger.py, section 5). Showing another field means adding it
# here; tests/customers guard that no column is loaded row by row.
INDEX_FIELDS = (
    "code",
    "name",
    "kind",
    "tier",
    "credit_limit_fen",
    "payment_terms_days",
    "owner__username",
    "owner__full_name",
    "owner__first_name",
    "owner__last_name",
    "territory__name",
)


@page
def index(request: HttpRequest) -> HttpResponse:
    search, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    customers = queries.list_customers(
        viewer=request.user, search=search, kind=kind, fields=INDEX_FIELDS
    )
    context = {
        "page": paginate(request, customers),
        "q": search,
        "kind": kind,
        "kinds": CustomerKind.choices,
    }
    return render(request, "customers/index.html", context)


@page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = queries.get_customer(viewer=request.user, pk=pk)
    context = {
        "customer": customer,
        "contacts": queries.list_contacts(viewer=request.user, customer=customer),
        "invoices": ledger_queries.list_invoices(viewer=request.user, customer=customer)[:20],
        "orders": ledger_queries.list_orders(viewer=request.user, customer=customer)[:20],
        "lines": ledger_queries.list_lines(viewer=request.user, filters={"customer": customer.pk})[
            :20
        ],
    }
    return render(request, "customers/detail.html", context)


@page
def data_quality(request: HttpRequest) -> HttpResponse:
    report = queries.data_quality(viewer=request.user)
    return render(request, "customers/data_quality.html", report)


@page
@require_POST
@requires(perms.CUSTOMER_MERGE.code)
def merge(request: HttpRequest) -> HttpResponse:
    try:
        keep = queries.get_customer(
            viewer=request.user, pk=request.POST.get("keep"), action="change"
        )
        dups = [
            queries.get_customer(viewer=request.user, pk=pk, action="change")
            for pk in request.POST.getlist("duplicates")
        ]
        services.merge_customers(actor=request.user, keep=keep, duplicates=dups)
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Merged into %s.") % keep)
    return redirect("customers:data-quality")


@page
def dealer_health(request: HttpRequest) -> HttpResponse:
    rows = queries.dealer_health(viewer=request.user, as_of=timezone.localdate())
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return render(request, "customers/dealer_health.html", {"rows": rows, "counts": counts})


@page
@requires(perms.OWNER_HAND_OVER.code)
def handover(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"orphans": queries.orphaned_records(viewer=request.user)}
    if request.method == "POST":
        from_user = queries.get_person(viewer=request.user, pk=request.POST.get("from_user"))
        to_user = queries.get_person(viewer=request.user, pk=request.POST.get("to_user"))
        try:
            counts = services.hand_over(
                actor=request.user,
                from_user=from_user,
                to_user=to_user,
                reason=request.POST.get("reason", ""),
            )
        except DomainError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Handed over %(customers)d customers, %(orders)d orders, %(invoices)d invoices.")
                % counts,
            )
            return redirect("customers:handover")
    context["people"] = queries.people_for_handover(viewer=request.user)
    return render(request, "customers/handover.html", context)


def _error_text(error: DomainError) -> str:
    details = "; ".join(f"{k}: {', '.join(v)}" for k, v in error.fields.items())
    return f"{error.detail} {details}".strip()
