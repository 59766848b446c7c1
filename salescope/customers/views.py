"""Customer pages: list, detail, data quality and merge, dealer health, handover."""

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from salescope.core.errors import DomainError, ValidationFailed
from salescope.core.web import page, paginate, url_for_each
from salescope.customers import permissions as perms
from salescope.customers import queries, record_views, services
from salescope.customers.choices import CustomerKind
from salescope.customers.forms import HandoverForm
from salescope.customers.models import Customer
from salescope.customers.panels import panels_for
from salescope.org.permissions import allows, requires

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
    page_of_customers = paginate(request, customers)
    context = {
        "page": page_of_customers,
        "rows": _index_rows(page_of_customers),
        "q": search,
        "kind": kind,
        "kinds": CustomerKind.choices,
    }
    return render(request, "customers/index.html", context)


def _index_rows(customers: Iterable[Customer]) -> list[dict[str, Any]]:
    """The customers as the list shows them, worked out once (the page shows every row twice:
    a table, and cards on a phone): the link, the kind's label, the payment terms' words, the
    owner's and territory's names. Rows are dicts of finished values, which the template
    engine reads at its first try (an attribute costs it a failed item lookup first), and the
    links share one reversed URL: ~60 µs a row each, for 50 rows (issue 20 item 9)."""
    terms = _("%(days)s days")
    detail = url_for_each("customers:detail")
    return [
        {
            "url": detail(c.pk),
            "code": c.code,
            "name": c.name,
            "kind": c.get_kind_display(),
            "tier": c.tier,
            "owner": None if c.owner is None else c.owner.display_name,
            "territory": None if c.territory is None else str(c.territory),
            "credit_limit": c.credit_limit,
            "terms": terms % {"days": c.payment_terms_days},
        }
        for c in customers
    ]


@page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = queries.get_customer(viewer=request.user, pk=pk)
    context = {
        "customer": customer,
        "contacts": queries.list_contacts(viewer=request.user, customer=customer),
        "panels": panels_for(viewer=request.user, customer=customer),
        **record_views.actions(request.user, customer),
    }
    return render(request, "customers/detail.html", context)


# The fields data_quality names (a duplicate group's "by", a missing field), shown by their
# verbose_name.
def _field_label(name: str) -> str:
    return str(Customer._meta.get_field(name).verbose_name)


@page
@requires(perms.CUSTOMER_MERGE.code)  # what the page is for; reading it stays open (GET)
def data_quality(request: HttpRequest) -> HttpResponse:
    report = queries.data_quality(viewer=request.user)
    for group in report["duplicates"]:
        joiner = "、" if (get_language() or "").startswith("zh") else ", "
        group["by_label"] = joiner.join(_field_label(name) for name in group["by_all"])
    for item in report["missing"]:
        item["labels"] = [_field_label(name) for name in item["fields"]]
    report["can_merge"] = allows(request.user, perms.CUSTOMER_MERGE.code)
    return render(request, "customers/data_quality.html", report)


@page
@require_POST
@requires(perms.CUSTOMER_MERGE.code)
def merge(request: HttpRequest) -> HttpResponse:
    """First POST (from data quality): show what would move; the POST with ``confirm`` merges."""
    try:
        keep = queries.get_customer(
            viewer=request.user, pk=request.POST.get("keep"), action="change"
        )
        dups = [
            queries.get_customer(viewer=request.user, pk=pk, action="change")
            for pk in request.POST.getlist("duplicates")
            if str(pk) != str(keep.pk)
        ]
        if not request.POST.get("confirm"):
            if not dups:
                raise ValidationFailed(
                    fields={"duplicates": [_("Choose at least one other customer.")]}
                )
            context = {
                "keep": keep,
                "duplicates": dups,
                "moves": services.merge_counts(duplicates=dups),
            }
            return render(request, "customers/merge_confirm.html", context)
        services.merge_customers(actor=request.user, keep=keep, duplicates=dups)
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        link = format_html(
            '<a href="{}">{}</a>', reverse("customers:detail", args=[keep.pk]), str(keep)
        )
        messages.success(request, mark_safe(escape(_("Merged into %s.")) % link))  # noqa: S308
    return redirect("customers:data-quality")


@page
@requires(perms.OWNER_HAND_OVER.code)
def handover(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: check it and show what would move; POST with ``confirm``: move."""
    may_hand_over = allows(request.user, perms.OWNER_HAND_OVER.code)
    form = HandoverForm(request.POST or None, viewer=request.user)
    context: dict[str, Any] = {"form": form, "may_hand_over": may_hand_over}
    if request.method == "POST" and form.is_valid():
        from_user, to_user = form.cleaned_data["from_user"], form.cleaned_data["to_user"]
        if not request.POST.get("confirm"):
            context["preview"] = {
                "from_user": from_user,
                "to_user": to_user,
                "counts": services.handover_counts(from_user=from_user),
            }
            return render(request, "customers/handover.html", context)
        try:
            counts = services.hand_over(
                actor=request.user,
                from_user=from_user,
                to_user=to_user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as error:
            for name, errors in error.fields.items():
                for text in errors:
                    form.add_error(name if name in form.fields else None, text)
        except DomainError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Handed over %(customers)d customers, %(orders)d orders, %(invoices)d invoices.")
                % counts,
            )
            return redirect("customers:handover")
    context["orphans"] = queries.orphaned_records(viewer=request.user)
    return render(request, "customers/handover.html", context)


def _error_text(error: DomainError) -> str:
    details = "; ".join(f"{k}: {', '.join(v)}" for k, v in error.fields.items())
    return f"{error.detail} {details}".strip()


@require_safe
def dealer_health_moved(request: HttpRequest) -> HttpResponse:
    """Dealer health reads the ledger, so its page lives there; old links and bookmarks follow."""
    return redirect("ledger:dealer-health", permanent=True)
