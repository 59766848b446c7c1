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
