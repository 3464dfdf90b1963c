"""Settings, all from the environment (django-environ). Every variable is documented in .env.example.

DJANGO_ENV picks the profile: "production" (the default: secrets required, secure cookies),
"dev" (what `make run` sets: insecure fallbacks, DEBUG) or "test" (what the test suite sets).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu.entity import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="production")
if DJANGO_ENV not in {"production", "dev", "test"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be production, dev or test, not {DJANGO_ENV!r}")
IS_PRODUCTION = DJANGO_ENV == "production"

# Fallbacks exist only outside production, so a forgotten secret fails loudly where it matters.
_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
# A valid Fernet key for dev and tests only; production must set FIELD_ENCRYPTION_KEY.
_DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE="

DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "dev")
SECRET_KEY = env.str("SECRET_KEY") if IS_PRODUCTION else env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
# Comma-separated Fernet keys; the first encrypts, all decrypt (key rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[] if IS_PRODUCTION else [_DEV_FIELD_KEY])
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEY (a Fernet key) to encrypt personal data at rest.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "onboarding.core",
    "onboarding.ocr",
    "onboarding.kyc",
    "onboarding.registration",
    "onboarding.review",
    "onboarding.partners",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "onboarding.urls"
WSGI_APPLICATION = "onboarding.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# With persistent connections (CONN_MAX_AGE > 0) a connection the server dropped (restart, failover,
# pg_terminate_backend) is noticed and replaced before a request or task uses it, instead of failing it.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Parallel writers (each image fetch on a review page is audited) must queue for SQLite's write lock:
    # a deferred transaction that reads and then writes fails at once with "database is locked" instead.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://onboarding")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "registration:login"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")

# Card images are personal data: no MEDIA_URL is served; views stream them after a permission check.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
USE_S3 = env.bool("USE_S3", default=False)
if USE_S3:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A case has two photos; nothing posts more than a handful of files or fields at once.
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# Card images on local disk are readable by the app's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Celery: no broker means tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Eager apply_async still opens a producer; an in-memory transport keeps it off the network.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "ocr", "webhooks")]  # type: ignore[no-untyped-call]
CELERY_TASK_ROUTES = {
    "onboarding.kyc.tasks.*": {"queue": "ocr"},
    "onboarding.partners.tasks.*": {"queue": "webhooks"},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}

# --- OCR
OCR_BACKEND = env.str("OCR_BACKEND", default="local")
if OCR_BACKEND not in {"local", "tencent"}:
    raise ImproperlyConfigured("OCR_BACKEND must be 'local' or 'tencent'")
TENCENTCLOUD_SECRET_ID = env.str("TENCENTCLOUD_SECRET_ID", default="")
TENCENTCLOUD_SECRET_KEY = env.str("TENCENTCLOUD_SECRET_KEY", default="")
TENCENTCLOUD_REGION = env.str("TENCENTCLOUD_REGION", default="ap-guangzhou")
# host[:port] of a Tencent-compatible endpoint; default is Tencent Cloud itself.
TENCENTCLOUD_ENDPOINT = env.str("TENCENTCLOUD_ENDPOINT", default="ocr.tencentcloudapi.com")
TENCENTCLOUD_PROTOCOL = env.str("TENCENTCLOUD_PROTOCOL", default="https")
TENCENTCLOUD_TIMEOUT = env.int("TENCENTCLOUD_TIMEOUT", default=10)
# The self-hosted API 3.0 endpoint.
OCR_API_ALLOW_UNAUTHENTICATED = env.bool("OCR_API_ALLOW_UNAUTHENTICATED", default=False)
OCR_API_RATE_LIMIT_PER_SECOND = env.int("OCR_API_RATE_LIMIT_PER_SECOND", default=20)
OCR_API_MAX_BODY_BYTES = env.int("OCR_API_MAX_BODY_BYTES", default=10 * 1024 * 1024)
OCR_URL_FETCH_ALLOW_LOOPBACK = env.bool("OCR_URL_FETCH_ALLOW_LOOPBACK", default=False)
OCR_URL_FETCH_TIMEOUT = env.float("OCR_URL_FETCH_TIMEOUT", default=3.0)
# -9109 is what the current service answers; set -9100 for clients that expect the older code.
OCR_INVALID_DATE_WARN_CODE = env.int("OCR_INVALID_DATE_WARN_CODE", default=-9109)

# --- KYC rules
KYC_MIN_AGE = env.int("KYC_MIN_AGE", default=18)
KYC_EXPIRING_WITHIN_DAYS = env.int("KYC_EXPIRING_WITHIN_DAYS", default=30)
KYC_MAX_ATTEMPTS_PER_DAY = env.int("KYC_MAX_ATTEMPTS_PER_DAY", default=5)
KYC_IMAGE_RETENTION_DAYS = env.int("KYC_IMAGE_RETENTION_DAYS", default=90)
KYC_STUCK_PROCESSING_MINUTES = env.int("KYC_STUCK_PROCESSING_MINUTES", default=15)
KYC_DRAFT_EXPIRY_DAYS = env.int("KYC_DRAFT_EXPIRY_DAYS", default=7)
KYC_MAX_UPLOAD_BYTES = env.int("KYC_MAX_UPLOAD_BYTES", default=8 * 1024 * 1024)
KYC_MAX_UPLOAD_PIXELS = env.int("KYC_MAX_UPLOAD_PIXELS", default=40_000_000)
KYC_CLAIM_MINUTES = env.int("KYC_CLAIM_MINUTES", default=30)
# The kyc periodic jobs (run by `celery beat`; each is a service in onboarding/kyc/services.py).
CELERY_BEAT_SCHEDULE["kyc-requeue-stuck"] = {
    "task": "onboarding.kyc.tasks.verification_requeue_stuck",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["kyc-expire-stale-drafts"] = {
    "task": "onboarding.kyc.tasks.verification_expire_stale_drafts",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["kyc-purge-images"] = {
    "task": "onboarding.kyc.tasks.verification_purge_images",
    "schedule": 6 * 3600.0,
}

# --- Partner API (onboarding/partners)
PARTNER_API_RATE_LIMIT_PER_SECOND = env.int("PARTNER_API_RATE_LIMIT_PER_SECOND", default=20)
PARTNER_IDEMPOTENCY_TTL_HOURS = env.int("PARTNER_IDEMPOTENCY_TTL_HOURS", default=24)
PARTNER_WEBHOOK_TIMEOUT_SECONDS = env.float("PARTNER_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
PARTNER_WEBHOOK_RETRY_BASE_SECONDS = env.float("PARTNER_WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
PARTNER_WEBHOOK_RETRY_MAX_SECONDS = env.float("PARTNER_WEBHOOK_RETRY_MAX_SECONDS", default=3600.0)
PARTNER_WEBHOOK_GIVE_UP_HOURS = env.float("PARTNER_WEBHOOK_GIVE_UP_HOURS", default=24.0)
# Only for tests and local receivers: accept http://127.0.0.1 / http://localhost webhook URLs.
PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK = env.bool("PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK", default=False)
# Retries are scheduled in the database; this beat entry sends the ones that are due.
CELERY_BEAT_SCHEDULE["partners-deliver-due-webhooks"] = {
    "task": "onboarding.partners.tasks.deliver_due_webhooks",
    "schedule": 30.0,
}

# --- DRF and the OpenAPI schema
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ID-card onboarding partner API",
    "DESCRIPTION": "Verify China resident ID cards: submit both sides, read results, receive webhooks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"WebhookEventEnum": "onboarding.partners.models.WebhookEvent"},
}

# --- Security: production is strict; dev relaxes only what plain http on localhost needs.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=IS_PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=IS_PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = IS_PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from our own static files (no inline <script>, no CDN); inline style attributes are
# allowed because server-rendered SVG charts carry them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in throttling (django-axes) for every page that signs in through django.contrib.auth: the user
# sign-in (/register/login/), the staff sign-in (/review/login/) and the admin. Failures are counted in
# the database (shared by all web processes) per username and client IP together, so one attacker
# cannot lock a user out from elsewhere; a success resets the count. No view knows about it.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as django-axes requires
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "onboarding.core.throttling.login_username"
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
# Behind N reverse proxies that append to X-Forwarded-For, the client is the Nth address from the right.
_LOGIN_PROXY_COUNT = env.int("LOGIN_THROTTLE_PROXY_COUNT", default=0)
if _LOGIN_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = _LOGIN_PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "RapidOCR": {"level": "WARNING"},
    },
}
