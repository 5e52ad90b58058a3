"""Settings for Assault Log, read from the environment.

One module for every profile. ``DJANGO_ENV=development`` (the default) runs the
embedded default: SQLite, Celery tasks in-process, e-mail to the console.
``DJANGO_ENV=production`` refuses to start without the secrets it needs.
Every variable is listed in ``.env.example`` and in the README's settings table.
"""

from __future__ import annotations

import re
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"


def env_required(name: str, development_default: object) -> object:
    """Production must name its own value; development may fall back to a safe local one."""
    if name in env.ENVIRON:
        return env.ENVIRON[name]
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    return development_default


DEBUG = env.bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

SECRET_KEY = str(env_required("SECRET_KEY", "development-only-insecure-key-never-use-in-production"))
ALLOWED_HOSTS = [
    host.strip()
    for host in str(env_required("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")).split(",")
    if host.strip()
]
# Keys for the free text encrypted at rest (incidents/fields.py): comma-separated Fernet
# keys, newest first. Add a new key in front, run `manage.py reencrypt_fields`, then drop
# the old one. Kept apart from SECRET_KEY so either can rotate without the other.
DEVELOPMENT_FIELD_KEY = "XgAOY_cTK6AkhlXYvkEUIoBQIACVWgo6_o59ISkOOac="
FIELD_ENCRYPTION_KEYS = [
    key.strip() for key in str(env_required("FIELD_ENCRYPTION_KEYS", DEVELOPMENT_FIELD_KEY)).split(",") if key.strip()
]
if PRODUCTION and DEVELOPMENT_FIELD_KEY in FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must not hold the development key in production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A form whose token failed gets the site's page, in the officer's language (not Django's).
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
# Absolute base for links in e-mails (sent from workers, which have no request).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

DATABASES = {"default": env.db_url_config(str(env_required("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and WAL stop "database is locked" when the dev server
    # and an in-process task write at the same moment.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Persistent connections with health checks, not psycopg's pool: Celery closes
    # pooled connections at task boundaries (celery #10554).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_ratelimit",
    "django_guid",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "incidents",
    "reports",
]

MIDDLEWARE = [
    # First: every later log record and every response (redirects, errors) gets the id.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the officer's choice (cookie), else the browser's (Accept-Language).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in officer's language is the one kept on their account; the review admin is English.
    "incidents.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view reads the request (the user is known, for the page's layout).
    "incidents.middleware.RejectNulBytesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "incidents.middleware.StaffTwoFactorRequiredMiddleware",
    "incidents.middleware.StaffSessionTimeoutMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ADMIN_URL = env.str("ADMIN_URL", default="admin/")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.contact",
                "incidents.context_processors.outbox_owner",
            ],
        },
    },
]

# Accounts: officers sign in with their force e-mail (django-allauth).
AUTH_USER_MODEL = "incidents.User"
# Django's and allauth's backends, loading the user with their officer profile and force in
# one query (incidents/backends.py).
AUTHENTICATION_BACKENDS = [
    "incidents.backends.ModelBackend",
    "incidents.backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "incidents.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "incidents.forms.OfficerSignupForm",
    "add_email": "incidents.forms.OfficerAddEmailForm",
    "login": "incidents.forms.AccountLoginForm",
    "reset_password": "incidents.forms.AccountResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Assault Log] "
ACCOUNT_PRESERVE_USERNAME_CASING = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Assault Log"
# One 30-second step either side (RFC 6238 section 5.2): a code typed as it rolls over still works.
MFA_TOTP_TOLERANCE = 1

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Assault Log <no-reply@assaultlog.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where officers and staff write when something does not work: on the account pages and in
# every account e-mail.
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="assaultlog@federation.example")

# Cache: allauth's rate limits live here, so several web processes need a shared
# cache (Redis, a different database from the broker's).
# Production must name a Redis cache: with a per-process memory cache each web process
# would keep its own count, so an attacker gets N times the login attempts.
CACHE_URL = str(env_required("CACHE_URL", ""))
if PRODUCTION and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CACHE_URL must be a redis:// URL when DJANGO_ENV=production.")
# As the broker's: a cache that stops answering fails a request's cache call in half a
# second instead of holding it, and is not tried again for 5 s (config/cache.py; filing
# carries on, its limit counted in the process's memory, incidents/ratelimits.py; sign-in
# and exports answer 503, config/views.py).
CACHE_REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
CACHE_REDIS_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "pool_class": "config.cache.GuardedConnectionPool",
}
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": CACHE_REDIS_BACKEND,
            "LOCATION": CACHE_URL,
            "OPTIONS": CACHE_REDIS_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-ratelimit's system checks: the development LocMem cache is per-process (E003), fine
# for one dev server and refused in production above; Django's own RedisCache (shared, atomic
# INCR) is simply not on the library's list yet (W001,
# jsocol/django-ratelimit#283).
SILENCED_SYSTEM_CHECKS = []
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The review list's covering indexes carry extra columns on PostgreSQL only; on the
    # embedded demo database they are plain indexes, which is all a demo needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")
if CACHES["default"]["BACKEND"] == CACHE_REDIS_BACKEND:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.W001")
elif not PRODUCTION:
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.W001", "django_ratelimit.E003"]


def env_rate(name: str, default: str) -> str:
    """A rate such as "30/h" (count per s, m, h or d, optionally "30/2h")."""
    value = env.str(name, default=default)
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise ImproperlyConfigured(f"{name} must be a rate such as 30/h, not {value!r}.")
    return value


# The client behind the load balancer. allauth limits sign-in, failed sign-ins, sign-up and
# password resets per client address; behind a proxy every request comes from the proxy's
# address, so one person's wrong passwords would lock everyone out. Set how many proxies of
# ours add to X-Forwarded-For (the client is that many entries from the right; anything a
# client put further left is ignored), or the header a proxy sets to the client's address.
# Production must say (a deploy check, incidents/checks.py); 0 means none (a request's own
# address, as the development server sees it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="")
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = TRUSTED_CLIENT_IP_HEADER or None

# Per-user rate limits (incidents/ratelimits.py), counted in the cache above. allauth limits
# sign-in, failed sign-ins, sign-up and password reset itself (ACCOUNT_RATE_LIMITS, defaults).
# Filing a report: the quick log, starting a full report and submitting it each count one.
REPORT_SUBMIT_RATE = env_rate("REPORT_SUBMIT_RATE", "30/h")
# Exports of the review list (CSV or XLSX).
EXPORT_RATE = env_rate("EXPORT_RATE", "20/h")
# Attempts to close an account (each checks the password): no guessing a password through it.
ACCOUNT_CLOSE_RATE = env_rate("ACCOUNT_CLOSE_RATE", "5/h")
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Messages ride in the session, not in a cookie: a cookie is signed, not encrypted, and
# allauth's "Successfully signed in as <address>" would travel in it readable by anyone
# who sees the browser's cookies.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# Staff (who can read every report of their forces) are signed out after this long idle.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)

# Retention (incidents/services/privacy.py, run nightly): closed reports are anonymised this
# many years after the assault; audit events and the staff access log are deleted after
# their own periods (the record that a report was anonymised is kept).
RETENTION_REPORT_YEARS = env.int("RETENTION_REPORT_YEARS", default=7)
RETENTION_AUDIT_YEARS = env.int("RETENTION_AUDIT_YEARS", default=7)
RETENTION_ACCESS_LOG_DAYS = env.int("RETENTION_ACCESS_LOG_DAYS", default=2 * 365)

# Celery. With no REDIS_URL tasks run in-process (the embedded default) and the
# broker is memory:// so nothing ever dials out.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "Europe/London"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Kombu's Redis transport has no socket timeouts by default: an unreachable broker
# would hang the request that saved a report (celery #4296, #6911). A publish to a Redis
# that accepts connections but never answers (frozen, or a half-open connection after a
# failover) times out up to three times (the command, the reconnect, the one retry), and
# the officer's confirmation is due within 3 s: 0.5 s each, which a Redis command on the
# same network answers in a few milliseconds. config.celery.publish stops the next
# dispatches of the same request from paying again (tests/faults/test_broker_down.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "max_retries": 1,
    # A message a worker took and never acknowledged (acks_late: until the task ends) goes to
    # another worker after this long, so a worker lost with its machine delays its tasks by
    # this much. It must outlast the longest a message is held: the longest retry countdown
    # (120 s), a wait for a free pool process (up to a task, 300 s) and the task (300 s),
    # or a healthy task is run twice (harmless: every acks_late task is idempotent).
    # Kombu's default, an hour, left a full recompute "in progress" for an hour.
    "visibility_timeout": 900,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# One static schedule, run by exactly one `celery beat`.
CELERY_BEAT_SCHEDULE = {
    # Hourly through the working day: sent at 07:00; a rep whose send failed (and so has no
    # DigestSent row for the day) is tried again the next hour.
    "reps-waiting-digest": {
        "task": "incidents.tasks.reps_send_waiting_digest",
        "schedule": crontab(hour="7-18", minute=0),
    },
    # E-mails never sent (a dispatch lost while the broker was down, retries used up while the
    # mail server was): their rows are still unclaimed, so this finds and sends them.
    "notifications-resend-unsent": {"task": "incidents.tasks.notifications_resend_unsent", "schedule": 600.0},
    # The statistics catch up with the reports changed since the last run (the marks are in
    # the database): a change shows on the dashboards within a minute.
    "statistics-refresh": {"task": "reports.tasks.statistics_refresh", "schedule": 30.0},
    # Everything recounted once a night: what no report change marks (a force renamed, a
    # new version of the method) is current by the morning.
    "snapshots-nightly": {"task": "reports.tasks.snapshots_recompute_all", "schedule": crontab(hour=2, minute=30)},
    "privacy-retention": {"task": "incidents.tasks.privacy_apply_retention", "schedule": crontab(hour=3, minute=30)},
}

LANGUAGE_CODE = "en-gb"
# Officers' pages, e-mails and figures in English and Welsh (locale/; docs/welsh.md). The
# review admin stays English (incidents.middleware.UserLanguageMiddleware).
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production WhiteNoise serves straight from the app folders, so no
# collectstatic is needed for the dev server or the tests.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): our own origin only, no inline script or style
# anywhere (charts are SVG with classes; data reaches scripts through json_script), no
# framing, forms post only to us. The TOTP set-up page shows its QR code as a data: image.
# Violations are reported to /csp-report, which logs them (see config/views.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The offline app: its service worker (/sw.js) and web manifest, from our origin only.
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": "/csp-report",
    }
}
# Permissions-Policy (django-permissions-policy): no page needs these device features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe the health check over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Logs: plain lines for a terminal, or one JSON object a line (LOG_FORMAT=json) for a log
# collector. Every record carries the request id (config/logging.py) or a Celery task id.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# Request ids (django-guid's middleware, first in MIDDLEWARE): an incoming X-Request-ID is kept
# when it is a UUID, otherwise replaced by a new one; the id goes back in the response header.
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "VALIDATE_GUID": True, "RETURN_HEADER": True, "EXPOSE_HEADER": False}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "config.logging.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # django-guid says at INFO, for every request, whether the header came with it.
    "loggers": {"django_guid": {"level": "WARNING"}},
}
# Workers log through the same handler (and format) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
