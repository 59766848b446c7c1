"""API errors are always ``{"code","detail","fields"}`` JSON with the right status and no
traceback; the interactive docs and the schema are served without any CDN."""

import re

import pytest
from django.test import Client

from salescope.org import queries as org_queries

pytestmark = pytest.mark.django_db


def error_body(code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


@pytest.fixture
def client(personas, api_client) -> Client:
    client = api_client(personas["salesperson"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == error_body("not_found", "Not found.")


def test_wrong_method_is_405_json_naming_the_allowed_ones(client):
    response = client.put("/api/v1/me", {}, content_type="application/json")

    assert response.status_code == 405
    assert response.json() == error_body("method_not_allowed", "This method is not allowed here.")
    assert response["Allow"] == "GET"


def test_invalid_payload_is_422_naming_the_field(client):
    response = client.post("/api/v1/tokens", {"name": ""}, content_type="application/json")

    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["detail"], list(body["fields"])) == (
        "validation_failed",
        "Some fields are not valid.",
        ["name"],
    )


def test_missing_field_is_422_and_malformed_json_is_400_never_500(client):
    missing = client.post("/api/v1/tokens", {}, content_type="application/json")
    malformed = client.post("/api/v1/tokens", "{not json", content_type="application/json")

    assert (missing.status_code, malformed.status_code) == (422, 400)
    assert missing.json() == error_body(
        "validation_failed", "Some fields are not valid.", {"name": ["Field required"]}
    )
    assert malformed.json() == error_body("bad_request", "Cannot parse request body")


def test_non_integer_path_id_is_422_naming_the_parameter(client):
    response = client.delete("/api/v1/tokens/abc")

    assert response.status_code == 422
    assert response.json() == error_body(
        "validation_failed",
        "Some fields are not valid.",
        {"token_id": ["Input should be a valid integer, unable to parse string as an integer"]},
    )


def test_unexpected_error_is_500_json_without_traceback(client, monkeypatch):
    def broken(**kwargs):  # noqa: ANN003, ANN202
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(org_queries, "list_own_tokens", broken)

    response = client.get("/api/v1/tokens")

    assert response.status_code == 500
    assert response.json() == error_body("server_error", "Internal error. It has been logged.")
    text = response.content.decode()
    assert "Traceback" not in text
    assert "hunter2" not in text


def test_page_error_is_the_plain_500_page_without_traceback(personas, login_client, monkeypatch):
    client = login_client(personas["salesperson"])
    client.raise_request_exception = False

    def broken(**kwargs):  # noqa: ANN003, ANN202
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(org_queries, "home_context", broken)

    response = client.get("/")

    assert response.status_code == 500
    text = response.content.decode()
    assert "服务器错误 / Server error" in text
    assert "Traceback" not in text
    assert "hunter2" not in text


def test_health_answers_anonymously(db):
    response = Client().get("/api/v1/health")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_interactive_docs_load_only_local_assets(db):
    client = Client()

    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert EXTERNAL.search(html) is None
    assert "cdn" not in html.lower()
    assets = re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        asset_response = client.get(asset)
        assert asset_response.status_code == 200, asset
        b"".join(asset_response.streaming_content)


def test_docs_page_sends_the_csrf_token_with_try_it_out(personas):
    client = Client()
    client.force_login(personas["salesperson"])

    html = client.get("/api/v1/docs").content.decode()

    assert 'data-api-csrf="true"' in html
    assert re.search(r'data-csrf-token="[A-Za-z0-9]{64}"', html)


def test_docs_page_carries_the_security_headers(db):
    response = Client().get("/api/v1/docs")

    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_openapi_schema_lists_the_api_and_the_bearer_scheme(db):
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Salescope API"
    assert {"/api/v1/health", "/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{token_id}"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["BearerTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert "cdn" not in response.content.decode().lower()
