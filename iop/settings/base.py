"""Settings shared by every environment.

The environment is read once, here; ``test.py`` and ``production.py`` only override.
Every variable read through ``env`` is recorded in ``ENV_VARS_READ`` so that a test can
prove that docker-compose.yml sets nothing the settings ignore.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

ENV_VARS_READ: set[str] = set()


class RecordingEnv(environ.Env):
    def get_value(self, var, *args, **kwargs):
        ENV_VARS_READ.add(var)
        return super().get_value(var, *args, **kwargs)


env = RecordingEnv()

DEBUG = env.bool("DEBUG", default=False)
# The development key only works with DEBUG on; production.py refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-iop-stod-development-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "django_celery_beat",
    "csp",
    "axes",  # login lockout (issue 12)
    "iop",
    "partners",
    "agreements",
    "decisions",
    "followups",
    "finance",
    "oversight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "iop.audit.AuditMiddleware",  # audit log (issue 12): 403s and downloads
    "iop.middleware.headers.SecurityHeadersMiddleware",
    "iop.session_timeout.SessionTimeoutMiddleware",  # idle and absolute end (issue 12)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks (issue 12)
]

ROOT_URLCONF = "iop.urls"
WSGI_APPLICATION = "iop.wsgi.application"

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
                "iop.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'iop.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web server, worker) share the embedded database: wait for locks
    # instead of failing, and take the write lock at BEGIN so transactions do not deadlock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # issue 12 (ASVS V2.1.1)
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "logged_out"

# Swedish public sector: Swedish UI, Swedish time, Swedish formats.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["iop.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Stored files are served only through the checked view at this URL (partners.files), never
# from MEDIA_ROOT directly: no environment serves the directory.
MEDIA_URL = "/filer/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# --- protected files (issue 12)
# With a path here (e.g. "/protected-media/"), a checked download answers with an empty body
# and X-Accel-Redirect: <path><file's name>, and the web server sends the file from an
# `internal` location aliased to MEDIA_ROOT (README: Deploying). Empty: Django sends it.
FILE_SERVE_ACCEL_REDIRECT = env.str("FILE_SERVE_ACCEL_REDIRECT", default="")
STORAGES = {
    # A file saved in a transaction that rolls back is removed again (partners.storage).
    "default": {"BACKEND": "partners.storage.TransactionalFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded documents: the largest file a user may upload, in bytes.
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=20 * 1024 * 1024)

# E-mail: a file per message under var/mail by default, SMTP (or anything else) when EMAIL_URL is set.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default=f"filemail://{VAR_DIR / 'mail'}")
if EMAIL_CONFIG.get("EMAIL_FILE_PATH"):
    # django-environ drops the leading "/" of filemail:///an/absolute/path: put it back, or the
    # files land under the working directory.
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = "/" + EMAIL_CONFIG["EMAIL_FILE_PATH"].lstrip("/")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="IOP-stöd <iop-stod@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address users reach the application at, for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# The cache: each process's memory by default; Redis (redis://…, Django's own backend) in
# production, so that every web worker serves the public register from one copy.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# How long the public register's open data is kept in the cache, and by browsers and proxies
# (Cache-Control: max-age), in seconds: a crawler never reaches the database more often.
PUBLIC_REGISTER_CACHE_SECONDS = env.int("PUBLIC_REGISTER_CACHE_SECONDS", default=600)

# Celery: Redis in production; kombu's filesystem transport when nothing else is configured,
# so that a first run needs no server at all.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # Exchange tables; kombu would otherwise create "control/" in the working directory.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = env.str(
    "CELERY_BEAT_SCHEDULER", default="django_celery_beat.schedulers:DatabaseScheduler"
)

# --- faults (issue 12)
# A save must not hang on a broker that is down: connect and publish give up quickly, and
# the task waits in the outbox (iop.services.outbox, re-sent every minute) instead.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 10}
# A worker process that dies in the middle of a task (SIGKILL, out of memory): the message
# goes back to the queue for another worker (acks late), and the tasks are idempotent.
CELERY_TASK_REJECT_ON_WORKER_LOST = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Authentication and sessions (issue 12) ---------------------------------------------------
# OWASP ASVS V2/V3. Password logins pass django-axes first (it refuses a locked-out username or
# address), then the staff check (iop.auth_backends: an active user with a role, or a superuser).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "iop.auth_backends.StaffBackend",
]
# Argon2id at OWASP's parameters (iop.hashers); older hashes are rewritten at the next login.
PASSWORD_HASHERS = [
    "iop.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# 20 wrong passwords for one username, or from one address, lock it for 30 minutes; the
# IOP coordinator lifts a lock at /konto/sparrade/, a superuser in the admin too.
AXES_FAILURE_LIMIT = 20
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
# Attempts while locked are refused unchecked and do not push the end of the lock further.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "iop.views.account.locked_out"
AXES_CLIENT_IP_CALLABLE = "iop.auth_backends.client_ip"
# The reverse proxies in front of the application that append to X-Forwarded-For (0: none,
# REMOTE_ADDR is the client). Behind one proxy set 1, or every login shares its address.
REVERSE_PROXY_COUNT = env.int("REVERSE_PROXY_COUNT", default=0)
# Sessions end 30 minutes after the last activity, and SESSION_COOKIE_AGE (8 h) after login
# whatever happens (iop.session_timeout); pages warn two minutes before.
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_TIMEOUT_WARNING = 2 * 60
# Single sign-on with the region's OpenID Connect provider (iop.oidc, README "Single sign-on").
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile groups")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
# {"the provider's group": "our role group (iop.constants.Role)", …}
OIDC_GROUP_ROLE_MAP = env.json("OIDC_GROUP_ROLE_MAP", default={})
OIDC_GROUPS_CLAIM = "groups"
OIDC_USE_PKCE = True
LOGIN_REDIRECT_URL_FAILURE = "/konto/logga-in/?sso=failed"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("iop.oidc.IopOIDCBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- audit log (issue 12) ----------------------------------------------------------------------
# Logins, refusals, lockouts, exports and downloads (iop.services.audit): one JSON object per line
# in AUDIT_LOG_FILE, rotated by size, and one row in the database, read in the admin. Not passed
# on to the console: the personal data stays in these two places.
AUDIT_LOG_FILE = env.str("AUDIT_LOG_FILE", default=str(VAR_DIR / "log" / "audit.jsonl"))
Path(AUDIT_LOG_FILE).parent.mkdir(parents=True, exist_ok=True)
LOGGING["formatters"] = {
    "audit_json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(levelname)s %(message)s",
        "timestamp": True,
        "json_ensure_ascii": False,
    }
}
LOGGING["handlers"]["audit_file"] = {
    "class": "logging.handlers.RotatingFileHandler",
    "filename": AUDIT_LOG_FILE,
    "maxBytes": 10 * 1024 * 1024,
    "backupCount": 20,
    "encoding": "utf-8",
    "delay": True,
    "formatter": "audit_json",
}
LOGGING["handlers"]["audit_db"] = {"class": "iop.audit.AuditDatabaseHandler"}
LOGGING["loggers"]["iop.audit"] = {
    "handlers": ["audit_file", "audit_db"],
    "level": "INFO",
    "propagate": False,
}

# --- Security headers (issue 12) ---------------------------------------------------------------
# Every environment, not only production: what the tests and the browser tests see is what runs.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# django-csp 4: no inline script or style anywhere (templates use classes in static/css; htmx
# is configured in base.html not to inject its indicator <style> nor to eval). The one inline
# <style> allowed is one carrying this response's nonce (the portfolio's pygal charts): the
# nonce appears in the header only on a page that used request.csp_nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features the application never uses: off for it and for anything it embeds
# (iop.middleware.headers).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Django admin's address: a less guessable path than /admin/ keeps scanners off its login.
ADMIN_URL = env.str("ADMIN_URL", default="admin/")

# --- Uploads (issue 12) ------------------------------------------------------------------------
# A request body is read into memory up to these sizes; larger files go to a temporary file,
# and partners.uploads.SizeLimitUploadHandler stops any file past MAX_UPLOAD_SIZE while it is
# still arriving, so an oversized POST never fills the disk. The web server in front sets the
# same bound (nginx: client_max_body_size).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB of form fields (files not counted)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "partners.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Accessibility statement (issue 12) ---------------------------------------------------------
# Where /tillganglighet/ (iop.views.accessibility) tells people to report accessibility problems:
# the public body's own address (a deployment sets it in its settings module).
ACCESSIBILITY_CONTACT_EMAIL = "tillganglighet@example.se"
