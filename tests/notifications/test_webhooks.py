"""DingTalk and WeCom group robots per unit (issue 16, notifications): posted after commit to a
local HTTP server the test starts; DingTalk's signature checked; failures never break a write."""

import base64
import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading
import urllib.parse

import pytest

from salescope.core.errors import PermissionDenied, ValidationFailed
from salescope.core.models import AuditEntry
from salescope.feedback import services as feedback
from salescope.notifications import services
from salescope.notifications.models import Notification, Webhook

pytestmark = pytest.mark.django_db


class _Robot(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - the http.server name
        length = int(self.headers["Content-Length"])
        self.received.append((self.path, json.loads(self.rfile.read(length))))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode":0}')

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def robot():
    received = []
    handler = type("Robot", (_Robot,), {"received": received})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


def _escalate(personas):
    zhang = personas["salesperson"]
    problem = feedback.raise_problem(actor=zhang, title="经销商断货", severity="high")
    feedback.escalate_overdue(today=problem.due_on + dt.timedelta(days=1))
    return problem


def test_an_escalation_is_posted_to_the_units_dingtalk_robot_signed(
    personas, robot, django_capture_on_commit_callbacks
):
    base, received = robot
    manager = feedback.managers_above(personas["salesperson"])[1]
    services.save_webhook(
        actor=personas["admin"],
        unit=manager.unit,
        kind="dingtalk",
        url=f"{base}/robot/send?access_token=abc",
        secret="SEC-test",
    )
    with django_capture_on_commit_callbacks(execute=True):
        _escalate(personas)
    assert len(received) == 1  # the raise went to the team lead: not an escalation
    path, body = received[0]
    assert body["msgtype"] == "text"
    assert "经销商断货" in body["text"]["content"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert query["access_token"] == ["abc"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(b"SEC-test", f"{timestamp}\nSEC-test".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]  # parse_qs has undone the url-encoding


def test_the_signature_matches_dingtalks_documented_example():
    url = services.dingtalk_signed_url("https://x/send?access_token=t", "s", timestamp_ms=1)
    digest = hmac.new(b"s", b"1\ns", hashlib.sha256).digest()
    assert url.endswith(
        "&timestamp=1&sign=" + urllib.parse.quote_plus(base64.b64encode(digest).decode())
    )


def test_wecom_robot_gets_every_notification_of_its_unit_unsigned(
    personas, robot, django_capture_on_commit_callbacks
):
    base, received = robot
    zhang, lina = personas["salesperson"], personas["team_lead"]
    services.save_webhook(
        actor=personas["admin"],
        unit=zhang.unit,
        kind="wecom",
        url=f"{base}/cgi-bin/webhook/send?key=k",
        escalations_only=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        feedback.give_guidance(actor=lina, person=zhang, body="本周拜访 A 类客户")
    [(path, body)] = received
    assert path == "/cgi-bin/webhook/send?key=k"
    assert "本周拜访 A 类客户" in body["text"]["content"]


def test_robots_of_other_units_and_escalation_only_robots_stay_quiet(
    personas, robot, django_capture_on_commit_callbacks
):
    base, received = robot
    chen = personas["other_region_salesperson"]
    services.save_webhook(
        actor=personas["admin"], unit=chen.unit, kind="wecom", url=base, escalations_only=False
    )
    services.save_webhook(
        actor=personas["admin"], unit=personas["salesperson"].unit, kind="wecom", url=base
    )
    with django_capture_on_commit_callbacks(execute=True):
        feedback.give_guidance(
            actor=personas["team_lead"], person=personas["salesperson"], body="x"
        )
    assert received == []


def test_a_robot_that_fails_never_breaks_the_write(
    personas, django_capture_on_commit_callbacks, caplog
):
    services.save_webhook(
        actor=personas["admin"],
        unit=personas["salesperson"].unit,
        kind="dingtalk",
        url="http://127.0.0.1:9/closed",
        secret="s",
        escalations_only=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        feedback.give_guidance(
            actor=personas["team_lead"], person=personas["salesperson"], body="y"
        )
    assert Notification.objects.unrestricted().filter(kind="feedback.guidance.given").exists()
    assert "webhook failed" in caplog.text


def test_only_an_administrator_configures_robots_audited_without_the_secret(personas):
    with pytest.raises(PermissionDenied):
        services.save_webhook(
            actor=personas["director"],
            unit=personas["salesperson"].unit,
            kind="wecom",
            url="http://x",
        )
    with pytest.raises(ValidationFailed) as caught:
        services.save_webhook(
            actor=personas["admin"], unit=personas["salesperson"].unit, kind="qq", url="ftp://x"
        )
    assert set(caught.value.fields) == {"kind", "url"}
    hook = services.save_webhook(
        actor=personas["admin"],
        unit=personas["salesperson"].unit,
        kind="dingtalk",
        url="https://oapi.dingtalk.com/robot/send?access_token=t",
        secret="SECRET-1",
    )
    entry = AuditEntry.objects.get(action="notifications.webhook.created", object_id=str(hook.pk))
    assert "SECRET-1" not in json.dumps(entry.changes)
    assert entry.changes["signed"] is True
    services.save_webhook(
        actor=personas["admin"],
        webhook=hook,
        unit=hook.unit,
        kind="dingtalk",
        url=hook.url,
        secret="SECRET-2",
    )
    change = AuditEntry.objects.get(action="notifications.webhook.changed", object_id=str(hook.pk))
    assert change.changes["secret_changed"] == [None, True]
    assert "SECRET-2" not in json.dumps(change.changes)


def test_api_is_for_administrators_and_never_shows_the_secret(personas, api_client):
    unit = personas["salesperson"].unit
    payload = {"unit_id": unit.pk, "kind": "dingtalk", "url": "https://x/send", "secret": "S"}
    director = api_client(personas["director"])
    assert (
        director.post("/api/v1/webhooks", payload, content_type="application/json")
    ).status_code == 403
    admin = api_client(personas["admin"])
    made = admin.post("/api/v1/webhooks", payload, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["signed"] is True
    assert "secret" not in made.json()
    hook_id = made.json()["id"]
    changed = admin.put(
        f"/api/v1/webhooks/{hook_id}",
        {**payload, "secret": "", "escalations_only": False},
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert Webhook.objects.unrestricted().get(pk=hook_id).secret == "S"  # empty keeps it
    assert [h["id"] for h in admin.get("/api/v1/webhooks").json()] == [hook_id]
    assert director.get("/api/v1/webhooks").status_code == 403
    assert director.delete(f"/api/v1/webhooks/{hook_id}").status_code == 404
    assert admin.delete(f"/api/v1/webhooks/{hook_id}").status_code == 204
    assert not Webhook.objects.unrestricted().exists()


def test_the_robots_page_is_for_administrators(personas, login_client):
    unit = personas["salesperson"].unit
    director = login_client(personas["director"])
    assert director.get("/inbox/robots/").status_code == 403
    assert director.post("/inbox/robots/", {"unit": unit.pk}).status_code == 403
    admin = login_client(personas["admin"])
    bad = admin.post("/inbox/robots/", {"unit": unit.pk, "kind": "wecom", "url": "nope"})
    assert bad.status_code == 422
    made = admin.post(
        "/inbox/robots/",
        {"unit": unit.pk, "kind": "dingtalk", "url": "https://x/send", "secret": "PAGE-S"},
    )
    assert made.status_code == 302
    page = admin.get("/inbox/robots/").content.decode()
    assert "https://x/send" in page
    assert "PAGE-S" not in page
    hook = Webhook.objects.unrestricted().get()
    assert (hook.secret, hook.escalations_only) == ("PAGE-S", False)
