"""A person's own pages: home, profile with API tokens, language and password."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from salescope.core.errors import DomainError
from salescope.core.web import page_errors
from salescope.core.worksurface import sections_for
from salescope.org import queries as org_queries
from salescope.org import services as org_services


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = org_queries.home_context(viewer=request.user)
    context["sections"] = sections_for(request.user)  # the work surface (工作台)
    return render(request, "core/home.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    tokens = org_queries.list_own_tokens(viewer=request.user)
    return render(request, "core/profile.html", {"tokens": tokens})


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    try:
        issued = org_services.create_token(
            actor=request.user, user=request.user, name=request.POST.get("name", "")
        )
    except DomainError as error:
        tokens = org_queries.list_own_tokens(viewer=request.user)
        context = {"tokens": tokens, "token_errors": error.fields.get("name", [error.detail])}
        return render(request, "core/profile.html", context, status=error.status)
    tokens = org_queries.list_own_tokens(viewer=request.user)
    return render(request, "core/profile.html", {"tokens": tokens, "issued": issued})


@login_required
@require_POST
@page_errors
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = org_queries.get_own_token(viewer=request.user, pk=token_id)
    org_services.revoke_token(actor=request.user, token=token)
    return redirect("profile")


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Saves the chosen language on the person (when signed in), then sets the cookie."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        org_services.set_language(actor=request.user, language=language)
    return set_language(request)


class AuditedPasswordChangeView(PasswordChangeView):
    """Django's password form and validators, writing through the audited service."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):  # noqa: ANN001, ANN201 - Django's signature
        org_services.change_password(
            actor=self.request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())
