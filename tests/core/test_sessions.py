"""R19: login rotates the session key; logout, idle and absolute timeouts and deactivation
end the session."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from salescope.core.middleware import SESSION_LOGIN_AT, SESSION_RENEW_SECONDS, SESSION_RENEWED_AT
from salescope.core.models import AuditEntry
from salescope.org.demo import DEMO_PASSWORD
from salescope.org.models import User

pytestmark = pytest.mark.django_db

COOKIE = settings.SESSION_COOKIE_NAME


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def test_login_rotates_the_session_key_and_drops_the_old_one(personas):
    before = SessionStore()
    before["probe"] = "planted"
    before.create()
    client = Client()
    client.cookies[COOKIE] = before.session_key

    response = client.post("/accounts/login/", {"username": "zhangwei", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    new_key = client.cookies[COOKIE].value
    assert new_key != before.session_key
    assert not Session.objects.filter(session_key=before.session_key).exists()
    assert Session.objects.get(session_key=new_key).get_decoded()["_auth_user_id"] == str(
        personas["salesperson"].pk
    )


def test_session_cookie_is_httponly_samesite_and_expires_after_the_idle_time(personas):
    client = Client()

    response = client.post("/accounts/login/", {"username": "zhangwei", "password": DEMO_PASSWORD})

    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE == 120 * 60


def _age_renewal(client: Client, seconds: float) -> None:
    session = client.session
    session[SESSION_RENEWED_AT] = time.time() - seconds
    session.save()


def _expire_in(client: Client, delta: dt.timedelta) -> dt.datetime:
    expiry = timezone.now() + delta
    Session.objects.filter(session_key=client.cookies[COOKIE].value).update(expire_date=expiry)
    return expiry


def test_a_request_a_minute_after_the_last_renewal_renews_the_idle_expiry(personas):
    client = signed_in("zhangwei")
    key = client.cookies[COOKIE].value
    _age_renewal(client, SESSION_RENEW_SECONDS + 1)
    _expire_in(client, dt.timedelta(minutes=5))

    response = client.get("/")

    assert response.status_code == 200
    remaining = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert remaining > dt.timedelta(minutes=119)
    assert response.cookies[COOKIE]["max-age"] == settings.SESSION_COOKIE_AGE
    assert time.time() - client.session[SESSION_RENEWED_AT] < 5


def test_a_request_within_a_minute_of_the_last_renewal_writes_no_session(personas):
    # Renewing on every click was a write of the session row per page (issue 20 item 9).
    client = signed_in("zhangwei")
    key = client.cookies[COOKIE].value
    _age_renewal(client, SESSION_RENEW_SECONDS - 10)
    expiry = _expire_in(client, dt.timedelta(minutes=100))

    response = client.get("/")

    assert response.status_code == 200
    assert Session.objects.get(session_key=key).expire_date == expiry
    assert COOKIE not in response.cookies


def test_login_starts_the_renewal_clock(personas):
    before = time.time()
    client = signed_in("zhangwei")

    assert before <= client.session[SESSION_RENEWED_AT] <= time.time()
    assert client.session[SESSION_RENEWED_AT] == client.session[SESSION_LOGIN_AT]


def test_an_active_session_is_never_signed_out_by_the_idle_expiry(personas):
    # Requests just over a minute apart: each renews, so the session outlives its idle time.
    client = signed_in("zhangwei")
    key = client.cookies[COOKIE].value
    for _ in range(3):
        _age_renewal(client, SESSION_RENEW_SECONDS + 1)
        _expire_in(client, dt.timedelta(seconds=30))
        assert client.get("/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + dt.timedelta(
        minutes=119
    )


def test_logout_ends_the_session_and_the_old_cookie_is_worthless(personas):
    client = signed_in("zhangwei")
    key = client.cookies[COOKIE].value

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[COOKIE] = key
    assert replay.get("/").status_code == 302


def test_idle_session_past_its_expiry_is_signed_out(personas):
    client = signed_in("zhangwei")
    key = client.cookies[COOKIE].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def _age_login(client: Client, seconds: float) -> None:
    session = client.session
    session[SESSION_LOGIN_AT] = time.time() - seconds
    session.save()


def test_active_session_ends_after_the_absolute_lifetime(personas):
    client = signed_in("zhangwei")
    _age_login(client, settings.SESSION_ABSOLUTE_SECONDS + 1)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="core.session.logged_out").count() == 1


def test_session_just_inside_the_absolute_lifetime_stays_signed_in(personas):
    client = signed_in("zhangwei")
    _age_login(client, settings.SESSION_ABSOLUTE_SECONDS - 60)

    assert client.get("/").status_code == 200


def test_login_records_the_login_time_for_the_absolute_lifetime(personas):
    before = time.time()
    client = signed_in("zhangwei")

    assert before <= client.session[SESSION_LOGIN_AT] <= time.time()


def test_deactivating_a_person_ends_their_session_and_their_tokens(personas, api_client):
    user = personas["salesperson"]
    client = signed_in("zhangwei")
    api = api_client(user)
    assert client.get("/").status_code == 200
    assert api.get("/api/v1/me").status_code == 200

    User.objects.unrestricted().filter(pk=user.pk).update(is_active=False)

    assert client.get("/").status_code == 302
    assert api.get("/api/v1/me").status_code == 401
