from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from salescope.core.api import ErrorOut
from salescope.core.permissions import api_permission, require
from salescope.notifications import permissions as perms
from salescope.notifications import queries, services
from salescope.notifications.schemas import (
    InboxSettingIn,
    InboxSettingOut,
    NotificationOut,
    UnreadOut,
    WebhookIn,
    WebhookOut,
)

router = Router(tags=["notifications"])


@router.get("/inbox", response=list[NotificationOut], summary="My notifications, newest first")
@paginate
def list_inbox(request: HttpRequest, unread: bool = False) -> Any:
    return queries.list_notifications(viewer=request.user, unread_only=unread)


@router.get("/inbox/unread", response=UnreadOut, summary="How many of my notifications are unread")
def unread(request: HttpRequest) -> Any:
    return {"unread": queries.unread_count(viewer=request.user)}


@router.post(
    "/inbox/{notification_id}/read",
    response={200: NotificationOut, 404: ErrorOut},
    openapi_extra=api_permission(perms.INBOX_CHANGE.code),
)
def read(request: HttpRequest, notification_id: int) -> Any:
    notification = queries.get_notification(viewer=request.user, pk=notification_id)
    return services.mark_read(actor=request.user, notification=notification)


@router.post(
    "/inbox/read-all",
    response=UnreadOut,
    openapi_extra=api_permission(perms.INBOX_CHANGE.code),
)
def read_all(request: HttpRequest) -> Any:
    services.mark_all_read(actor=request.user)
    return {"unread": 0}


@router.get("/inbox/settings", response=InboxSettingOut)
def get_settings(request: HttpRequest) -> Any:
    return {"email": queries.email_opted_in(viewer=request.user)}


@router.put(
    "/inbox/settings",
    response={200: InboxSettingOut, 422: ErrorOut},
    openapi_extra=api_permission(perms.INBOX_CHANGE.code),
)
def put_settings(request: HttpRequest, payload: InboxSettingIn) -> Any:
    return services.set_email(actor=request.user, email=payload.email)


# --- group robots (DingTalk, WeCom) per unit: administrators only ------------------------------


def _unit(request: HttpRequest, unit_id: int) -> Any:
    return queries.get_unit(viewer=request.user, pk=unit_id)


@router.get(
    "/webhooks",
    response={200: list[WebhookOut], 403: ErrorOut},
    summary="The units' DingTalk and WeCom group robots",
    openapi_extra=api_permission(perms.WEBHOOK_CHANGE.code),
)
def list_webhooks(request: HttpRequest) -> Any:
    require(request.user, perms.WEBHOOK_CHANGE.code)
    return list(queries.list_webhooks(viewer=request.user))


@router.post(
    "/webhooks",
    response={201: WebhookOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    openapi_extra=api_permission(perms.WEBHOOK_CHANGE.code),
)
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Any:
    require(request.user, perms.WEBHOOK_CHANGE.code)
    hook = services.save_webhook(
        actor=request.user,
        unit=_unit(request, payload.unit_id),
        **payload.dict(exclude={"unit_id"}),
    )
    return Status(201, hook)


@router.put(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    openapi_extra=api_permission(perms.WEBHOOK_CHANGE.code),
)
def change_webhook(request: HttpRequest, webhook_id: int, payload: WebhookIn) -> Any:
    hook = queries.get_webhook(viewer=request.user, pk=webhook_id, action="change")
    return services.save_webhook(
        actor=request.user,
        unit=_unit(request, payload.unit_id),
        webhook=hook,
        **payload.dict(exclude={"unit_id"}),
    )


@router.delete(
    "/webhooks/{webhook_id}",
    response={204: None, 403: ErrorOut, 404: ErrorOut},
    openapi_extra=api_permission(perms.WEBHOOK_CHANGE.code),
)
def delete_webhook(request: HttpRequest, webhook_id: int) -> Any:
    hook = queries.get_webhook(viewer=request.user, pk=webhook_id, action="delete")
    services.delete_webhook(actor=request.user, webhook=hook)
    return Status(204, None)
