"""Django settings for Socius, read only from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from socius.env import (
    DatabaseUrl,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_secret,
    env_str,
    parse_database_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(env_str("SOCIUS_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()

SOCIUS_ENV = env_choice("SOCIUS_ENV", "development", ("development", "production"))
IS_PRODUCTION = SOCIUS_ENV == "production"

SECRET_KEY = env_secret("SOCIUS_SECRET_KEY")
ALLOWED_HOSTS = env_list("SOCIUS_ALLOWED_HOSTS")
if IS_PRODUCTION:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SOCIUS_SECRET_KEY must be set to a random string of at least 50 characters "
            "when SOCIUS_ENV=production."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("SOCIUS_ALLOWED_HOSTS must be set when SOCIUS_ENV=production.")
else:
    SECRET_KEY = SECRET_KEY or "development-only-key-never-used-in-production-" + "x" * 20
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]

DEBUG = env_bool("SOCIUS_DEBUG", default=False) and not IS_PRODUCTION
SITE_URL = env_str("SOCIUS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
COMPANY_NAME = env_str("SOCIUS_COMPANY_NAME")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs page's assets locally (the CSP forbids CDNs)
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "socius.core",
    "socius.people",
    "socius.accounts",
    "socius.portal",
    "socius.collab",
    "socius.care",
    "socius.commerce",
    "socius.insights",
    "socius.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "socius.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "socius.insights.presence.PresenceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "socius.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "socius.urls"
ASGI_APPLICATION = "socius.asgi.application"
WSGI_APPLICATION = "socius.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "socius.core.context_processors.site",
                "socius.accounts.context_processors.capabilities",
            ],
        },
    }
]

# Database: SQLite under DATA_DIR by default, PostgreSQL with DATABASE_URL=postgres://...
_database_url = env_str("DATABASE_URL")
if _database_url:
    _database = parse_database_url(_database_url, base_dir=PROJECT_DIR)
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _database = DatabaseUrl(engine="sqlite", name=str(DATA_DIR / "socius.sqlite3"))
DATABASES: dict[str, dict[str, Any]]
if _database.engine == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": _database.name,
            "OPTIONS": {
                # IMMEDIATE makes writers queue on the busy timeout instead of failing when a
                # read transaction tries to upgrade to a write lock.
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("SOCIUS_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
                # A page cache of SOCIUS_SQLITE_CACHE_MB per connection (SQLite's own default
                # is 2 MB): the timeline's indexes outgrow it at once, and each spilled page
                # is read and written again.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                f"PRAGMA cache_size=-{env_int('SOCIUS_SQLITE_CACHE_MB', 64, minimum=2) * 1024};",
            },
            # A file, not memory: browser tests serve pages from another thread.
            "TEST": {"NAME": str(DATA_DIR / "test-socius.sqlite3")},
        }
    }
else:
    # A connection pool per server process spares each request a new PostgreSQL connection
    # (persistent connections do not suit the ASGI server); 0 keeps one per request.
    _pool_size = env_int("SOCIUS_DB_POOL_SIZE", 0, minimum=0)
    _pool = {"pool": {"min_size": 1, "max_size": _pool_size}} if _pool_size else {}
    # Statements sent with their values apart (``core.bulk.server_cursor``: bulk writes,
    # merges) can be prepared once seen this often on a connection, so the server plans
    # them once: planning a merge's move costs more than running it. Off by default, as in
    # Django: a pooler in transaction mode (PgBouncer without max_prepared_statements)
    # cannot keep prepared statements. Django's own queries bind on the client and are
    # never prepared.
    _prepare = env_int("SOCIUS_DB_PREPARE_THRESHOLD", 0, minimum=0)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _database.name,
            "USER": _database.user,
            "PASSWORD": _database.password,
            "HOST": _database.host,
            "PORT": _database.port,
            "OPTIONS": dict(_database.options or {})
            | _pool
            | {"prepare_threshold": _prepare or None},
            "CONN_MAX_AGE": env_int("SOCIUS_DB_CONN_MAX_AGE", 0, minimum=0),
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str("SOCIUS_CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL in {"", "locmem://"}:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured("SOCIUS_CACHE_URL must be empty, locmem:// or redis://host:port/db.")

# Authentication
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60
LOGIN_FAILURE_LIMIT = env_int("SOCIUS_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("SOCIUS_LOGIN_FAILURE_WINDOW", 15 * 60, minimum=1)
# Identifier kinds strong enough to merge two persons automatically when one interaction
# carries both; the others (by default the phone, often a shared landline) only suggest.
PEOPLE_STRONG_IDENTIFIERS = env_list(
    "SOCIUS_PEOPLE_STRONG_IDENTIFIERS",
    [
        "email", "facebook", "instagram", "x", "linkedin", "whatsapp",
        "customer_number", "loyalty_card", "employee_number", "external",
    ],
)  # fmt: skip
# Probabilistic duplicate detection (people.detection). Pairs scored at or above the
# suggestion threshold reach the review queue; automatic merges are off unless a threshold
# is set (0.95 or more), and never merge two different values of one strong kind.
DUPLICATES_BACKEND = env_choice("SOCIUS_DUPLICATES_BACKEND", "duckdb", ("duckdb", "spark"))
# The address compared as one field or as four; "auto": each run measures how many persons
# live at an address with someone plainly else (households, buildings) and counts the
# address once above 3 %, or always with fixed priors (ADR 0006).
DUPLICATES_ADDRESS = env_choice("SOCIUS_DUPLICATES_ADDRESS", "auto", ("auto", "one", "fields"))
DUPLICATES_SUGGEST_THRESHOLD = env_float("SOCIUS_DUPLICATES_SUGGEST_THRESHOLD", 0.9, 0.5, 1.0)
DUPLICATES_AUTO_MERGE_THRESHOLD = env_float(
    "SOCIUS_DUPLICATES_AUTO_MERGE_THRESHOLD", 0.0, 0.0, 1.0
)  # 0 turns automatic merges off
if 0 < DUPLICATES_AUTO_MERGE_THRESHOLD < 0.95:
    raise ImproperlyConfigured(
        "SOCIUS_DUPLICATES_AUTO_MERGE_THRESHOLD must be 0 (off) or between 0.95 and 1."
    )
# Under this many persons the model keeps fixed priors: EM is not stable on small bases.
DUPLICATES_EM_MIN_PERSONS = env_int("SOCIUS_DUPLICATES_EM_MIN_PERSONS", 1000, minimum=10)
DUPLICATES_SPARK_MASTER = env_str("SOCIUS_DUPLICATES_SPARK_MASTER", "local[2]")

# Files attached to posts and comments: a limit per file and a number per post. Uploads
# past Django's in-memory size are streamed to a temporary file, never held in memory.
COLLAB_ATTACHMENT_MAX_BYTES = env_int("SOCIUS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
COLLAB_ATTACHMENTS_PER_POST = env_int("SOCIUS_UPLOAD_MAX_FILES_PER_POST", 10, minimum=1)
# Posts and comments one colleague may write, and searches they may run, per minute.
COLLAB_WRITES_PER_MINUTE = env_int("SOCIUS_COLLAB_WRITES_PER_MINUTE", 30, minimum=1)
COLLAB_SEARCHES_PER_MINUTE = env_int("SOCIUS_COLLAB_SEARCHES_PER_MINUTE", 60, minimum=1)
PORTAL_LINK_MAX_AGE_SECONDS = env_int("SOCIUS_PORTAL_LINK_MAX_AGE", 15 * 60, minimum=60)
# Customer care. Service levels are counted in business hours on this calendar (French
# public holidays are closed); a customer message on a case resolved at most this many days
# ago reopens it, a later one opens a new case.
CARE_BUSINESS_HOURS = env_str("SOCIUS_CARE_BUSINESS_HOURS", "mon-fri 09:00-18:00")
CARE_TIME_ZONE = env_str("SOCIUS_CARE_TIME_ZONE", "Europe/Paris")
CARE_REOPEN_DAYS = env_int("SOCIUS_CARE_REOPEN_DAYS", 7, minimum=0)
# The address customers write to and replies come from; Message-IDs use its domain.
CARE_EMAIL_ADDRESS = env_str("SOCIUS_CARE_EMAIL", "support@socius.localhost")
CARE_SMTPD_HOST = env_str("SOCIUS_CARE_SMTPD_HOST", "127.0.0.1")
CARE_SMTPD_PORT = env_int("SOCIUS_CARE_SMTPD_PORT", 8025, minimum=1)
CARE_SMTPD_MAX_BYTES = env_int("SOCIUS_CARE_SMTPD_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
# Messenger Platform: the app secret signs webhooks, the verify token answers Meta's
# subscription handshake, the page token sends replies. Unset: the webhook refuses all.
CARE_MESSENGER_APP_SECRET = env_secret("SOCIUS_MESSENGER_APP_SECRET")
CARE_MESSENGER_VERIFY_TOKEN = env_secret("SOCIUS_MESSENGER_VERIFY_TOKEN")
CARE_MESSENGER_PAGE_TOKEN = env_secret("SOCIUS_MESSENGER_PAGE_TOKEN")
CARE_MESSENGER_API_URL = env_str(
    "SOCIUS_MESSENGER_API_URL", "https://graph.facebook.com/v21.0/me/messages"
)
# How long a satisfaction link stays valid after the case is resolved.
CARE_SURVEY_MAX_AGE_DAYS = env_int("SOCIUS_CARE_SURVEY_MAX_AGE_DAYS", 30, minimum=1)
# Group buying. Payments go through one provider: the built-in sandbox (development, tests,
# demos) or Stripe (official SDK, manual capture). Secrets only from the environment; in
# development the sandbox's webhook secret and the ticket signing key derive from SECRET_KEY.
COMMERCE_PAYMENT_PROVIDER = env_choice("SOCIUS_PAYMENT_PROVIDER", "sandbox", ("sandbox", "stripe"))
COMMERCE_SANDBOX_WEBHOOK_SECRET = env_secret("SOCIUS_SANDBOX_WEBHOOK_SECRET")
COMMERCE_STRIPE_SECRET_KEY = env_secret("SOCIUS_STRIPE_SECRET_KEY")
COMMERCE_STRIPE_WEBHOOK_SECRET = env_secret("SOCIUS_STRIPE_WEBHOOK_SECRET")
# Ed25519 ticket signing: a base64 32-byte seed and its key id; retired keys stay listed
# ("kid:base64-public-key,...") so tickets they signed still verify.
COMMERCE_TICKET_SIGNING_KEY = env_secret("SOCIUS_TICKET_SIGNING_KEY")
COMMERCE_TICKET_KEY_ID = env_str("SOCIUS_TICKET_KEY_ID", "k1")
COMMERCE_TICKET_RETIRED_KEYS = env_list("SOCIUS_TICKET_RETIRED_KEYS")
# Seats held for a participant who has not paid yet return to sale after this long.
COMMERCE_RESERVATION_MINUTES = env_int("SOCIUS_COMMERCE_RESERVATION_MINUTES", 15, minimum=1)
# Joins from one network address per minute (friends behind one box still fit).
COMMERCE_JOINS_PER_MINUTE = env_int("SOCIUS_COMMERCE_JOINS_PER_MINUTE", 10, minimum=1)
# Reminders go out this many hours before a group's deadline.
COMMERCE_REMINDER_HOURS = env_int("SOCIUS_COMMERCE_REMINDER_HOURS", 24, minimum=1)
# Employees who have not acknowledged the binding version of the social-media charter read
# public spaces but do not post there.
CHARTER_GATE_POSTING = env_bool("SOCIUS_CHARTER_GATE_POSTING", default=True)
# Data-subject rights: prospects (no purchase, no employee account) are erased this many
# days after their last own contact (CNIL: 3 years); 0 turns the automatic erasure off.
RETENTION_PROSPECT_DAYS = env_int("SOCIUS_RETENTION_PROSPECT_DAYS", 3 * 365, minimum=0)
# Every erasure is appended here (ids and time only) to be replayed after a backup restore;
# keep this file outside the database backups' reach, e.g. on another volume.
ERASURE_LOG_PATH = Path(env_str("SOCIUS_ERASURE_LOG", str(DATA_DIR / "erasures.jsonl"))).resolve()

# Sessions and cookies. The __Host- prefix pins cookies to this exact host over HTTPS.
SESSION_COOKIE_AGE = env_int("SOCIUS_SESSION_AGE", 12 * 60 * 60, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
if IS_PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_TRUSTED_ORIGINS = env_list("SOCIUS_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "socius.core.views.csrf_failure"

# Security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SOCIUS_SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SOCIUS_HSTS_SECONDS", 31_536_000 if IS_PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = env_bool("SOCIUS_HSTS_PRELOAD", default=False)
# Preloading commits the whole registrable domain for months; its owner opts in with
# SOCIUS_HSTS_PRELOAD, so Django's reminder (W021) is not a defect of the deployment.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env_bool("SOCIUS_BEHIND_TLS_PROXY", default=False):
    # Only behind a proxy that overwrites this header: otherwise a client could forge it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    # A form that starts a Stripe payment is answered by a redirect to Stripe's hosted
    # checkout, and browsers apply form-action to the redirect's target too.
    "form-action": ["'self'"]
    + (["https://checkout.stripe.com"] if COMMERCE_PAYMENT_PROVIDER == "stripe" else []),
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Internationalisation: French first, English available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = IS_PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Static files
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
if not IS_PRODUCTION:
    # Static files are served from the apps in development; an empty root keeps WhiteNoise quiet.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = not IS_PRODUCTION

# Email: console, file (one file per message under DATA_DIR/mail), smtp, or memory (tests).
EMAIL_MODE = env_choice("SOCIUS_EMAIL_BACKEND", "file", ("console", "file", "smtp", "memory"))
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}[EMAIL_MODE]
EMAIL_FILE_PATH = Path(env_str("SOCIUS_EMAIL_FILE_PATH", str(DATA_DIR / "mail")))
EMAIL_HOST = env_str("SOCIUS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("SOCIUS_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("SOCIUS_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_secret("SOCIUS_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("SOCIUS_EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("SOCIUS_EMAIL_FROM", "Socius <no-reply@socius.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks (Django's Tasks API through the django-tasks backport).
TASKS_MODE = env_choice("SOCIUS_TASKS_BACKEND", "database", ("database", "immediate", "dummy"))
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASKS_MODE]
    }
}

# Live updates pushed to pages through server-sent events.
LIVE_BROKER = env_choice("SOCIUS_LIVE_BROKER", "memory", ("memory", "redis"))
REDIS_URL = env_str("SOCIUS_REDIS_URL", "redis://127.0.0.1:6379/0")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SOCIUS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates every step of a ticket PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
