"""The settings module: every deployment difference comes from environment variables (the REST
API's framework settings live beside it, in servicedesk/api_settings.py).

Defaults are the embedded first run (SQLite, a filesystem Celery broker, emails on the console), so
nothing but Python is needed to try the product. Production sets DATABASE_URL, CELERY_BROKER_URL,
EMAIL_URL, SECRET_KEY and ALLOWED_HOSTS; with DEBUG off there is no default secret.
"""

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from servicedesk.api_settings import REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: F401

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("TESTING", default=False) or "pytest" in sys.modules

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (scripts/run does this for you)."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "accounts",
    "audit",
    "tickets",
    "updates",
    "attachments",
    "saved_replies",
    "billing",
    "incidents",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "sesame",
    "portal",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "vendors",
    "inbound",
    "webhooks",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a parameter: a NUL in the query string is a 400, never a 500.
    "servicedesk.middleware.RefuseNulInQueryString",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (django-otp);
    # then the gate (docs/sign-in.md): enrol first, no page past a missing code.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffSignInGate",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The Content-Security-Policy header (SECURE_CSP below) and where browsers report violations.
    "servicedesk.middleware.ContentSecurityPolicy",
    "django_htmx.middleware.HtmxMiddleware",
    # The dashboard, exports and reports read from the replica when there is a healthy one.
    "servicedesk.replica.ReadFromReplica",
    # Last, as django-axes asks: turns a locked-out sign-in into its "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"
ASGI_APPLICATION = "servicedesk.asgi.application"

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
                # {{ csp_nonce }} for a script that must stay inline (none does today).
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'servicedesk.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A new PostgreSQL connection costs about 14 ms of every request and task on this hardware, so
# connections are kept for a minute (and checked before reuse, so a restarted server costs one
# error-free reconnect, not a failed request). SQLite opens in-process: nothing to keep.
_is_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DATABASES["default"].setdefault(
    "CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if _is_sqlite else 60)
)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# Behind PgBouncer's transaction pooling a server-side cursor can outlive its server connection.
if env.bool("DATABASE_TRANSACTION_POOLING", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# A streaming read replica for the reads that may lag a few seconds (servicedesk/replica.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"].setdefault("CONN_HEALTH_CHECKS", True)
    # Tests read the replica's connection from the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["servicedesk.replica.ReplicaRouter"]
# Tests name the paths they route (their data lives in a transaction the replica cannot see).
REPLICA_READ_PATHS = env.list(
    "REPLICA_READ_PATHS",
    default=[] if TESTING else ["/dashboard/", "/billing/", "/audit/", "/api/v1/audit-log/"],
)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=30)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=5)
if _is_sqlite:
    # WAL lets the web process read while the worker writes; a busy timeout instead of "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # IMMEDIATE: a transaction takes the write lock when it begins, so web, worker and beat
        # queue on the busy timeout instead of failing when a read turns into a write.
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite, the embedded default, builds the
# same index without the extra columns, which is correct, only slower. W039 is the same for the
# promise tally's unique constraint: on SQLite its migration (updates/0013) keeps the plain one.
SILENCED_SYSTEM_CHECKS = ["models.W039", "models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
# django-axes first: it refuses a locked-out sign-in before any password is checked. Sesame signs
# customers in from the one-time link the portal emails them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "sesame.backends.ModelBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Attachments (docs/attachments.md): files under var/media/attachments/, outside the static
    # root and never served by URL (every download goes through the permission check), or an
    # S3-compatible bucket through django-storages when ATTACHMENTS_S3_BUCKET is set.
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            # Tests write to the system's temporary directory, never to var/.
            "location": env.str(
                "ATTACHMENTS_DIR",
                default=str(
                    Path(tempfile.gettempdir()) / "servicedesk-test-attachments"
                    if TESTING
                    else VAR_DIR / "media" / "attachments"
                ),
            ),
            "base_url": None,
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    },
}
if env.str("ATTACHMENTS_S3_BUCKET", default=""):
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("ATTACHMENTS_S3_BUCKET"),
            "endpoint_url": env.str("ATTACHMENTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ATTACHMENTS_S3_REGION", default="") or None,
            "access_key": env.str("ATTACHMENTS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("ATTACHMENTS_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("ATTACHMENTS_S3_PREFIX", default="attachments"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# The limits (docs/attachments.md): per file, per post, per ticket, and refused extensions.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)
ATTACHMENT_MAX_TICKET_BYTES = env.int("ATTACHMENT_MAX_TICKET_BYTES", default=200 * 1024 * 1024)
# A public update's files go with its email while they total at most this; larger ones are
# linked (the link asks the customer to sign in).
ATTACHMENT_EMAIL_MAX_BYTES = env.int("ATTACHMENT_EMAIL_MAX_BYTES", default=2 * 1024 * 1024)
ATTACHMENT_BLOCKED_EXTENSIONS = env.list(
    "ATTACHMENT_BLOCKED_EXTENSIONS",
    default=[
        "exe",
        "com",
        "bat",
        "cmd",
        "msi",
        "msp",
        "scr",
        "pif",
        "cpl",
        "dll",
        "sys",
        "jar",
        "js",
        "jse",
        "vbs",
        "vbe",
        "wsf",
        "wsh",
        "hta",
        "ps1",
        "psm1",
        "sh",
        "app",
        "lnk",
        "reg",
        "iso",
        "apk",
        "deb",
        "rpm",
        "dmg",
        "pkg",
        "appx",
        "msix",
    ],
)
# Counted as each file arrives (attachments.uploads); past the limit the rest is never kept.
FILE_UPLOAD_HANDLERS = [
    "attachments.uploads.AttachmentSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# The cache holds the rate-limit counters (the API's, the sign-in emails'). Every web process
# must share them, or each gunicorn worker would grant its own full allowance: production sets
# CACHE_URL to Redis (e.g. redis://redis:6379/1, Django's built-in Redis backend); the embedded
# default is a file cache under var/, shared by the processes of one machine with no server to
# install. The test suite uses a per-process memory cache.
CACHES = {
    "default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")
    if not TESTING
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# A public update may be 50,000 characters; anything far larger is refused before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

# Email: EMAIL_URL such as smtp://user:pass@host:587/?tls=True; the console by default.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# A hung mail server must not hold a worker past its task time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Service Desk <servicedesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS-only behaviour behind one switch, off by default so plain HTTP on 127.0.0.1 works.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=False)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
if HTTPS_ONLY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_FAILURE_VIEW = "servicedesk.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# A second wall behind escaping: pages show text customers and vendors wrote, and with this policy
# nothing in it can run. Scripts and styles come only from our static files (no inline script,
# handler or style attribute; htmx runs without eval, base.html's htmx-config), nothing may frame
# a page, and the browser reports what it blocked to servicedesk.csp.report. style-src is strict
# too: inline styles were a handful of layout tweaks, now classes in the stylesheets. The API docs
# page has its own relaxed policy (api.urls). docs/security.md explains each directive.
CSP_REPORT_PATH = "/csp-report/"
CSP_REPORT_ENDPOINT = "csp"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "report-uri": [CSP_REPORT_PATH],
    "report-to": [CSP_REPORT_ENDPOINT],
}
# Violation reports logged per minute, all clients together; past that they are counted, not logged.
CSP_REPORTS_LOGGED_PER_MINUTE = env.int("CSP_REPORTS_LOGGED_PER_MINUTE", default=30)

# Celery. The embedded default is kombu's filesystem transport: no server to install.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = VAR_DIR / "broker"
# How often beat queues the promise sweep (and the vendor chases, reminders due at a moment too):
# every few seconds, so a reminder arrives within seconds of its moment; an idle sweep is one
# prepared query and a heartbeat, under a millisecond of CPU (docs/promise-keeper.md, "Reminders
# on the dot").
SWEEP_INTERVAL_SECONDS = env.int("SWEEP_INTERVAL_SECONDS", default=5)
# The backstops that only recover from a crash or a lost task (stored inbound mail not acted on,
# an incident fan-out whose task was lost) need no such haste.
HOUSEKEEPING_INTERVAL_SECONDS = env.int("HOUSEKEEPING_INTERVAL_SECONDS", default=60)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
# At-least-once delivery: a task is acknowledged only after it ran, and re-queued if its worker died.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# What a task prints goes to the log at INFO (Celery's default is WARNING): the console email
# backend prints every email there, and an email sent is not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
# Time limits stay far below the visibility timeout so no healthy task is ever redelivered.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# The promise sweep (DESIGN rule 6). A sweep that could not start within one interval is dropped:
# the next one does its work, so a stalled queue never fills with stale sweeps.
CELERY_BEAT_SCHEDULE: dict = {
    "promise-keeper-sweep": {
        "task": "updates.sweep_promises",
        "schedule": SWEEP_INTERVAL_SECONDS,
        "options": {"expires": SWEEP_INTERVAL_SECONDS},
    },
}
# The promise keeper's outbox: bounded retries with exponential backoff, then a dead letter. An
# email being sent is leased to its worker, which renews the lease every quarter of it while it
# sends; a dead worker stops renewing, so its emails are free again one lease later (not after
# the longest a task may run: a due-soon reminder must not wait past its deadline for a corpse).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=30)
# A queued delivery task not run after this long is presumed lost (Redis restarted) and re-queued.
# Five sweep intervals, but never under a minute: a burst's deliveries may wait in the queue tens
# of seconds behind each other, and queueing them again would only add twins to that queue.
OUTBOX_REQUEUE_FLOOR_SECONDS = 60
OUTBOX_REQUEUE_AFTER_SECONDS = env.int(
    "OUTBOX_REQUEUE_AFTER_SECONDS",
    default=max(5 * SWEEP_INTERVAL_SECONDS, OUTBOX_REQUEUE_FLOOR_SECONDS),
)
# The sweep checks the promises that fell due since its last run for their breach alert, and
# every overdue promise (the backstop for rows imported with a deadline already past) this often.
SWEEP_FULL_RECONCILE_SECONDS = env.int("SWEEP_FULL_RECONCILE_SECONDS", default=3600)
# The dashboard's trends (weeks of promises) are reused this long per period and filters; the
# Now panels are always live. Off in tests, so every figure test sees the data it just wrote.
# Rendered markdown of recent short updates kept per process (0: render every time).
MARKDOWN_CACHE_SIZE = env.int("MARKDOWN_CACHE_SIZE", default=2048)
DASHBOARD_TRENDS_CACHE_SECONDS = env.int(
    "DASHBOARD_TRENDS_CACHE_SECONDS", default=0 if TESTING else 60
)
# Redis redelivers a task not acknowledged within the visibility timeout, so a task still running
# then would run twice; a lease that one hung mail server wait (EMAIL_TIMEOUT) can outlast between
# two renewals would let two workers send one email.
if not CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "Celery time limits must satisfy CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < "
        "CELERY_VISIBILITY_TIMEOUT."
    )
if OUTBOX_LEASE_SECONDS * 3 / 4 <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        "OUTBOX_LEASE_SECONDS must be more than 4/3 of EMAIL_TIMEOUT (the lease is renewed every "
        "quarter of it, and one email may wait EMAIL_TIMEOUT for the mail server)."
    )
# A major incident's fan-out whose task was lost (a restarted broker) is queued again once its
# update is this old and some of its tickets are still waiting for it.
INCIDENT_FAN_OUT_RESUME_SECONDS = env.int("INCIDENT_FAN_OUT_RESUME_SECONDS", default=120)
# New unowned P3/P4 tickets reach the people on triage duty by email in a digest, at most one
# per person this often (checked every sweep interval; P1/P2 are emailed at once).
NOTIFICATION_DIGEST_MINUTES = env.int("NOTIFICATION_DIGEST_MINUTES", default=15)
CELERY_BEAT_SCHEDULE["updates-triage-digests"] = {
    "task": "updates.send_triage_digests",
    "schedule": SWEEP_INTERVAL_SECONDS,
    "options": {"expires": SWEEP_INTERVAL_SECONDS},
}
CELERY_BEAT_SCHEDULE["incidents-resume-fan-outs"] = {
    "task": "incidents.resume_stalled_fan_outs",
    "schedule": HOUSEKEEPING_INTERVAL_SECONDS,
    "options": {"expires": HOUSEKEEPING_INTERVAL_SECONDS},
}
CELERY_BEAT_SCHEDULE["vendors-send-due-chases"] = {
    "task": "vendors.tasks.send_due_chases",
    "schedule": SWEEP_INTERVAL_SECONDS,
    # A sweep that waited a whole interval is superseded by the next one.
    "options": {"expires": SWEEP_INTERVAL_SECONDS},
}

# Email in and out (docs/email.md). Customer emails carry Reply-To the inbound address when set.
INBOUND_EMAIL_ADDRESS = env.str("INBOUND_EMAIL_ADDRESS", default="")
# The IMAP mailbox the poller reads, e.g. imaps://user:pass@host/INBOX (blank: no polling).
INBOUND_EMAIL_URL = env.str("INBOUND_EMAIL_URL", default="")
INBOUND_EMAIL_POLL_SECONDS = env.int("INBOUND_EMAIL_POLL_SECONDS", default=60)
# Where the poller moves a message once it is stored (created when missing; nothing is deleted).
INBOUND_EMAIL_DONE_FOLDER = env.str("INBOUND_EMAIL_DONE_FOLDER", default="Processed")
# Blank: no sender authentication; else the authserv-id of our own mail server's
# Authentication-Results header, which must show dmarc=pass or dkim=pass for the From domain.
INBOUND_TRUSTED_AUTHSERV_ID = env.str("INBOUND_TRUSTED_AUTHSERV_ID", default="")
INBOUND_MAX_MESSAGE_BYTES = env.int("INBOUND_MAX_MESSAGE_BYTES", default=25 * 1024 * 1024)
INBOUND_REOPEN_DAYS = env.int("INBOUND_REOPEN_DAYS", default=7)
# The loop breaker: at most this many emails to one address about one ticket in the window;
# the rest are held back and the ticket says so.
EMAIL_SEND_CAP = env.int("EMAIL_SEND_CAP", default=10)
EMAIL_SEND_CAP_MINUTES = env.int("EMAIL_SEND_CAP_MINUTES", default=10)
if INBOUND_EMAIL_URL:
    CELERY_BEAT_SCHEDULE["inbound-poll-mailbox"] = {
        "task": "inbound.poll_mailbox",
        "schedule": INBOUND_EMAIL_POLL_SECONDS,
        "options": {"expires": INBOUND_EMAIL_POLL_SECONDS},
    }
# Stored messages whose acting failed (a crash between storing and acting) are acted on here.
CELERY_BEAT_SCHEDULE["inbound-act-on-stored"] = {
    "task": "inbound.act_on_stored",
    "schedule": HOUSEKEEPING_INTERVAL_SECONDS,
    "options": {"expires": HOUSEKEEPING_INTERVAL_SECONDS},
}

# Webhooks (docs/webhooks.md). Comma-separated CIDRs a webhook may reach although internal
# (loopback, private, link-local, shared, unspecified, multicast are refused otherwise).
WEBHOOK_ALLOWED_NETWORKS = env.str("WEBHOOK_ALLOWED_NETWORKS", default="")
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=15)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=3600)
WEBHOOK_GIVE_UP_SECONDS = env.int("WEBHOOK_GIVE_UP_SECONDS", default=24 * 3600)
WEBHOOK_LEASE_SECONDS = env.int("WEBHOOK_LEASE_SECONDS", default=60)
WEBHOOK_SWEEP_SECONDS = env.int("WEBHOOK_SWEEP_SECONDS", default=15)
if WEBHOOK_LEASE_SECONDS * 3 / 4 <= WEBHOOK_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "WEBHOOK_LEASE_SECONDS must be more than 4/3 of WEBHOOK_TIMEOUT_SECONDS (the lease is "
        "renewed every quarter of it, and one delivery may wait WEBHOOK_TIMEOUT_SECONDS)."
    )
# Deliveries due (new, retries, a dead worker's lapsed lease) are taken this often at the latest.
CELERY_BEAT_SCHEDULE["webhooks-deliver-due"] = {
    "task": "webhooks.deliver",
    "schedule": WEBHOOK_SWEEP_SECONDS,
    "options": {"expires": WEBHOOK_SWEEP_SECONDS},
}

# A refused request (403, 404, 400: django.request, django.security) logs one line, not the
# traceback of the exception that refused it; server errors keep their traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "servicedesk.log_filters.OneLineRefusals"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_refusals"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Throttled sign-in (django-axes): five wrong passwords for one email from one address locks that
# pair out for a cool-off, so an attacker cannot lock a whole office out of its accounts. Off in
# the test suite (client.login has no request to throttle); tests of the lockout switch it on.
AXES_ENABLED = env.bool("AXES_ENABLED", default=not TESTING)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "portal.lockout.username_from_request"
AXES_RESET_ON_SUCCESS = True
# The portal's or staff "too many attempts" page, or JSON under /api/ (the token endpoint).
AXES_LOCKOUT_CALLABLE = "servicedesk.errors.locked_out"
AXES_HTTP_RESPONSE_CODE = 429

# Staff sign-in (docs/sign-in.md). Roles that must use two-factor (superusers count as managers;
# empty: nobody must, the v1 behaviour). Wrong codes count under the django-axes lockout above, so
# django-otp's own per-device delay is off: one lockout, per email and client address.
STAFF_2FA_REQUIRED_ROLES = env.list("STAFF_2FA_REQUIRED_ROLES", default=["manager"])
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Service desk")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Single sign-on for staff with OpenID Connect (mozilla-django-oidc; docs/sign-in.md): on when
# OIDC_RP_CLIENT_ID is set, with the provider's endpoints (its discovery document lists them).
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
OIDC_CALLBACK_CLASS = "accounts.oidc.StaffOIDCCallbackView"
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
# Someone unknown becomes an agent at their first single sign-on (off: a manager adds people).
OIDC_CREATE_USERS = env.bool("OIDC_CREATE_USERS", default=False)
OIDC_REQUIRE_VERIFIED_EMAIL = env.bool("OIDC_REQUIRE_VERIFIED_EMAIL", default=True)
# Provider group -> role, e.g. "sd-managers=manager,sd-agents=agent" (empty: roles stay as set here).
OIDC_GROUP_ROLES = env.dict("OIDC_GROUP_ROLES", default={})
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("accounts.oidc.StaffOIDCBackend")
# A signed-in browser's "last seen" is written at most this often (the sessions page).
SESSION_SEEN_EVERY_SECONDS = env.int("SESSION_SEEN_EVERY_SECONDS", default=300)

# The portal's emailed sign-in link (django-sesame): valid once, for a quarter of an hour.
SESAME_MAX_AGE = env.int("SESAME_MAX_AGE", default=15 * 60)
SESAME_ONE_TIME = True
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 60 * 60)
# Sign-in links and password resets (accounts.throttle): at most this many emails asked for one
# address, and from one client address, per window; counted in the shared cache (CACHE_URL).
SIGN_IN_EMAILS_PER_ADDRESS = env.int("SIGN_IN_EMAILS_PER_ADDRESS", default=3)
SIGN_IN_EMAILS_PER_CLIENT = env.int("SIGN_IN_EMAILS_PER_CLIENT", default=3)
SIGN_IN_EMAILS_WINDOW_MINUTES = env.int("SIGN_IN_EMAILS_WINDOW_MINUTES", default=15)
# The REST API (api/): its framework settings are in servicedesk/api_settings.py.
API_MAX_BODY_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE
# Time and billing (docs/billing.md): an entry's author may change it this many days after
# creating it (then only managers, with a reason); every amount is in this one currency.
TIME_EDIT_DAYS = env.int("TIME_EDIT_DAYS", default=7)
BILLING_CURRENCY = env.str("BILLING_CURRENCY", default="EUR")
# Whether an organisation admin contact sees their own organisation's amount of the month (the
# portal and the usage API); never other customers' rates or amounts, never entry notes.
PORTAL_SHOWS_AMOUNTS = env.bool("PORTAL_SHOWS_AMOUNTS", default=False)
