"""The portal's one settings module; everything that differs between machines comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.utils.translation import gettext_lazy as _

from pilot_portal.storage_config import default_storage_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for operators; the real environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Production is the default: a forgotten variable must never open debug pages.
DEBUG = env.bool("DEBUG", default=False)

# No production default for the key: a portal started without one must fail loudly.
SECRET_KEY = env.str("SECRET_KEY", default="") or ("insecure-development-key-only-for-debug" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    # Before staticfiles so that runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "pilot_portal.apps.AxesConfig",
    # Its system checks catch settings written for django-csp 3, which 4 silently ignores.
    "csp",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "pilots",
    "monitoring",
    "reports",
    "outbox",
    "programme",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files need neither header, and WhiteNoise answers them first.
    "csp.middleware.CSPMiddleware",
    "pilot_portal.security_headers.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sees request.user on the way out; static files (answered by WhiteNoise) never reach it.
    "pilot_portal.security_headers.SignedInNoStoreMiddleware",
    # After authentication, so that a signed-in user's saved language applies on any machine.
    "pilots.middleware.PortalLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pilot_portal.urls"

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
                "pilots.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "pilot_portal.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Transitions rely on atomic requests never being assumed; services open their own transactions.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo server and the test run write from several threads; wait rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "pilots.User"

AUTHENTICATION_BACKENDS = [
    # Throttles repeated failed sign-ins before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The form-expired page in the person's language, not Django's English one.
CSRF_FAILURE_VIEW = "pilots.views.errors.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling, two locks at once, each for 15 minutes after the last failure: five failures
# of one username from one address lock that pair; thirty from one address, whatever the usernames,
# lock the address (one guesser trying many accounts). The address limit is higher because a
# school's staff may share one address behind its router. Axes compares a single limit, so each
# lock's own limit is applied by pilots.sign_in_lock (which also names the lock on the page).
PORTAL_ACCOUNT_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
PORTAL_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_FAILURE_LIMIT = "pilots.sign_in_lock.failure_limit"
AXES_HANDLER = "pilots.sign_in_lock.SignInLockHandler"
AXES_LOCKOUT_CALLABLE = "pilots.sign_in_lock.locked_out"
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind nginx every request comes from the proxy's address, so five wrong passwords from anyone
# would lock that username for everyone. AXES_PROXY_COUNT (environment) is the number of our own
# proxies in front of gunicorn: 1 for one nginx with `X-Forwarded-For $proxy_add_x_forwarded_for`.
# The client is then the entry that many places from the right of X-Forwarded-For (what the
# client itself sends further left is ignored). 0, the default, trusts no header, as it must when
# gunicorn can be reached directly. Axes' own AXES_IPWARE_* settings would need django-ipware,
# which is not installed, so axes is given a small function instead.
PORTAL_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)  # not AXES_PROXY_COUNT: axes reserves that name (W004)
AXES_CLIENT_IP_CALLABLE = "pilot_portal.client_ip.client_ip"

# Languages: Kazakh is the state language and the default; Russian is official; English third.
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# dd.mm.yyyy and a space between thousands, whatever Django's own locale data says.
FORMAT_MODULE_PATH = ["pilot_portal.formats"]
USE_THOUSAND_SEPARATOR = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# The whole country is on UTC+5 since 01.03.2024; the pinned tzdata package knows that.
TIME_ZONE = "Asia/Almaty"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Evidence and reports live here and are only ever served through views that check scope.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# The Institute's PKCS#12 key that signs approved reports (PAdES), and its passphrase; never in the
# repository. Unset, reports are signed with the demonstration key that load_demo makes (docs/signing.md).
REPORT_SIGNING_P12 = env.str("REPORT_SIGNING_P12", default="")
REPORT_SIGNING_PASSWORD = env.str("REPORT_SIGNING_PASSWORD", default="")
REPORT_DEMO_SIGNING_P12 = env.path("REPORT_DEMO_SIGNING_P12", default=BASE_DIR / "var" / "demo-signing.p12")
# Whether the demonstration key may sign when REPORT_SIGNING_P12 is unset: on the demo server, never
# silently in production.
REPORT_SIGNING_ALLOW_DEMO = env.bool("REPORT_SIGNING_ALLOW_DEMO", default=DEBUG)
# Nothing is routed here: files under MEDIA_ROOT go out only through views that check scope.
MEDIA_URL = "/private-files-are-never-served/"
# Unset: files under MEDIA_ROOT. Set (s3://bucket/prefix?endpoint=…&region=…): every file the portal stores
# goes to that private bucket, shared by all web servers and workers; credentials from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY. MEDIA_PRESIGNED_SECONDS > 0: a checked download is redirected to a link to the
# object valid that long, instead of passing through the web server.
MEDIA_STORAGE_URL = env.str("MEDIA_STORAGE_URL", default="")
MEDIA_PRESIGNED_SECONDS = env.int("MEDIA_PRESIGNED_SECONDS", default=0)
# A report is compiled here, on the worker's own disk, before its files are stored.
REPORT_WORK_DIR = env.path("REPORT_WORK_DIR", default=BASE_DIR / "var" / "report-work")
STORAGES = {
    "default": default_storage_config(MEDIA_STORAGE_URL, presigned_seconds=MEDIA_PRESIGNED_SECONDS),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Files are checked for size before they are read; 10 MB plus form overhead.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2.5 * 1024 * 1024
# Larger uploads go to a temporary file that Django would name after the upload's extension (too long → 500).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "pilot_portal.uploads.ShortTemporaryNameUploadHandler",
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: the console by default, so the demo prints what it would send.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# The outbox's sender waits at most this long for the mail server, then tries again later.
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="pilot-portal@localhost")
# Mail is read away from the portal, so its links need the portal's own address.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Where a sent report's cover letter, signed PDF and workbook are mailed as well; unset: not mailed.
REPORT_SEND_EMAIL = env.str("REPORT_SEND_EMAIL", default="")

# Celery: with no REDIS_URL there is no broker, and tasks run in-process so every command works.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# In-process mode only (no REDIS_URL): a task runs in a thread of its own after commit, so a page that
# starts a long compilation answers at once; False runs it inline, before the response.
TASKS_IN_BACKGROUND = env.bool("TASKS_IN_BACKGROUND", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A report's compilation: at the soft limit the task stops itself and the report fails with that
# reason; at the hard limit the worker kills it. A compilation that runs is therefore never older
# than the hard limit, which is what tells a stuck report (its worker died) from a slow one.
# REPORT_HARD_TIME_LIMIT comes from the environment so the worker-kill test can use a short one.
REPORT_HARD_TIME_LIMIT = env.int("REPORT_HARD_TIME_LIMIT", default=12 * 60)
REPORT_SOFT_TIME_LIMIT = REPORT_HARD_TIME_LIMIT * 5 // 6
# The longest wait between two tries of a compilation after a database error.
REPORT_RETRY_BACKOFF_MAX = 5 * 60
# Redis gives a message that was delivered but never acknowledged to another worker after this
# many seconds (Kombu's default is an hour). A compilation acknowledges only when it ends
# (acks_late), so a live task holds its message for at most its longest retry wait plus its hard
# limit: shorter than that, Redis would hand a running compilation to a second worker; much longer,
# and a compilation whose worker was killed would wait an hour for its message to come back.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": REPORT_RETRY_BACKOFF_MAX + REPORT_HARD_TIME_LIMIT + 60}
# How often the beat looks for compilations whose worker stopped (their heartbeat older than the
# hard limit): every minute, more often with a short hard limit, so one is found soon after.
REPORT_STALE_CHECK_SECONDS = min(60, max(5, REPORT_HARD_TIME_LIMIT // 6))
# The beat's schedule, in Asia/Almaty time: mornings, when people are at their desks.
CELERY_BEAT_SCHEDULE = {
    "monitoring-due-reminders": {
        "task": "monitoring.tasks.send_due_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "report-drafts": {
        "task": "reports.tasks.schedule_report_drafts",
        "schedule": crontab(hour=2, minute=0),
    },
    "monitoring-coordinator-digests": {
        "task": "monitoring.tasks.send_coordinator_digests",
        "schedule": crontab(hour=9, minute=30),
    },
    "report-stale-compilations": {
        "task": "reports.tasks.recover_stale_reports",
        "schedule": REPORT_STALE_CHECK_SECONDS,
        # While no worker runs, the checks would pile up in the queue; one fresh check is enough.
        "options": {"expires": REPORT_STALE_CHECK_SECONDS},
    },
}
# How often the beat sweeps the outbox for mail and tasks not yet delivered (a broker that was down).
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["outbox-sweep"] = {
    "task": "outbox.tasks.sweep_outbox",
    "schedule": OUTBOX_SWEEP_SECONDS,
    # A sweep that waited past the next one's turn is redundant: they must not pile up behind a long task.
    "options": {"expires": OUTBOX_SWEEP_SECONDS},
}

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Behind a reverse proxy that terminates TLS; all of these are on unless DEBUG.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): the browser runs only the portal's own script files and
# styles, so text a user typed can never run as script, even if a template forgot to escape it.
# No inline <script>, event handler, javascript: URL or style="" attribute exists in the portal's
# templates (page data travels in json_script and data- attributes; widths set by a script go
# through element.style, which CSP allows). Django's admin, crispy forms and Chart.js need nothing
# more, but for one style attribute (below). img-src allows data: because Bootstrap draws its icons
# (menu, select arrows, checkboxes) as data: SVG in its stylesheet. No nonce is needed, so none is
# issued.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The one inline style in any page: django-simple-history's admin history list writes
        # <p class="paginator" style="border-top: 0">. Allowed by its hash alone, not by
        # 'unsafe-inline', rather than keeping a copy of that package's template.
        "style-src": [SELF, UNSAFE_HASHES, "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy: features the portal never uses, denied to it and to anything it could embed.
# Only names Chromium and Firefox know: an unknown name is an error in the browser's console.
PERMISSIONS_POLICY_DENIED = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]

SILENCED_SYSTEM_CHECKS = [
    # HSTS preload would commit the ministry's whole domain to HTTPS in browsers' lists;
    # that is the domain owner's decision, not this portal's.
    "security.W021",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every layout step of every page at INFO (some 150 lines a report), and fontTools
    # every subset it makes: noise that buries the worker's own lines.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The read API (/api/v1/, the app `api`): a personal token or the signed-in session; read-only; a page by cursor.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_THROTTLE_RATE", default="600/min")},
    # Numbers as JSON numbers, which BI tools read as numbers; the values' two decimals are exact in a float.
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pilot portal API",
    "DESCRIPTION": (
        "Read-only data of the pilot «Ерте жастан еңбекке және кәсіпке баулу»: each request is scoped as the "
        "pages of the token's owner. Send `Authorization: Bearer <token>` (tokens: the portal's page API tokens)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.list_codes"],
}
