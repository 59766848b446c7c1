from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from salescope.core.api import ErrorOut
from salescope.core.permissions import api_permission
from salescope.notifications import permissions as perms
from salescope.notifications import queries, services
from salescope.notifications.schemas import (
    InboxSettingIn,
    InboxSettingOut,
    NotificationOut,
    UnreadOut,
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
