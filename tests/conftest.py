"""Shared fixtures: the personas of STYLE.md, API clients, and database/browser gates.

Browser tests need Debian's chromium and Playwright for Python; PostgreSQL-only tests need
DATABASE_URL pointing at PostgreSQL. Where those are missing the tests skip with a message
saying how to run them, unless SALESCOPE_REQUIRE_ALL=1 (set by .ci/run), where they fail.
"""

import os
import shutil
from collections.abc import Callable

import hypothesis
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from salescope.org.demo import DEMO_PASSWORD
from salescope.org.models import User

# Hypothesis judges tests by time too (a deadline per example, "input generation is slow"):
# on a loaded machine (CI runs two suites side by side on two cores) that fails correct code.
# The suite asserts behaviour, never timing, so both are off for every property test.
hypothesis.settings.register_profile(
    "salescope",
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
)
hypothesis.settings.load_profile("salescope")

CHROMIUM = os.environ.get("SALESCOPE_CHROMIUM", "/usr/bin/chromium")
REQUIRE_ALL = os.environ.get("SALESCOPE_REQUIRE_ALL") == "1"


def skip_or_fail(message: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"{message} (SALESCOPE_REQUIRE_ALL=1, so this is a failure, not a skip)")
    pytest.skip(message)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher() -> None:
    # PBKDF2's production cost makes each test user take ~0.3 s; the algorithm is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The personas by role name → their demo user name.
PERSONAS = {
    "salesperson": "zhangwei",
    "team_lead": "lina",
    "regional_manager": "wangqiang",
    "director": "liuyang",
    "other_region_salesperson": "chenjing",
    "finance": "zhaomin",
    "marketing": "sunli",
    "admin": "admin",
}


@pytest.fixture
def personas(db) -> dict[str, User]:  # noqa: ANN001 - pytest-django's db fixture
    """The demo organisation with the personas, by role name.

    salesperson (张伟, 华东/上海一组), team_lead (李娜, manages 上海一组), regional_manager (王强,
    华东), director (刘洋), other_region_salesperson (陈静, 华南), finance (赵敏), marketing (孙丽),
    admin. Password for all: ``DEMO_PASSWORD``.
    """
    from salescope.org import demo

    demo.load(lambda _line: None)
    by_username = {u.username: u for u in User.objects.unrestricted().select_related("unit")}
    return {role: by_username[username] for role, username in PERSONAS.items()}


@pytest.fixture
def login_client() -> Callable[[User], Client]:
    """A page client signed in as the given person (through the real login form)."""

    def make(user: User) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        response = client.post(
            "/accounts/login/", {"username": user.username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, response.content[:500]
        return client

    return make


@pytest.fixture
def api_client() -> Callable[[User], Client]:
    """An API client authenticating with a fresh personal bearer token of the given person."""
    from salescope.org import services

    def make(user: User) -> Client:
        issued = services.create_token(actor=user, user=user, name="tests")
        return Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")

    return make


@pytest.fixture
def postgres_only(db) -> None:  # noqa: ANN001
    # Always a skip, never a failure: .ci/run runs the suite again on PostgreSQL.
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test "
            "(make test-postgres)"
        )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        skip_or_fail(
            f"browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium "
            "(or set SALESCOPE_CHROMIUM)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("browser tests need Playwright for Python: make setup")
    return CHROMIUM


def pytest_collection_modifyitems(config, items) -> None:  # noqa: ANN001 - pytest hook
    """Everything under tests/e2e drives a real browser: mark it so CI can run it separately."""
    for item in items:
        if "/tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.browser)
