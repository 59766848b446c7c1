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
