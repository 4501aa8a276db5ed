"""The ONLY Django settings module, built from `env.Settings` (the `OPENCSMS_*` environment variables).

There are no per-environment settings files: `OPENCSMS_ENV` (dev | test | production) switches the few
values that differ, and production refuses the development secret key at start-up.
"""

from __future__ import annotations

import math
from pathlib import Path

from opencsms.config.env import checkpoint_seconds, database_settings, load_settings
from opencsms.core.logs import logging_config

ENV = load_settings()  # a bad variable: ConfigurationError naming it (the CLI prints that one line)
WORKDIR = Path.cwd()
REPOSITORY = Path(__file__).resolve().parents[3]  # src/opencsms/config/settings.py -> the checkout
NODE_MODULES = REPOSITORY / "node_modules"  # `npm ci` (make setup) installs the front-end files here

SECRET_KEY = ENV.secret_key.get_secret_value()
DEBUG = bool(ENV.debug)
ALLOWED_HOSTS = ENV.allowed_hosts

INSTALLED_APPS = [
    "opencsms.core.apps.AdminConfig",  # Django's admin, for superusers only (core.admin_site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "opencsms.core",
    "opencsms.organisation",
    "opencsms.tara",
    "opencsms.vulns",
    "opencsms.incidents",
]

MIDDLEWARE = [
    "opencsms.core.middleware.CorrelationIdMiddleware",
    "opencsms.core.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "opencsms.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opencsms.core.middleware.SessionIdleMiddleware",
    "opencsms.core.middleware.SecurityLogMiddleware",
    "opencsms.core.middleware.LoginRequiredMiddleware",
    "opencsms.core.middleware.JsonTextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "opencsms.core.middleware.DomainErrorMiddleware",
    "opencsms.core.unavailable.DatabaseUnavailableMiddleware",
    "opencsms.core.disk_full.DiskFullMiddleware",
]

ROOT_URLCONF = "opencsms.config.urls"
WSGI_APPLICATION = "opencsms.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # the header's links, which each app registers (core.navigation)
                "opencsms.core.context_processors.navigation",
            ],
        },
    },
]

# Connections are kept for a minute and checked before reuse: opening one per request (and, on SQLite,
# reading the schema again each time) cost more than the query of a list page (bench/web_load.py).
DATABASES = {
    "default": {
        **database_settings(ENV.database_url, workdir=WORKDIR),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Notifications of vulnerability monitoring by email and webhook (vulns.services.notifications).
VULNS_NOTIFY = {
    "email": ENV.notify_email,
    "webhook": ENV.notify_webhook_url,
    "secret": ENV.notify_webhook_secret.get_secret_value(),
    "base_url": ENV.base_url,
}
# What the server reads and fetches for users: advisory source folders, feed URLs, webhooks (core.outbound).
# Outside production the demo's scheduled source folder is allowed too (vulns.demo writes it).
DEMO_FEED = WORKDIR / "var" / "demo-feed"
OUTBOUND = {
    "source_directories": ENV.source_directories + ([] if ENV.is_production else [str(DEMO_FEED)]),
    "allow_hosts": ENV.outbound_allow_hosts,
    "max_bytes": ENV.outbound_max_bytes,
    "timeout": ENV.outbound_timeout,
}
# Background jobs: heartbeat, when a silent job counts as lost, how often the worker sweeps (core.leases)
# and ticks the schedules (core.schedule).
JOBS = {
    "heartbeat_seconds": ENV.job_heartbeat_seconds,
    "stale_seconds": ENV.job_stale_seconds,
    "sweep_seconds": ENV.job_sweep_seconds,
    "tick_seconds": ENV.job_tick_seconds,
}
# TARA files larger than this sent to the synchronous import are queued for the worker (tara.services).
TARA_SYNC_IMPORT_MAX_BYTES = ENV.tara_sync_import_max_bytes
# gunicorn's request timeout (`opencsms server serve`) fits the largest synchronous import: measured 2.3 s
# per MiB (1,400 threat scenarios, 1.85 MiB: 4.2 s on a shared 2-core machine); 10 s per MiB leaves 4x.
SERVE_TIMEOUT = max(60, math.ceil(TARA_SYNC_IMPORT_MAX_BYTES / 2**20 * 10))
if ENV.email_host:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS = ENV.email_host, ENV.email_port, ENV.email_use_tls
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = ENV.email_user, ENV.email_password.get_secret_value()
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = ENV.email_from

# The header's links in order, per area (`main` navigation, `user` menu); each app registers its own links
# (core.navigation), and a link registered but not listed here, or listed but not registered, is an error.
NAVIGATION = {
    "main": ("dashboard", "organisations", "findings", "incidents", "audit"),
    "user": ("notifications", "account", "users"),
}

# The audit trail's HMAC key and its signed checkpoints (core.audit_key, core.checkpoints; docs/security.md).
AUDIT_KEY = ENV.audit_key.get_secret_value()
AUDIT_KEY_FILE = Path(ENV.audit_key_file) if ENV.audit_key_file else WORKDIR / "var" / "audit.key"
AUDIT_KEY_GENERATE = not (ENV.is_production or ENV.audit_key_file)  # a missing var/audit.key is made
# Signed checkpoints delivered by core.checkpoints.delivery: every `every_seconds` (0: only on demand) to each
# target (a folder from WORKDIR, an absolute one stays absolute; `mailto:` addresses; http(s) webhooks).
AUDIT_CHECKPOINTS = {
    "every_seconds": checkpoint_seconds(ENV.audit_checkpoint_every) if ENV.audit_checkpoint_every else 0,
    "to": [
        t if t.startswith(("mailto:", "http:", "https:")) else str(WORKDIR / t)
        for t in ENV.audit_checkpoint_to
    ],
    "secret": ENV.audit_checkpoint_secret.get_secret_value(),
}
# Uploads over 2.5 MB are read into a temporary file here (None: the system's); a full disk answers 507.
FILE_UPLOAD_TEMP_DIR = ENV.upload_temp_dir or None
MEDIA_ROOT = WORKDIR / "var" / "media"  # uploaded files (none today: uploads are kept in the database)

# TARAs whose working state a process keeps (tara.working; OPENCSMS_KEPT_TARA_STATES).
TARA_KEPT_STATES = ENV.kept_tara_states

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENV.env == "test":  # hashing a password takes ~0.3 s with the production hasher
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = WORKDIR / "var" / "static"  # `collectstatic` (run by `opencsms server serve`) fills it
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start-up about a missing one
# Vendor files come from npm (package-lock.json), never from git: only each package's dist/ is collected.
# swagger-ui-dist is itself the distribution (no dist/ folder): the API documentation page uses it.
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/swagger-ui", NODE_MODULES / "swagger-ui-dist"),
]
# WhiteNoise serves the collected files; production adds compressed, content-hashed names (cache forever).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if ENV.is_production
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Every server error with its traceback, every record with the request id; security events on the
# `opencsms.security` logger (core.logs). OPENCSMS_LOG_FORMAT=json writes one JSON object a line.
LOGGING = logging_config(log_format=ENV.log_format, level=ENV.log_level)

LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "core:login"
# Password sign-in throttling (core.services.log_in): from the 5th failure for one user name from one address
# that pair waits 30 s, then twice as long after each further failure (at most the window); 20 failures from
# one address lock the address. A third party cannot lock a user out from the user's own address.
LOGIN_THROTTLE = {"per_user_address": 5, "first_delay_seconds": 30, "per_ip": 20, "window_seconds": 15 * 60}
# Paths that authenticate themselves (the API answers 401 as JSON) and so skip the login redirect.
LOGIN_NOT_REQUIRED_PREFIXES = ("/api/",)
API_PREFIX = "/api/"  # every error answer under it is JSON (core.middleware.ApiErrorsAsJsonMiddleware)

# Content-Security-Policy (core.middleware): no inline script or style anywhere, so htmx is configured by its
# <meta name="htmx-config"> tag and every style lives in core/static/core/opencsms.css.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins
# Behind a TLS-terminating reverse proxy, Django sees plain HTTP; the proxy's X-Forwarded-Proto says whether
# the client used HTTPS. Trust that header ONLY when the operator says a proxy sets it (and strips the
# client's own): otherwise any client could claim HTTPS. The same switch trusts X-Forwarded-For for the
# client address that sign-in throttling counts (the last address, the one the proxy added).
BEHIND_TLS_PROXY = ENV.behind_tls_proxy
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Sessions end after OPENCSMS_SESSION_IDLE_MINUTES without a request (8 hours by default); a request renews
# the expiry, at most once a minute (core.middleware.SessionIdleMiddleware).
SESSION_COOKIE_AGE = ENV.session_idle_minutes * 60
SESSION_RENEW_SECONDS = 60
# OPENCSMS_REQUIRE_TOTP: superusers and administrators sign in with a second factor (core.second_factor).
REQUIRE_TOTP = ENV.require_totp
# Single sign-on through OpenID Connect (core.oidc; docs/web.md "Single sign-on"): off without an issuer.
OIDC = {
    "issuer": ENV.oidc_issuer,
    "client_id": ENV.oidc_client_id,
    "client_secret": ENV.oidc_client_secret.get_secret_value(),
    "create_users": ENV.oidc_create_users,
    "button_label": ENV.oidc_button_label,
    "only": ENV.oidc_only,
    "superuser_password": ENV.oidc_superuser_password,
    "base_url": ENV.base_url,
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

if ENV.is_production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
