"""Django settings for ChildSafe, all read from environment variables.

Defaults suit a laptop (DEBUG on, SQLite in the data folder). With DEBUG off the
application refuses to start on the demo secret, an empty ALLOWED_HOSTS or a
missing data key. README's configuration table documents every variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from childsafe.lib.env import ConfigError, env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("CHILDSAFE_DATA_DIR", str(BASE_DIR.parent / "data"))).resolve()

# The data folder holds the SQLite database and collected static files.
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
DEMO_SECRET_KEY = "demo-insecure-secret-key-do-not-use-in-production"
# A Fernet key (32 url-safe base64 bytes) for laptops and tests only.
DEMO_DATA_KEY = "ZGVtby1kYXRhLWtleS1kby1ub3QtdXNlLWluLXByb2Q="

SECRET_KEY = env_secret("SECRET_KEY", DEMO_SECRET_KEY)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Comma-separated Fernet keys; the first encrypts, all decrypt (see `childsafe rotate-key`).
CHILDSAFE_DATA_KEYS = env_list("CHILDSAFE_DATA_KEY") or (
    [env_secret("CHILDSAFE_DATA_KEY")] if env_secret("CHILDSAFE_DATA_KEY") else []
)
CHILDSAFE_DEMO = env_bool("CHILDSAFE_DEMO", DEBUG)
# Key of the match digests of offender identifiers (persons of interest); empty means one
# derived from SECRET_KEY. Changing it (or SECRET_KEY, when empty) makes the stored
# digests stop matching, so production sets it once and keeps it.
CHILDSAFE_MATCH_KEY = env_secret("CHILDSAFE_MATCH_KEY", "")

# Blocking (issue 4). Empty block page host: the RPZ answers NXDOMAIN; set, blocked
# names are CNAMEd to it and it serves the block page.
CHILDSAFE_BLOCK_PAGE_HOST = env_str("CHILDSAFE_BLOCK_PAGE_HOST", "")
# The origin of the authority Response Policy Zone (feeds and zone server).
CHILDSAFE_RPZ_ORIGIN = env_str("CHILDSAFE_RPZ_ORIGIN", "authority.rpz.childsafe").rstrip(".")
# The zone server (`childsafe zoneserver`; its options override these). Lists are
# comma-separated; addresses are host:port; keys NAME:ALGORITHM:BASE64SECRET.
CHILDSAFE_ZONE_LISTEN = env_list("CHILDSAFE_ZONE_LISTEN", ["127.0.0.1:5353"])
CHILDSAFE_ZONE_NOTIFY = env_list("CHILDSAFE_ZONE_NOTIFY")
CHILDSAFE_ZONE_TSIG_KEYS = env_secret("CHILDSAFE_ZONE_TSIG_KEYS", "")
CHILDSAFE_ZONE_ALLOW_TRANSFER = env_list("CHILDSAFE_ZONE_ALLOW_TRANSFER")
CHILDSAFE_ZONE_POLL_MS = env_int("CHILDSAFE_ZONE_POLL_MS", 150)
# Zone servers the web app sends a NOTIFY to after each change to the zone (host:port).
CHILDSAFE_ZONESERVER_NOTIFY = env_list("CHILDSAFE_ZONESERVER_NOTIFY")
# The public site's address, "https://host" without a slash: the block page links to the
# reporting page there (it is served on other hosts, so it cannot link relatively).
CHILDSAFE_PUBLIC_URL = env_str("CHILDSAFE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Removal checker (takedown/verify.py): time and size limits of one fetch; private,
# loopback and other non-public addresses are refused unless allowed (tests, a lab).
CHILDSAFE_CHECKER_TIMEOUT_SECS = env_int("CHILDSAFE_CHECKER_TIMEOUT_SECS", 10)
CHILDSAFE_CHECKER_MAX_KB = env_int("CHILDSAFE_CHECKER_MAX_KB", 2048)
CHILDSAFE_CHECKER_ALLOW_PRIVATE = env_bool("CHILDSAFE_CHECKER_ALLOW_PRIVATE", False)


if not DEBUG:
    if SECRET_KEY in ("", DEMO_SECRET_KEY):
        raise ConfigError("SECRET_KEY must be set to a private value when DEBUG is false")
    if not ALLOWED_HOSTS:
        raise ConfigError("ALLOWED_HOSTS must be set when DEBUG is false")
    if not CHILDSAFE_DATA_KEYS or DEMO_DATA_KEY in CHILDSAFE_DATA_KEYS:
        raise ConfigError("CHILDSAFE_DATA_KEY must be set to a private key when DEBUG is false")
    if CHILDSAFE_DEMO:
        raise ConfigError("CHILDSAFE_DEMO must be false when DEBUG is false")
elif not CHILDSAFE_DATA_KEYS:
    CHILDSAFE_DATA_KEYS = [DEMO_DATA_KEY]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "childsafe.core",
    "childsafe.orgs",
    "childsafe.audit",
    "childsafe.reports",
    "childsafe.cases",
    "childsafe.blocklist",
    "childsafe.takedown",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "childsafe.blocklist.middleware.BlockPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "childsafe.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "childsafe.urls"
WSGI_APPLICATION = "childsafe.wsgi.application"
ASGI_APPLICATION = "childsafe.asgi.application"

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
                "childsafe.core.context_processors.site",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'childsafe.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers, which the audit hash chain relies on.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
LOGIN_URL = "orgs-login"
LOGIN_REDIRECT_URL = "core-dashboard"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "childsafe.orgs.views.auth.lockout_response"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "ChildSafe")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["childsafe.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# The cache holds the rate-limit counters. The database cache needs no other service and
# is shared by every web worker (``childsafe createcachetable`` makes its table).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "childsafe_cache",
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 50000)},
    }
}

# Reports: evidence limits and how often one address may submit or look up a status.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 10) * 1024 * 1024
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 5)
REPORT_SUBMIT_RATE_PER_HOUR = env_int("REPORT_SUBMIT_RATE_PER_HOUR", 20)
REPORT_STATUS_RATE_PER_HOUR = env_int("REPORT_STATUS_RATE_PER_HOUR", 60)
# Staff safety: each unblurred evidence view counts this many minutes toward the viewer's
# daily exposure (Asia/Ho_Chi_Minh days); past the warning the page warns, and a view
# that would pass the limit is refused until the next day (5 hours, as the IWF does).
EXPOSURE_MINUTES_PER_VIEW = env_int("EXPOSURE_MINUTES_PER_VIEW", 2)
EXPOSURE_WARN_MINUTES = env_int("EXPOSURE_WARN_MINUTES", 240)
EXPOSURE_LIMIT_MINUTES = env_int("EXPOSURE_LIMIT_MINUTES", 300)
# How many reverse proxies (nginx...) stand in front of the app and append to
# X-Forwarded-For; 0 trusts only the connection's own address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "childsafe@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # httpx logs every request's URL at INFO: the checker's URLs are reported content.
    "loggers": {
        "axes": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
