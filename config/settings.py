"""Mantelzorg settings: one file, driven by environment variables.

Development defaults are safe (DEBUG on only when DJANGO_ENV is not "production",
SQLite in ./var). DJANGO_ENV=production switches on every production setting and
refuses to start without a secret key and allowed hosts.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.secret_key import installation_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

# The test run (pytest imported these settings) signs with a fixed key and never reads var/.
TESTING = "pytest" in sys.modules

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION:
    DEBUG = False
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # required in production
elif env("DJANGO_SECRET_KEY"):
    SECRET_KEY = env("DJANGO_SECRET_KEY")
elif TESTING:
    SECRET_KEY = "test-only-secret-key-" + "t" * 40
else:
    # Development: a random key per installation, made on the first start (config/secret_key.py).
    SECRET_KEY = installation_secret_key(
        Path(env("DJANGO_SECRET_KEY_FILE", str(BASE_DIR / "var" / "secret_key")))
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "mantelzorg.core.admin_site.AuditedAdminConfig",  # django.contrib.admin, audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "mantelzorg.core",
    "mantelzorg.accounts",
    "mantelzorg.directory",
    "mantelzorg.assessment",
    "mantelzorg.network",
    "mantelzorg.declaration",
    "mantelzorg.respite",
    "django.forms",  # last: our form templates in core override Django's
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mantelzorg.core.middleware.SecurityHeadersMiddleware",
    "mantelzorg.api.middleware.JsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "mantelzorg.core.middleware.RequestInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mantelzorg.accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "mantelzorg.core.context_processors.site",
                "mantelzorg.core.context_processors.header",
            ],
            "debug": DEBUG,
        },
    }
]
FORM_RENDERER = "mantelzorg.core.forms.NLDSFormRenderer"

# --- Database -------------------------------------------------------------
# SQLite by default (durable pragmas, immediate write transactions); PostgreSQL when
# DATABASE_URL is set. Our own thin backends add the audit-log replay after a rollback
# (see mantelzorg/core/audit.py) and nothing else.
SQLITE_PATH = Path(env("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3")))
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "60")))
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db["ENGINE"] = "mantelzorg.core.db.postgresql"
    elif _db["ENGINE"] == "django.db.backends.sqlite3":
        _db["ENGINE"] = "mantelzorg.core.db.sqlite3"
    _db.setdefault("OPTIONS", {})
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    # Persistent per-worker connections: opening SQLite and running the pragmas on every
    # request would cost more than most queries.
    _db = {"ENGINE": "mantelzorg.core.db.sqlite3", "NAME": SQLITE_PATH, "OPTIONS": {}, "CONN_MAX_AGE": 600}
if _db["ENGINE"] == "mantelzorg.core.db.sqlite3":
    _db["OPTIONS"].update(
        {
            "init_command": (
                "PRAGMA journal_mode=wal;PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=10000;PRAGMA cache_size=-32000;PRAGMA temp_store=MEMORY;"
                "PRAGMA mmap_size=134217728"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 10,
        }
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mantelzorg"}}
# Public pages without personal content are cached this long for visitors without a session
# (mantelzorg/core/cache.py); 0 switches the cache off.
PUBLIC_PAGE_CACHE_SECONDS = int(env("PUBLIC_PAGE_CACHE_SECONDS", "60"))

# --- Accounts and authentication ------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Django's rules with our own wording (mantelzorg/accounts/validators.py says why), a larger list of
# common passwords with Dutch words, and a strength estimate; no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "mantelzorg.accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "mantelzorg.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    # A list of 176,000 common passwords and Dutch words (Django's 20,000 in it), then zxcvbn's
    # estimate: refuses 123456789012, aaaaaaaaaaaa, wachtwoord12, welkom123456 and the like.
    {
        "NAME": "mantelzorg.accounts.validators.StrengthValidator",
        "OPTIONS": {"min_score": 3, "min_length": 12},
    },
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# django-axes: 10 failed attempts per username+IP give HTTP 429 for an hour.
AXES_FAILURE_LIMIT = 10
AXES_USERNAME_CALLABLE = "mantelzorg.accounts.lockout.lockout_username"
# The visitor's address (axes and RATE_LIMITS): REMOTE_ADDR, or behind our own TLS proxy (production:
# TRUSTED_PROXY_COUNT=1) the address that proxy appended to X-Forwarded-For (accounts/lockout.py).
AXES_CLIENT_IP_CALLABLE = "mantelzorg.accounts.lockout.client_ip"
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["password", "token"]

OTP_TOTP_ISSUER = "Mantelzorg"

# Limits on abuse (mantelzorg/accounts/ratelimit.py): rule -> key kind -> (uses, window in seconds).
# Counted in the database, so they hold across all gunicorn workers. The (uses + 1)-th use in a
# window is refused with a page that says so (429). Real use stays far below them:
RATE_LIMITS = {
    # Failed logins from one IP address, any account (password spraying; axes already locks one
    # account + IP after 10). A shared network (a support centre, a town hall) with people who
    # mistype makes a few an hour; a spray makes hundreds.
    "login_failed": {"ip": (30, 60 * 60)},
    # Wrong TOTP codes for one account: axes does not count these; 10 in 15 minutes leaves room
    # for a clock that is off, and makes guessing 1 in 1,000,000 codes hopeless.
    "mfa_failed": {"account": (10, 15 * 60)},
    # E-mails to one address: a person asks for a new password, a check link or a sign-up mail
    # once or twice, not six times an hour. Per IP address: room for a group session at a
    # support centre where everyone uses the same network.
    "password_reset": {"address": (5, 60 * 60), "ip": (20, 60 * 60)},
    "check_email_link": {"address": (5, 60 * 60), "ip": (20, 60 * 60)},
    "signup": {"address": (5, 60 * 60), "ip": (20, 60 * 60)},
    # An anonymous result added to the figures: once per finished check (the session remembers),
    # so 20 an hour from one address only a script reaches.
    "contribution": {"ip": (20, 60 * 60)},
    # MZ1 codes checked (verifier page and API, issue 14): a desk that checks parking permits all
    # day checks a few a minute; a script that tries codes makes thousands.
    "declaration_verify": {"ip": (600, 60 * 60)},
}

# Sessions: staff roles get an idle timeout (accounts.middleware.StaffSessionMiddleware).
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
STAFF_IDLE_TIMEOUT_SECONDS = int(env("STAFF_IDLE_TIMEOUT_SECONDS", str(30 * 60)))

# --- E-mail ----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Mantelzorg <noreply@mantelzorg.invalid>")
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
# Without DEBUG (`make run`, production) static files are served as production serves them:
# `collectstatic` (run by `make run`) writes them to STATIC_ROOT with content-hashed names and
# gzip + brotli copies, and WhiteNoise serves those compressed with
# `Cache-Control: max-age=315360000, public, immutable` (unhashed names: 60 s, WhiteNoise's default).
# With DEBUG (`make dev`, the tests) they are served from their sources, unhashed and uncached.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static" / "dist"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["mantelzorg.api.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "mantelzorg.api.negotiation.ContentNegotiation",
    # No ?format= override: the answer's type follows Accept (an unknown ?format= was a 404, an
    # empty one ignored; HSDS has its own ``format``, read by its views).
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_PARSER_CLASSES": [
        "mantelzorg.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "mantelzorg.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mantelzorg API",
    "DESCRIPTION": "Open API of the Mantelzorg platform (EUPL-1.2).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two "status" fields: a task's keeps its name; an MZ1 verification's outcome gets its own.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": ["open", "claimed", "done", "cancelled"],
        "VerificationStatusEnum": ["valid", "expired", "revoked", "not_genuine", "malformed"],
    },
}

# --- Logging: no personal or health data, ever ----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # The same redaction as gunicorn's access log (config/access_log.py): django.request names the
    # path of a failed request, which may be a magic link or a password-reset link.
    "filters": {"redact": {"()": "config.access_log.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "ERROR"},  # its warnings name the login (personal data)
        # runserver's request lines (`make dev`): through our redacting handler, not Django's own.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

DEMO_DATA = env_bool("MANTELZORG_DEMO_DATA", default=not PRODUCTION)

# --- Respite (issue 15) ------------------------------------------------------------------
# How long a request holds its nights while the provider decides; then respite_expire_holds frees them.
RESPITE_HOLD_HOURS = int(env("RESPITE_HOLD_HOURS", "48"))
# The availability search reads each process's in-memory index of units and nights (respite/index.py,
# docs/respite-booking.md); off, every search reads the database instead.
RESPITE_AVAILABILITY_INDEX = env_bool("RESPITE_AVAILABILITY_INDEX", True)
