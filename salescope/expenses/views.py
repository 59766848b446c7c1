"""Expense pages (费用): my records and claims, a claim and its approval, the approvals inbox,
budget vs spend with the expense-to-sales ratio and cost per visit, categories. Thin: forms
in, services write, queries read."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salescope.core.errors import DomainError, NotFound
from salescope.core.permissions import allows
from salescope.core.web import date_param, form_error, page, paginate
from salescope.expenses import forms, queries, services
from salescope.expenses import permissions as perms
from salescope.expenses.choices import EDITABLE
from salescope.org.permissions import requires


def _said(error: DomainError) -> str:
    """A refused write's message, its fields' messages first."""
    return " ".join(m for msgs in error.fields.values() for m in msgs) or error.detail


STEPS = {
    "submit": (perms.CLAIM_SUBMIT.code, services.submit_claim),
    "approve": (perms.CLAIM_APPROVE.code, services.approve_claim),
    "pay": (perms.CLAIM_PAY.code, services.pay_claim),
}


@page
def index(request: HttpRequest) -> HttpResponse:
    """My expense records not yet claimed (to put in a claim) and my claims."""
    context = {
        "unclaimed": queries.my_unclaimed(viewer=request.user),
        "page": paginate(request, queries.list_claims(viewer=request.user, mine=True)),
        "claim_form": forms.ClaimForm(),
        "tab": "mine",
    }
    return render(request, "expenses/index.html", context)


@page
@requires(perms.RECORD.code)
def record_new(request: HttpRequest) -> HttpResponse:
    initial = {"spent_on": timezone.localdate()}
    form = forms.ExpenseForm(request.POST or None, viewer=request.user, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            expense = services.record_expense(actor=request.user, **form.cleaned_data)
            return redirect("expenses:record", pk=expense.pk)
        except DomainError as error:
            status = form_error(form, error)
    elif request.method == "POST":
        status = 422
    return render(request, "expenses/form.html", {"form": form, "tab": "mine"}, status=status)


@page
@requires(perms.RECORD_CHANGE.code)
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    expense = queries.get_expense(viewer=request.user, pk=pk)
    if request.method == "POST":  # delete
        expense = queries.get_expense(viewer=request.user, pk=pk, action="delete")
        try:
            services.delete_expense(
                actor=request.user,
                expense=expense,
                expected_version=int(request.POST.get("version") or 0),
            )
            messages.success(request, _("Expense record deleted."))
            return redirect("expenses:index")
        except DomainError as error:
            messages.error(request, error.detail)
    editable = expense.person_id == request.user.pk and (
        expense.claim_id is None or expense.claim.status in EDITABLE
    )
    context = {
        "expense": expense,
        "receipts": queries.receipts_of(viewer=request.user, expense=expense),
        "editable": editable,
        "tab": "mine",
    }
    return render(request, "expenses/record.html", context)


@page
@require_POST
@requires(perms.RECORD_CHANGE.code)
def add_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    expense = queries.get_expense(viewer=request.user, pk=pk, action="change")
    upload = request.FILES.get("receipt")
    try:
        data = upload.read(services.RECEIPT_MAX_BYTES + 1) if upload else b""
        services.add_receipt(actor=request.user, expense=expense, data=data)
        messages.success(request, _("Receipt added."))
    except DomainError as error:
        messages.error(request, _said(error))
    return redirect("expenses:record", pk=pk)


@page
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """A receipt, to whoever may see its record; never a public path."""
    found = queries.get_receipt(viewer=request.user, pk=pk)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@page
@require_POST
@requires(perms.CLAIM.code)
def claim_new(request: HttpRequest) -> HttpResponse:
    form = forms.ClaimForm(request.POST)
    ids = [int(x) for x in request.POST.getlist("record") if x.isdigit()][:500]
    try:
        records = [queries.get_expense(viewer=request.user, pk=pk) for pk in ids]
        title = form.data.get("title", "")
        claim = services.create_claim(actor=request.user, title=title, expenses=records)
        return redirect("expenses:claim", pk=claim.pk)
    except (DomainError, NotFound) as error:
        messages.error(request, _said(error))
    return redirect("expenses:index")


@page
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = queries.get_claim(viewer=request.user, pk=pk)
    viewer = request.user
    context = {
        "claim": claim,
        "records": queries.list_expenses(viewer=viewer, claim=claim),
        "may_submit": claim.claimant_id == viewer.pk and claim.status in EDITABLE,
        "may_approve": allows(viewer, perms.CLAIM_APPROVE.code)
        and (
            (claim.status == "submitted" and services.may_approve_as_manager(viewer, claim))
            or (claim.status == "manager_approved" and services.may_act_as_finance(viewer, claim))
        ),
        "may_pay": claim.status == "approved" and services.may_act_as_finance(viewer, claim),
        "reject_form": forms.RejectForm(),
        "tab": "mine" if claim.claimant_id == viewer.pk else "approvals",
    }
    return render(request, "expenses/claim.html", context)


@page
@require_POST
@requires(perms.CLAIM_STEP.code)
def claim_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    claim = queries.get_claim(viewer=request.user, pk=pk, action="change")
    version = int(request.POST.get("version") or 0)
    try:
        if step == "reject":
            services.reject_claim(
                actor=request.user,
                claim=claim,
                expected_version=version,
                reason=request.POST.get("reason", ""),
            )
        elif step in STEPS:
            STEPS[step][1](actor=request.user, claim=claim, expected_version=version)
        else:
            raise NotFound()
        messages.success(request, _("Done."))
    except NotFound:
        raise
    except DomainError as error:
        if error.status == 409:
            return render(request, "409.html", {"detail": error.detail}, status=409)
        messages.error(request, _said(error))
    return redirect("expenses:claim", pk=pk)


@page
def approvals(request: HttpRequest) -> HttpResponse:
    claims = queries.approvals_inbox(viewer=request.user)
    return render(
        request, "expenses/approvals.html", {"page": paginate(request, claims), "tab": "approvals"}
    )


@page
def budget(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    date_from = date_param(request, "from", today.replace(month=1, day=1))
    date_to = date_param(request, "to", today.replace(month=12, day=31))
    if date_to < date_from or (date_to - date_from).days > 3 * 366:
        date_from, date_to = today.replace(month=1, day=1), today.replace(month=12, day=31)
    by = "unit" if request.GET.get("by") == "unit" else "person"
    context = {
        "report": queries.budget_vs_spend(
            viewer=request.user, date_from=date_from, date_to=date_to, by=by
        ),
        "ratios": queries.expense_ratios(
            viewer=request.user, date_from=date_from, date_to=date_to, by=by
        ),
        "by": by,
        "date_from": date_from,
        "date_to": date_to,
        "tab": "budget",
    }
    return render(request, "expenses/budget.html", context)


@page
@requires(perms.CATEGORY_EDIT.code)
def categories(request: HttpRequest) -> HttpResponse:
    form = forms.CategoryForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            data = {**form.cleaned_data, "position": form.cleaned_data.get("position") or 0}
            services.save_category(actor=request.user, **data)
            return redirect("expenses:categories")
        except DomainError as error:
            status = form_error(form, error)
    elif request.method == "POST":
        status = 422
    context = {
        "form": form,
        "categories": queries.categories(viewer=request.user, active_only=False),
        "tab": "categories",
    }
    return render(request, "expenses/categories.html", context, status=status)
