"""R18: every write needs the CSRF token and a same-site Origin; GETs change nothing.

Clients here enforce CSRF checks (Django's test client skips them by default).
"""

import hashlib
import json
import re

import pytest
from django.db import connection
from django.test import Client

from salescope.core.models import AuditEntry
from salescope.org import services as org_services
from salescope.org.models import ApiToken, User
from tests.core.routes import get_routes

pytestmark = pytest.mark.django_db

FOREIGN_ORIGIN = "https://evil.example"


def csrf_client(user: User) -> tuple[Client, str]:
    """A signed-in client that enforces CSRF, and the token the shell hands to htmx."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    html = client.get("/").content.decode()
    headers = json.loads(re.search(r"hx-headers='([^']+)'", html).group(1))
    return client, headers["X-CSRFToken"]


def test_page_write_without_csrf_token_is_refused_and_changes_nothing(personas):
    client, _token = csrf_client(personas["salesperson"])
    audit_before = AuditEntry.objects.count()

    response = client.post("/profile/tokens/", {"name": "script"})

    assert response.status_code == 403
    assert "The form has expired or did not come from Salescope." in response.content.decode()
    assert ApiToken.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_page_write_with_token_from_foreign_origin_is_refused(personas):
    client, token = csrf_client(personas["salesperson"])
    audit_before = AuditEntry.objects.count()

    response = client.post(
        "/language/",
        {"language": "en", "next": "/"},
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN=FOREIGN_ORIGIN,
    )

    assert response.status_code == 403
    assert User.objects.unrestricted().get(pk=personas["salesperson"].pk).language == ""
    assert AuditEntry.objects.count() == audit_before


def test_htmx_write_with_the_shell_csrf_header_succeeds(personas):
    client, token = csrf_client(personas["salesperson"])

    response = client.post(
        "/language/",
        {"language": "en", "next": "/"},
        HTTP_X_CSRFTOKEN=token,
        HTTP_HX_REQUEST="true",
        HTTP_ORIGIN="http://testserver",
    )

    assert response.status_code == 302
    assert User.objects.unrestricted().get(pk=personas["salesperson"].pk).language == "en"
    assert AuditEntry.objects.filter(action="org.person.language_changed").count() == 1


def test_login_form_without_csrf_token_is_refused(personas):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/accounts/login/", {"username": "zhangwei", "password": "Salescope@2026"}
    )

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_logout_without_csrf_token_is_refused_and_session_survives(personas):
    client, _token = csrf_client(personas["salesperson"])

    response = client.post("/accounts/logout/")

    assert response.status_code == 403
    assert client.get("/").status_code == 200


def test_session_api_write_without_csrf_token_is_403_json_and_creates_nothing(personas):
    client, _token = csrf_client(personas["salesperson"])
    audit_before = AuditEntry.objects.count()

    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "CSRF check failed: reload the page and try again.",
        "fields": {},
    }
    assert ApiToken.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_session_api_write_with_csrf_header_from_foreign_origin_is_refused(personas):
    client, token = csrf_client(personas["salesperson"])

    response = client.post(
        "/api/v1/tokens",
        {"name": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN=FOREIGN_ORIGIN,
    )

    assert response.status_code == 403
    assert ApiToken.objects.count() == 0


def test_session_api_delete_without_csrf_token_leaves_the_token_active(personas):
    user = personas["salesperson"]
    issued = org_services.create_token(actor=user, user=user, name="keep")
    client, _token = csrf_client(user)

    response = client.delete(f"/api/v1/tokens/{issued.token.pk}")

    assert response.status_code == 403
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None


def test_session_api_write_with_csrf_header_succeeds(personas):
    client, token = csrf_client(personas["salesperson"])

    response = client.post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert response.status_code == 201
    assert ApiToken.objects.get().name == "x"


def test_bearer_token_write_needs_no_csrf_token(personas):
    user = personas["salesperson"]
    issued = org_services.create_token(actor=user, user=user, name="script")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {issued.raw}")

    response = client.post("/api/v1/tokens", {"name": "y"}, content_type="application/json")

    assert response.status_code == 201


def test_anonymous_api_write_is_401_not_403(db):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")

    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def _database_state() -> dict[str, tuple[int, str]]:
    """Row count and a digest of the contents of every table (sessions aside: a GET renews
    the session's expiry by design)."""
    state = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table == "django_session":
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608 - introspected
            rows = cursor.fetchall()
            state[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def test_crawling_every_get_route_as_admin_changes_nothing(personas):
    admin = personas["admin"]
    org_services.create_token(actor=admin, user=admin, name="crawl")
    Client().post("/accounts/login/", {"username": "zhangwei", "password": "wrong"})
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin)
    routes = get_routes()
    assert len(routes) > 40, [r.path for r in routes]
    before = _database_state()

    statuses = {route.path: client.get(route.path).status_code for route in routes}

    assert {path: s for path, s in statuses.items() if s >= 500} == {}
    assert _database_state() == before
    assert statuses["/"] == 200
    assert statuses["/profile/"] == 200
    assert statuses["/api/v1/me"] == 200
