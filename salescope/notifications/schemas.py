from datetime import datetime

from ninja import Schema


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    subject_type: str
    subject_id: str
    created_at: datetime
    read_at: datetime | None


class UnreadOut(Schema):
    unread: int


class InboxSettingIn(Schema):
    email: bool


class InboxSettingOut(Schema):
    email: bool


class WebhookIn(Schema):
    unit_id: int
    kind: str
    url: str
    # DingTalk's signing secret (加签); written only, never shown again. Empty on a change
    # keeps the one saved.
    secret: str = ""
    escalations_only: bool = True
    active: bool = True


class WebhookOut(Schema):
    id: int
    unit_id: int
    kind: str
    url: str
    signed: bool
    escalations_only: bool
    active: bool

    @staticmethod
    def resolve_signed(obj: object) -> bool:
        return bool(getattr(obj, "secret", ""))
