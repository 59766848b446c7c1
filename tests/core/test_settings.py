"""The settings module fails loudly on bad values, and production mode is hardened (R19, R24).

Each case starts a fresh interpreter with the environment under test, because settings are
read once at import.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG_VARS = {
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "TIME_ZONE",
    "SALESCOPE_ENV",
    "LANGUAGE_CODE",
    "FISCAL_YEAR_START_MONTH",
    "TEST_DATABASE_NAME",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests; check --deploy rightly refuses it
}
PRODUCTION = {
    "SALESCOPE_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "sales.example.com",
}


def run_python(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    clean.update(
        {"DJANGO_SETTINGS_MODULE": "salescope.settings", "SALESCOPE_VAR_DIR": str(tmp_path)}
    )
    clean.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def setup_error(env: dict[str, str], tmp_path: Path) -> str:
    result = run_python("import django; django.setup()", env, tmp_path)
    assert result.returncode != 0, "settings accepted a bad value"
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL is not a valid database URL"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "Salescope supports sqlite:// and postgres:// URLs"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE='Mars/Olympus' is not a known time zone"),
        ({"SALESCOPE_ENV": "staging"}, "SALESCOPE_ENV='staging'; expected"),
        ({"SALESCOPE_ENV": "production"}, "SECRET_KEY is required when SALESCOPE_ENV=production"),
        (
            {"SALESCOPE_ENV": "production", "SECRET_KEY": "short"},
            "SECRET_KEY must be at least 50 characters in production",
        ),
        (
            {"SALESCOPE_ENV": "production", "SECRET_KEY": PRODUCTION["SECRET_KEY"]},
            "ALLOWED_HOSTS is required when SALESCOPE_ENV=production",
        ),
        ({**PRODUCTION, "DEBUG": "true"}, "DEBUG must be off when SALESCOPE_ENV=production"),
        ({"LANGUAGE_CODE": "fr"}, "LANGUAGE_CODE='fr'; expected zh-hans, zh-hant or en"),
        ({"FISCAL_YEAR_START_MONTH": "13"}, "FISCAL_YEAR_START_MONTH must be between 1 and 12"),
    ],
)
def test_bad_setting_stops_start_up_naming_the_variable(env, message, tmp_path):
    last_line = setup_error(env, tmp_path)
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert message in last_line


def test_embedded_default_generates_one_secret_key_under_var(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_python(code, {}, tmp_path)
    second = run_python(code, {}, tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    assert first.stdout.strip() == second.stdout.strip() == key_file.read_text().strip()
    assert len(first.stdout.strip()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_defaults_are_sqlite_in_wal_mode_with_immediate_transactions(tmp_path):
    code = (
        "import django, json; django.setup();"
        "from django.conf import settings; from django.db import connection;"
        "connection.ensure_connection();"
        "mode = connection.cursor().execute('PRAGMA journal_mode').fetchone()[0];"
        "db = settings.DATABASES['default'];"
        "print(json.dumps([db['ENGINE'], db['NAME'], db['OPTIONS']['transaction_mode'],"
        " db['OPTIONS']['timeout'], mode, settings.TIME_ZONE, settings.DEBUG,"
        " settings.LANGUAGE_CODE]))"
    )
    result = run_python(code, {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.db.backends.sqlite3",
        str(tmp_path / "salescope.sqlite3"),
        "IMMEDIATE",
        20,
        "wal",
        "Asia/Shanghai",
        False,
        "zh-hans",
    ]


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path):
    code = (
        "import json; from django.conf import settings; print(json.dumps({n: getattr(settings, n)"
        " for n in ['SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
        " 'CSRF_COOKIE_SECURE', 'LANGUAGE_COOKIE_SECURE', 'SECURE_SSL_REDIRECT',"
        " 'SECURE_HSTS_SECONDS', 'DEBUG']}))"
    )
    result = run_python(code, PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "DEBUG": False,
    }


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    code = (
        "import sys; from salescope.cli import main;"
        "main(['salescope', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = run_python(code, PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_console_script_reports_a_bad_setting_in_one_line_without_traceback(tmp_path):
    code = "from salescope.cli import main; main(['salescope', 'check'])"

    result = run_python(code, {"DEBUG": "maybe"}, tmp_path)

    assert result.returncode == 1
    assert result.stderr == (
        "salescope: configuration error: DEBUG='maybe' is not a boolean; "
        "use true/false, 1/0, yes/no.\n"
    )
