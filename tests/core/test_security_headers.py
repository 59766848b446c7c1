"""R24: every response carries CSP (with frame-ancestors), nosniff and Referrer-Policy."""

import pytest
from django.test import Client

from tests.core.routes import get_routes

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def parse_csp(header: str | None) -> dict[str, list[str]] | None:
    if header is None:
        return None
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sorted(sources) for name, *sources in directives}


def hardening_headers(response) -> dict[str, object]:  # noqa: ANN001
    return {
        "csp": parse_csp(response.get("Content-Security-Policy")),
        "nosniff": response.get("X-Content-Type-Options"),
        "referrer": response.get("Referrer-Policy"),
        "frame": response.get("X-Frame-Options"),
    }


HARDENED = {"csp": EXPECTED_CSP, "nosniff": "nosniff", "referrer": "same-origin", "frame": "DENY"}


def test_every_route_as_admin_carries_the_headers(personas):
    client = Client()
    client.force_login(personas["admin"])

    missing = {
        route.path: hardening_headers(response)
        for route in get_routes()
        if hardening_headers(response := client.get(route.path)) != HARDENED
    }

    assert missing == {}


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/", "/no-such-page/", "/api/v1/health", "/api/v1/me"]
)
def test_anonymous_responses_carry_the_headers(db, path):
    assert hardening_headers(Client().get(path)) == HARDENED


def test_static_assets_carry_nosniff(db):
    response = Client().get("/static/salescope/app.css")

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("language", "heading"),
    [("zh-hans", "登录"), ("zh-hant", "登入"), ("en", "Log in to Salescope")],
)
def test_login_page_works_in_all_three_languages(db, language, heading):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/accounts/login/")

    assert response.status_code == 200
    assert response["Content-Language"] == language
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert heading in html
