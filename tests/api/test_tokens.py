"""Personal API tokens: stored hashed, bearer works, revoked or unknown tokens get 401 JSON,
last use recorded; the ``salescope token`` command creates, lists and revokes them."""

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test import Client

from salescope.org import services as org_services
from salescope.org.models import ApiToken
from tests.core.cli import run_salescope

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {
    "code": "not_authenticated",
    "detail": "Authentication is required.",
    "fields": {},
}


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def test_created_token_is_returned_once_and_stored_only_as_its_hash(personas, api_client):
    client = api_client(personas["salesperson"])

    response = client.post("/api/v1/tokens", {"name": "报表"}, content_type="application/json")

    assert response.status_code == 201
    body = response.json()
    raw = body["token"]
    assert raw.startswith("ss_")
    assert len(raw) > 40
    assert body["prefix"] == raw[:9]
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM org_apitoken")
        everything = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM core_auditentry")
        everything += repr(cursor.fetchall())
    assert raw not in everything
    listed = client.get("/api/v1/tokens").json()
    assert all("token" not in item for item in listed)


def test_bearer_token_authenticates_as_its_owner_and_records_last_use(personas):
    user = personas["salesperson"]
    issued = org_services.create_token(actor=user, user=user, name="script")
    assert issued.token.last_used_at is None

    response = bearer(issued.raw).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == "zhangwei"
    assert response.json()["full_name"] == "张伟"
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(personas):
    user = personas["salesperson"]
    issued = org_services.create_token(actor=user, user=user, name="busy script")
    client = bearer(issued.raw)
    assert client.get("/api/v1/me").status_code == 200
    issued.token.refresh_from_db()
    first_use = issued.token.last_used_at
    assert first_use is not None

    assert client.get("/api/v1/me").status_code == 200
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == first_use

    a_minute_ago = first_use - dt.timedelta(seconds=61)
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=a_minute_ago)
    assert client.get("/api/v1/me").status_code == 200
    issued.token.refresh_from_db()
    assert issued.token.last_used_at >= first_use


@pytest.mark.parametrize(
    "header",
    [None, "Bearer ss_unknown-token-value", "Bearer not-even-our-prefix", "Basic emhhbmd3ZWk6eA=="],
    ids=["missing", "unknown", "foreign-format", "basic-auth"],
)
def test_missing_or_unknown_credentials_get_401_json(db, header):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    get = client.get("/api/v1/me", **extra)
    post = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json", **extra)

    assert (get.status_code, post.status_code) == (401, 401)
    assert get.json() == post.json() == UNAUTHENTICATED
    assert ApiToken.objects.count() == 0


def test_revoked_token_gets_401_json(personas):
    user = personas["salesperson"]
    issued = org_services.create_token(actor=user, user=user, name="old")
    org_services.revoke_token(actor=user, token=issued.token)

    response = bearer(issued.raw).get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_revoking_through_the_api_stops_the_token_at_once(personas, api_client):
    user = personas["salesperson"]
    issued = org_services.create_token(actor=user, user=user, name="to revoke")

    response = api_client(user).delete(f"/api/v1/tokens/{issued.token.pk}")

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert bearer(issued.raw).get("/api/v1/me").status_code == 401


def test_someone_elses_token_is_404_like_a_missing_one(personas, api_client):
    other = personas["other_region_salesperson"]
    theirs = org_services.create_token(actor=other, user=other, name="theirs").token
    client = api_client(personas["salesperson"])

    foreign = client.delete(f"/api/v1/tokens/{theirs.pk}", HTTP_ACCEPT_LANGUAGE="en")
    missing = client.delete("/api/v1/tokens/999999", HTTP_ACCEPT_LANGUAGE="en")

    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert (
        foreign.json()
        == missing.json()
        == {
            "code": "not_found",
            "detail": "Not found.",
            "fields": {},
        }
    )
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_cli_creates_lists_and_revokes_tokens(personas, capsys, monkeypatch):
    run_salescope(monkeypatch, "token", "create", "zhangwei", "--name", "nightly")
    raw = capsys.readouterr().out.strip()
    assert bearer(raw).get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get()

    run_salescope(monkeypatch, "token", "list", "zhangwei")
    listing = capsys.readouterr().out.strip().split("\t")
    run_salescope(monkeypatch, "token", "revoke", token.prefix)
    revoked = capsys.readouterr().out

    assert listing[:4] == [str(token.pk), f"{token.prefix}…", "nightly", "有效"]
    assert token.prefix in revoked
    assert bearer(raw).get("/api/v1/me").status_code == 401


def test_cli_refuses_an_unknown_person_or_token_with_exit_status_1(personas, monkeypatch, capsys):
    with pytest.raises(SystemExit) as unknown_user:
        run_salescope(monkeypatch, "token", "create", "nobody")
    with pytest.raises(SystemExit) as unknown_token:
        run_salescope(monkeypatch, "token", "revoke", "424242")

    assert unknown_user.value.code == unknown_token.value.code == 1
    assert "CommandError:" in (err := capsys.readouterr().err)
    assert "424242" in err
    assert ApiToken.objects.count() == 0
