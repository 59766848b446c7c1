"""R20: five failed logins for one username from one address pause that pair for fifteen
minutes; the real user gets in again after the pause, and other addresses are not affected.
Every failed attempt is audited (R14)."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from salescope.core.models import AuditEntry
from salescope.org.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

HOME_ADDRESS = "10.0.0.5"


def attempt(password: str, address: str = HOME_ADDRESS, client: Client | None = None):  # noqa: ANN201
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    return client.post(
        "/accounts/login/",
        {"username": "zhangwei", "password": password},
        REMOTE_ADDR=address,
    )


def test_documented_threshold_is_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_four_failures_still_let_the_real_user_in(personas):
    for _ in range(4):
        assert attempt("wrong-password").status_code == 200

    assert attempt(DEMO_PASSWORD).status_code == 302


def test_fifth_failure_locks_the_pair_even_against_the_right_password(personas):
    statuses = [attempt("wrong-password").status_code for _ in range(5)]

    locked = attempt(DEMO_PASSWORD)

    assert statuses == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    html = locked.content.decode()
    assert "Too many failed logins" in html
    assert "Wait 15 minutes and try again" in html


def test_lock_does_not_reach_other_addresses(personas):
    for _ in range(5):
        attempt("wrong-password")

    assert attempt(DEMO_PASSWORD, address="10.0.0.99").status_code == 302


def test_real_user_gets_in_again_after_the_cool_off(personas):
    for _ in range(5):
        attempt("wrong-password")
    assert attempt(DEMO_PASSWORD).status_code == 429

    # Fifteen minutes pass (moving the attempt times back instead of sleeping).
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    client = Client()
    response = attempt(DEMO_PASSWORD, client=client)

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_each_failed_login_writes_one_audit_entry_without_the_password(personas):
    for _ in range(3):
        attempt("wrong-password")

    entries = list(AuditEntry.objects.filter(action="core.session.login_failed"))
    assert len(entries) == 3
    entry = entries[0]
    assert entry.actor is None
    assert entry.object_type == "org.user"
    assert entry.object_repr == "zhangwei"
    assert entry.source == "page"
    assert entry.remote_addr == HOME_ADDRESS
    assert entry.changes == {}
    assert "wrong-password" not in repr(entry.__dict__)


def test_locked_out_page_is_translated(personas):
    for _ in range(5):
        attempt("wrong-password")

    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/accounts/login/",
        {"username": "zhangwei", "password": DEMO_PASSWORD},
        REMOTE_ADDR=HOME_ADDRESS,
    )

    assert response.status_code == 429
    assert response["Content-Language"] == "zh-hans"
    assert "15" in response.content.decode()
    assert "Too many failed logins" not in response.content.decode()


def _lockout_began_minutes_ago(minutes: float) -> None:
    AccessAttempt.objects.update(
        attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
    )


def test_attempts_during_the_lockout_do_not_extend_it(personas):
    for _ in range(5):
        attempt("wrong-password")
    _lockout_began_minutes_ago(10)

    during = [attempt(DEMO_PASSWORD), attempt("wrong-password")]

    assert [r.status_code for r in during] == [429, 429]
    # The true remaining time: five of the fifteen minutes (give or take the test's own run).
    assert all(280 <= int(r["Retry-After"]) <= 300 for r in during), [
        r["Retry-After"] for r in during
    ]
    assert "Wait 5 minutes" in during[0].content.decode()
    _lockout_began_minutes_ago(15.5)  # fifteen minutes after the lockout began
    assert attempt(DEMO_PASSWORD).status_code == 302


def test_forwarded_addresses_are_ignored_unless_the_proxy_is_trusted(personas, settings):
    def from_behind_proxy(password: str, client_address: str):  # noqa: ANN202
        return Client(HTTP_ACCEPT_LANGUAGE="en").post(
            "/accounts/login/",
            {"username": "zhangwei", "password": password},
            REMOTE_ADDR="192.0.2.10",
            HTTP_X_FORWARDED_FOR=client_address,
        )

    # Not trusted: an attacker cannot dodge the lock by inventing a new X-Forwarded-For.
    for n in range(5):
        from_behind_proxy("wrong-password", f"198.51.100.{n}")
    assert from_behind_proxy(DEMO_PASSWORD, "198.51.100.99").status_code == 429

    AccessAttempt.objects.all().delete()
    settings.TRUSTED_PROXIES = ["192.0.2.10"]
    # Trusted: the proxy's forwarded client address is the one locked, not the proxy's.
    for _ in range(5):
        from_behind_proxy("wrong-password", "203.0.113.7, 198.51.100.1")
    assert from_behind_proxy(DEMO_PASSWORD, "203.0.113.7, 198.51.100.1").status_code == 429
    assert from_behind_proxy(DEMO_PASSWORD, "203.0.113.7, 198.51.100.2").status_code == 302
    entry = AuditEntry.objects.filter(action="core.session.logged_in").latest("id")
    assert entry.remote_addr == "198.51.100.2"
