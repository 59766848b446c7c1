"""The one inbox: notify writes rows (and email for those who chose it); each person reads and
marks only their own notifications, on the page and through the API."""

import pytest
from django.core import mail

from salescope.core.errors import ValidationFailed
from salescope.core.models import AuditEntry
from salescope.core.ownership import all_records
from salescope.notifications import queries, services
from salescope.notifications.models import InboxSetting, Notification


def test_notify_writes_one_row_per_active_recipient_once(personas):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    rows = services.notify(
        recipients=[zhang, lina, zhang],
        kind="activities.report.commented",
        title="李娜点评了你的日报",
        body="拜访记录很具体",
        link="/activities/reports/1/",
        subject=lina,
    )
    assert sorted(r.recipient_id for r in rows) == sorted([zhang.pk, lina.pk])
    stored = all_records(Notification).get(recipient=zhang)
    assert (stored.kind, stored.title, stored.body, stored.link) == (
        "activities.report.commented",
        "李娜点评了你的日报",
        "拜访记录很具体",
        "/activities/reports/1/",
    )
    assert (stored.subject_type, stored.subject_id) == ("org.user", str(lina.pk))
    entry = AuditEntry.objects.get(action="notifications.notification.sent")
    assert entry.changes["recipients"] == sorted([zhang.pk, lina.pk])


def test_notify_skips_deactivated_people(personas):
    zhang = personas["salesperson"]
    zhang.is_active = False
    assert services.notify(recipients=[zhang], kind="x.y", title="t") == []
    assert not all_records(Notification).exists()


def test_notify_refuses_an_outside_link_and_writes_nothing(personas):
    with pytest.raises(ValidationFailed) as caught:
        services.notify(
            recipients=[personas["salesperson"]], kind="x.y", title="t", link="https://evil.example"
        )
    assert "link" in caught.value.fields
    assert not all_records(Notification).exists()
    assert not AuditEntry.objects.filter(action="notifications.notification.sent").exists()


def test_email_goes_only_to_people_who_chose_it(personas, django_capture_on_commit_callbacks):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    zhang.email = "zhangwei@example.com"
    zhang.save(update_fields=["email"])
    services.set_email(actor=zhang, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[zhang, lina], kind="x.y", title="新的指示", link="/inbox/")
    assert [m.to for m in mail.outbox] == [["zhangwei@example.com"]]
    assert mail.outbox[0].subject == "新的指示"
    assert mail.outbox[0].body.endswith("/inbox/")
    emailed = dict(all_records(Notification).values_list("recipient_id", "emailed"))
    assert emailed == {zhang.pk: True, lina.pk: False}


def test_email_choice_needs_an_address(personas):
    zhang = personas["salesperson"]
    zhang.email = ""
    zhang.save(update_fields=["email"])
    with pytest.raises(ValidationFailed):
        services.set_email(actor=zhang, email=True)
    assert not InboxSetting.objects.unrestricted().exists()


def test_a_manager_does_not_read_the_inbox_of_the_team(personas, login_client, api_client):
    zhang, lina = personas["salesperson"], personas["team_lead"]
    (mine,) = services.notify(recipients=[zhang], kind="x.y", title="只给张伟")
    assert list(queries.list_notifications(viewer=lina)) == []
    assert queries.unread_count(viewer=lina) == 0
    assert api_client(lina).get("/api/v1/inbox").json()["items"] == []
    assert "只给张伟" not in login_client(lina).get("/inbox/").content.decode()
    response = api_client(lina).post(f"/api/v1/inbox/{mine.pk}/read")
    assert response.status_code == 404
    assert all_records(Notification).get(pk=mine.pk).read_at is None


def test_the_shell_shows_the_unread_count_and_the_inbox_marks_read(personas, login_client):
    zhang = personas["salesperson"]
    (first,) = services.notify(recipients=[zhang], kind="x.y", title="第一条")
    services.notify(recipients=[zhang], kind="x.y", title="第二条")
    client = login_client(zhang)
    home = client.get("/").content.decode()
    assert 'data-testid="inbox-unread">2<' in home
    assert "第一条" in home  # the work surface's inbox block

    assert client.post(f"/inbox/{first.pk}/read/").status_code == 302
    assert queries.unread_count(viewer=zhang) == 1
    assert client.post("/inbox/read-all/").status_code == 302
    assert queries.unread_count(viewer=zhang) == 0
    assert 'data-testid="inbox-unread"' not in client.get("/inbox/").content.decode()
    actions = list(
        AuditEntry.objects.filter(action__startswith="notifications.")
        .exclude(action="notifications.notification.sent")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["notifications.notification.read", "notifications.inbox.read_all"]


def test_opening_a_notification_goes_to_its_link(personas, login_client):
    zhang = personas["salesperson"]
    (n,) = services.notify(recipients=[zhang], kind="x.y", title="去看看", link="/customers/")
    response = login_client(zhang).post(f"/inbox/{n.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/customers/"
    assert all_records(Notification).get(pk=n.pk).read_at is not None


def test_api_lists_unread_and_marks_read(personas, api_client):
    zhang = personas["salesperson"]
    zhang.email = ""
    zhang.save(update_fields=["email"])
    (n,) = services.notify(recipients=[zhang], kind="x.y", title="接口")
    client = api_client(zhang)
    assert client.get("/api/v1/inbox/unread").json() == {"unread": 1}
    items = client.get("/api/v1/inbox?unread=true").json()["items"]
    assert [(i["id"], i["title"], i["read_at"]) for i in items] == [(n.pk, "接口", None)]
    body = client.post(f"/api/v1/inbox/{n.pk}/read").json()
    assert body["read_at"] is not None
    assert client.get("/api/v1/inbox?unread=true").json()["items"] == []
    response = client.put(
        "/api/v1/inbox/settings", data={"email": True}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["fields"]["email"]


def _what_was_sent(personas, send, django_capture_on_commit_callbacks):
    """The rows, emails, robot posts and audit entries one way of sending leaves."""
    from unittest import mock

    from django.db import transaction

    zhang, lina, chen = (
        personas["salesperson"],
        personas["team_lead"],
        personas["other_region_salesperson"],
    )
    gone = personas["finance"]
    gone.is_active = False  # a deactivated person gets nothing, by either path
    mail.outbox.clear()
    since = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    messages = [
        services.Message(
            [zhang, lina, zhang],
            "activities.report.commented",
            " 点评 ",
            "很好",
            "/activities/reports/1/",
            lina,
        ),  # fmt: skip
        services.Message([gone], "x.y", "谁也收不到"),
        services.Message([chen, None], "feedback.problem.escalated", "升级", "断货", "/feedback/"),
        services.Message([lina], "x.y", "第二条给李娜", link="/inbox/"),
    ]
    with (
        mock.patch.object(services, "_post_webhook") as posted,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        counts = send(messages)
    rows = list(
        all_records(Notification)
        .order_by("pk")
        .values_list(
            "recipient_id",
            "kind",
            "title",
            "body",
            "link",
            "subject_type",
            "subject_id",
            "emailed",
            "read_at",
        )  # fmt: skip
    )
    audit_rows = list(
        AuditEntry.objects.filter(pk__gt=since, action="notifications.notification.sent")
        .order_by("pk")
        .values_list(
            "actor_id",
            "actor_label",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "source",
        )  # fmt: skip
    )
    all_records(Notification).delete()
    return {
        "returned": counts,
        "rows": rows,
        "mail": [(m.to, m.subject, m.body) for m in mail.outbox],
        "robots": [(c.args, c.kwargs) for c in posted.call_args_list],
        "audit": audit_rows,
    }


def test_notify_many_sends_exactly_what_notify_sends_one_by_one(
    personas, django_capture_on_commit_callbacks
):
    """The bulk entry point is the same path: same recipients (active, each once), same email
    decision per person, same robots per unit (escalations only where so set), one audit entry
    per message with what was sent."""
    zhang, lina, chen = (
        personas["salesperson"],
        personas["team_lead"],
        personas["other_region_salesperson"],
    )
    for person, address in ((zhang, "zhangwei@example.com"), (lina, "")):
        person.email = address
        person.save(update_fields=["email"])
        InboxSetting.objects.create(person=person, email=True)  # 李娜 chose email, has no address
    services.save_webhook(
        actor=personas["admin"], unit=zhang.unit, kind="wecom", url="http://127.0.0.1:9/all",
        escalations_only=False,
    )  # fmt: skip
    services.save_webhook(
        actor=personas["admin"], unit=chen.unit.parent, kind="dingtalk",
        url="http://127.0.0.1:9/esc", secret="s",
    )  # fmt: skip

    def one_by_one(messages):
        return [
            [
                n.recipient_id
                for n in services.notify(
                    recipients=m.recipients,
                    kind=m.kind,
                    title=m.title,
                    body=m.body,
                    link=m.link,
                    subject=m.subject,
                )
            ]  # fmt: skip
            for m in messages
        ]

    def at_once(messages):
        return [[n.recipient_id for n in sent] for sent in services.notify_many(messages)]

    single = _what_was_sent(personas, one_by_one, django_capture_on_commit_callbacks)
    bulk = _what_was_sent(personas, at_once, django_capture_on_commit_callbacks)
    assert single == bulk
    assert single["returned"] == [sorted([zhang.pk, lina.pk]), [], [chen.pk], [lina.pk]]
    assert [r[0] for r in single["rows"] if r[7]] == [zhang.pk]  # emailed: 张伟 only
    [(to, title, text)] = single["mail"]
    assert (to, title, text.endswith("/activities/reports/1/")) == (
        ["zhangwei@example.com"],
        "点评",
        True,
    )
    assert [c[0][1] for c in single["robots"]] == [
        "http://127.0.0.1:9/all",
        "http://127.0.0.1:9/esc",
        "http://127.0.0.1:9/all",
    ]
    assert len(single["audit"]) == 3  # one per message sent; none for nobody


def test_notify_many_writes_nothing_when_one_message_is_refused(personas):
    zhang = personas["salesperson"]
    with pytest.raises(ValidationFailed):
        services.notify_many(
            [
                services.Message([zhang], "x.y", "好的"),
                services.Message([zhang], "x.y", "坏的", link="https://evil.example"),
            ]
        )
    assert not all_records(Notification).exists()
    assert not AuditEntry.objects.filter(action="notifications.notification.sent").exists()
