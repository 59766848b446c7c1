"""Salescope settings: one module, configured from the environment.

Every variable is read here and nowhere else. Bad values stop the process at start-up with a
message naming the variable (see ``ImproperlyConfigured`` below), never later in a request.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SALESCOPE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true/false, 1/0, yes/no.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


SALESCOPE_ENV = os.environ.get("SALESCOPE_ENV", "development").strip().lower()
if SALESCOPE_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"SALESCOPE_ENV={SALESCOPE_ENV!r}; expected development, production or test."
    )
PRODUCTION = SALESCOPE_ENV == "production"


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        if PRODUCTION and len(key) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production.")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when SALESCOPE_ENV=production.")
    # The embedded default keeps one generated key under var/ so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when SALESCOPE_ENV=production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when SALESCOPE_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "salescope.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "salescope.core",
    "salescope.org",
    "salescope.notifications",
    "salescope.customers",
    "salescope.catalog",
    "salescope.timeline",
    "salescope.ledger",
    "salescope.pipeline",
    "salescope.plans",
    "salescope.activities",
    "salescope.feedback",
    "salescope.forecasting",
    "salescope.expenses",
    "salescope.analytics",
    "salescope.leads",
    "salescope.performance",
    "salescope.commissions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "salescope.core.request_memo.ReadOnlyRequestMiddleware",
    "salescope.core.middleware.SessionLifetimeMiddleware",
    "salescope.core.middleware.UserLanguageMiddleware",
    "salescope.core.middleware.AuditSourceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Inside the header middlewares, so its JSON error bodies get CSP and friends too.
    "salescope.core.middleware.ApiErrorBodyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salescope.urls"
WSGI_APPLICATION = "salescope.wsgi.application"
AUTH_USER_MODEL = "org.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "salescope" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "salescope.core.context_processors.shell",
                "salescope.notifications.context_processors.inbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_SQLITE_PATH = VAR_DIR / "salescope.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0
    # A file, not memory, so tests exercise WAL, concurrent threads and the backup API.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-salescope.sqlite3")}
    _db["OPTIONS"] = {
        # IMMEDIATE makes concurrent writers queue on the busy timeout instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA cache_size=-65536;"
        ),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
    # Lets parallel test runs on one server keep apart (e.g. TEST_DATABASE_NAME=test_alice).
    if os.environ.get("TEST_DATABASE_NAME"):
        _db["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
else:
    raise ImproperlyConfigured(
        f"DATABASE_URL uses {_db['ENGINE']}; Salescope supports sqlite:// and postgres:// URLs."
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work (salescope/core/tasks.py) ----------------------------------------------
# One task framework: django-tasks, with tasks stored in the database above and run by
# `salescope worker`. Tests may switch a test to the immediate backend (tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task whose worker left no lock file (another machine, a cleaned var/) is taken for dead
# and run again after this many seconds; a worker that left its lock file unlocked is dead now.
TASK_ORPHAN_AFTER = env_int("TASK_ORPHAN_AFTER", 6 * 3600)

# --- Authentication and sessions ------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "salescope.org.auth.PeopleBackend",  # ModelBackend, reading people as the system
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the cookie's age is renewed on every request; the absolute limit is enforced
# by SessionLifetimeMiddleware from the login time kept in the session.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120) * 60
# The idle expiry is renewed on activity by core.middleware.SessionLifetimeMiddleware, at most
# once a minute, instead of a session write on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True

# Login throttling (R20): five failures for one username from one address lock that pair for
# fifteen minutes; the lock expires by itself, so no real user is locked out for good.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "salescope.core.views.locked_out"  # 429 page with Retry-After
AXES_VERBOSE = False
# The lockout ends fifteen minutes after it began: attempts while locked do not restart it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "salescope.core.client_ip.client_ip"
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated); none by
# default, so behind a proxy set it, or every user shares the proxy's address (core.client_ip).
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
# Heavy exports and reports a person may ask for per window before a 429 (R20, core.ratelimit).
HEAVY_REQUESTS_PER_WINDOW = env_int("HEAVY_REQUESTS_PER_MINUTE", 20)
HEAVY_REQUEST_WINDOW_SECONDS = 60

# --- Security headers (R24) -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("en", _("English")),
]
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans").lower()
if LANGUAGE_CODE not in {code for code, _label in LANGUAGES}:
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r}; expected zh-hans, zh-hant or en.")
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone.") from None
SALESCOPE_CURRENCY = os.environ.get("SALESCOPE_CURRENCY", "CNY")
SALESCOPE_FISCAL_YEAR_START_MONTH = env_int("FISCAL_YEAR_START_MONTH", 1)
if not 1 <= SALESCOPE_FISCAL_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured("FISCAL_YEAR_START_MONTH must be between 1 and 12.")

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even before collectstatic
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "salescope" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
# Uploaded files (visit photos) live under the var directory and are never served by URL:
# only through views that check who may see the record (no MEDIA_URL route exists).
MEDIA_ROOT = Path(os.environ.get("SALESCOPE_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION or env_bool("SALESCOPE_COLLECTED_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not (PRODUCTION or env_bool("SALESCOPE_COLLECTED_STATIC", default=False))

# --- Email (notifications a person opted into) ---------------------------------------------
# Console in development; set EMAIL_BACKEND (and Django's EMAIL_HOST…) for a real server.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "salescope@localhost")
# The address people reach Salescope at, for links in emails and calendar feeds.
SALESCOPE_BASE_URL = os.environ.get("SALESCOPE_BASE_URL", "http://localhost:8000")

# --- API and logging ------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "salescope.core.api.BoundedLimitOffsetPagination"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
