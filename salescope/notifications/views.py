"""The inbox page: the person's notifications, newest first; open, mark read, email choice."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salescope.core.errors import DomainError
from salescope.core.permissions import requires
from salescope.core.web import page, paginate
from salescope.notifications import permissions as perms
from salescope.notifications import queries, services
from salescope.notifications.models import Webhook


@page
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = queries.list_notifications(viewer=request.user, unread_only=unread_only)
    context = {
        "page": paginate(request, notifications),
        "unread_only": unread_only,
        "query": "unread=1" if unread_only else "",
        "email_on": queries.email_opted_in(viewer=request.user),
    }
    return render(request, "notifications/inbox.html", context)


@page
@require_POST
@requires(perms.INBOX_CHANGE.code)
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go where the notification points (or back to the inbox)."""
    notification = queries.get_notification(viewer=request.user, pk=pk)
    services.mark_read(actor=request.user, notification=notification)
    return redirect(notification.link or "notifications:inbox")


@page
@require_POST
@requires(perms.INBOX_CHANGE.code)
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = queries.get_notification(viewer=request.user, pk=pk)
    services.mark_read(actor=request.user, notification=notification)
    return redirect("notifications:inbox")


@page
@require_POST
@requires(perms.INBOX_CHANGE.code)
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(actor=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notifications:inbox")


@page
@require_POST
@requires(perms.INBOX_CHANGE.code)
def settings(request: HttpRequest) -> HttpResponse:
    try:
        services.set_email(actor=request.user, email=request.POST.get("email") == "on")
    except DomainError as error:
        messages.error(request, " ".join(error.fields.get("email", [error.detail])))
    return redirect("notifications:inbox")


@page
@requires(perms.WEBHOOK_CHANGE.code)
def robots(request: HttpRequest) -> HttpResponse:
    """The units' DingTalk and WeCom group robots: administrators list and add them."""
    from salescope.core.permissions import require

    require(request.user, perms.WEBHOOK_CHANGE.code)  # reading them too: addresses are secrets
    status, error = 200, None
    if request.method == "POST":
        data = request.POST
        try:
            services.save_webhook(
                actor=request.user,
                unit=queries.get_unit(viewer=request.user, pk=data.get("unit") or 0),
                kind=data.get("kind", ""),
                url=data.get("url", ""),
                secret=data.get("secret", ""),
                escalations_only=data.get("escalations_only") == "on",
            )
        except DomainError as caught:
            status, error = caught.status, caught
        else:
            messages.success(request, _("The group robot is saved."))
            return redirect("notifications:robots")
    context = {
        "robots": queries.list_webhooks(viewer=request.user),
        "units": queries.units_for_robots(viewer=request.user),
        "kinds": Webhook.kind.field.choices,
        "error": error,
    }
    return render(request, "notifications/robots.html", context, status=status)
