"""Settings for Chat Channel Studio, read from environment variables.

Development defaults are safe to run on a laptop; ``DJANGO_ENV=production`` switches on everything
``manage.py check --deploy`` asks for and refuses to start without a real secret key.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal import local_keys

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

# Outside production, keys not given in the environment are generated once into var/keys/.
KEYS_DIR = Path(os.environ.get("PORTAL_KEYS_DIR", BASE_DIR / "var" / "keys"))


def _key(variable: str, name: str) -> str:
    try:
        return local_keys.key(variable, name=name, production=PRODUCTION, directory=KEYS_DIR)
    except local_keys.WeakKeyError as error:
        raise ImproperlyConfigured(str(error)) from None


SECRET_KEY = _key("DJANGO_SECRET_KEY", "django")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "portal",
    "wizard",
    "publishing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.busy.DatabaseBusyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.busy.NulCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.sessions.IdleTimeoutMiddleware",
    "wizard.signed_out.KeepSignedOutSaveMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "portal.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE: a transaction takes the write lock when it begins, so a second writer waits (up to
    # the timeout) instead of failing with "database is locked" when its read turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    # Write-ahead logging: readers no longer wait for a writer, so several authors saving at once
    # don't queue up behind each other's page views. Durability stays at SQLite's default (FULL).
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL;"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each user's permissions are read once and kept in the cache (see portal/auth_backends.py).
PORTAL_PERMISSIONS_CACHE_SECONDS = int(os.environ.get("PORTAL_PERMISSIONS_CACHE_SECONDS", "60"))

# Two caches (portal/caching.py). "default" holds what every process must see alike: sessions,
# permissions, an environment's lists. It is each process's own memory by default; where several
# processes or machines serve the portal, PORTAL_REDIS_URL (redis://host:6379/0, needs the ``redis``
# package) gives them one shared cache. "renderings" holds drawn pages and step checks under digests of
# everything they show, so an entry never goes stale and each process keeps its own, with no round trip.
PORTAL_REDIS_URL = os.environ.get("PORTAL_REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": PORTAL_REDIS_URL}
        if PORTAL_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
    ),
    "renderings": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "renderings",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
# Sessions live in the database. With a shared cache they are read from it and written through to the
# database (a restart or a cache miss signs nobody out); without one they are read from the database on
# every request: each process's memory is its own, and a session signed out in one process must end in
# all of them.
SESSION_ENGINE = "portal.session_engines.cached_db" if PORTAL_REDIS_URL else "portal.session_engines.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-ins for an account or address that is locked out.
    "portal.sign_in_throttle.ThrottlingBackend",
    # Django's model backend, with each user's permissions kept in the cache (portal/auth_backends.py).
    "portal.auth_backends.CachedPermissionsBackend",
]
# Sign-in throttling (django-axes, portal.sign_in_throttle): after PORTAL_SIGN_IN_FAILURE_LIMIT failed
# sign-ins for one account, or PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT from one address (higher, so one
# person's typos do not lock out colleagues behind the same address), that account or address is locked
# out for PORTAL_SIGN_IN_LOCKOUT_MINUTES.
# The address is the connection's (REMOTE_ADDR): behind a reverse proxy, pass the client's address on.
AXES_FAILURE_LIMIT = int(os.environ.get("PORTAL_SIGN_IN_FAILURE_LIMIT", "5"))
PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("PORTAL_SIGN_IN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit log
AXES_HANDLER = "portal.sign_in_throttle.AccountAndAddressHandler"
AXES_LOCKOUT_CALLABLE = "portal.sign_in_throttle.locked_out"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "portal.sign_in.axes_username"
# Sessions end after PORTAL_SESSION_IDLE_SECONDS without a request, and PORTAL_SESSION_MAX_SECONDS after
# sign-in whatever happens (portal.sessions).
PORTAL_SESSION_IDLE_SECONDS = int(os.environ.get("PORTAL_SESSION_IDLE_SECONDS", str(8 * 3600)))
PORTAL_SESSION_MAX_SECONDS = int(os.environ.get("PORTAL_SESSION_MAX_SECONDS", str(24 * 3600)))
SESSION_COOKIE_AGE = PORTAL_SESSION_MAX_SECONDS
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("PORTAL_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Publishing runs as a background task: immediately in development and tests, through the database
# queue and `manage.py db_worker` in production.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "PORTAL_TASK_BACKEND",
            "django_tasks_db.DatabaseBackend"
            if PRODUCTION
            else "django_tasks.backends.immediate.ImmediateBackend",
        )
    }
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Chat Channel Studio <studio@localhost>")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
# Absolute links in notification e-mails start with this address.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# Content security policy: no inline script, no third-party script; the widget preview may show a
# logo from any https host and nothing else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *env_list("PORTAL_CSP_FORM_ACTION")],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"refusals_in_one_line": {"()": "portal.logs.RefusalsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PORTAL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["refusals_in_one_line"]},
        "django.server": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Key for secrets stored in the database (environment client secrets); a Fernet key is derived from it.
PORTAL_SECRETS_KEY = _key("PORTAL_SECRETS_KEY", "secrets")
# Key of the audit log's HMAC chain: kept outside the database, so rows rewritten in the database can't
# be given matching hashes.
PORTAL_AUDIT_KEY = _key("PORTAL_AUDIT_KEY", "audit")

# Where `make run` keeps the local Dataverse emulator's state (connection.json, CA, SQLite).
EMULATOR_STATE_DIR = Path(os.environ.get("PORTAL_EMULATOR_STATE", BASE_DIR / "var" / "emulator"))
# ... and of the second emulator org ("Local Dataverse (test)"), seeded with other reference rows.
EMULATOR_TEST_STATE_DIR = Path(
    os.environ.get("PORTAL_EMULATOR_TEST_STATE", BASE_DIR / "var" / "emulator-test")
)

# A publish attempt that reports no progress for this long (a crashed or restarted worker) is marked
# failed, and the channel can be published again.
PORTAL_PUBLISH_LEASE_SECONDS = int(os.environ.get("PORTAL_PUBLISH_LEASE_SECONDS", "900"))

# How long choice lists read from an environment stay fresh before they are read again.
CHOICES_CACHE_SECONDS = int(os.environ.get("PORTAL_CHOICES_CACHE_SECONDS", "900"))

# Sign-in with Microsoft Entra ID (shown on the sign-in page when the first three are set).
ENTRA_CLIENT_ID = os.environ.get("ENTRA_CLIENT_ID", "")
ENTRA_TENANT_ID = os.environ.get("ENTRA_TENANT_ID", "")
ENTRA_CLIENT_SECRET = os.environ.get("ENTRA_CLIENT_SECRET", "")
ENTRA_AUTHORITY_HOST = os.environ.get("ENTRA_AUTHORITY_HOST", "https://login.microsoftonline.com")
ENTRA_CA_FILE = os.environ.get("ENTRA_CA_FILE", "")
# JSON: {"<app role or group id>": "<portal group name>"}, e.g. {"Portal.Admin": "Portal administrators"}.
ENTRA_GROUP_MAP = json.loads(os.environ.get("ENTRA_GROUP_MAP", "") or "{}")
