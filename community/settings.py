"""Settings for Rencontres. Every value comes from the environment, with development defaults.

See the README's "Configuration" section for the variables.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from community.db import database_config

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "true")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "development-only-secret-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "community.apps.SecondFactorAdminConfig",  # django.contrib.admin, behind a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sites",
    "django.contrib.humanize",  # allauth.mfa's list of passkeys
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    "community",
    "events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, which serves static files compressed ahead of time, before reaching it.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "community.middleware.RefuseControlCharactersMiddleware",
    # Staff and organisers without a second factor are sent to set one up (community/mfa.py).
    "community.mfa.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "community.urls"
WSGI_APPLICATION = "community.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.context_processors.chrome_urls",
                "events.context_processors.chrome",
            ],
        },
    },
]

# Connections: every process (gunicorn worker, job worker, manage.py command) keeps a pool of
# at most DATABASE_POOL_SIZE. Under gunicorn each query is limited to DATABASE_STATEMENT_TIMEOUT
# seconds (community/wsgi.py sets it; commands such as migrate or seed_scale run unbounded).
DATABASE_POOL_SIZE = envint("DATABASE_POOL_SIZE", "4")
DATABASE_STATEMENT_TIMEOUT = envint("DATABASE_STATEMENT_TIMEOUT", "0")
if DATABASE_POOL_SIZE < 1 or DATABASE_STATEMENT_TIMEOUT < 0:
    raise ImproperlyConfigured(
        "DATABASE_POOL_SIZE must be 1 or more and DATABASE_STATEMENT_TIMEOUT 0 or more."
    )
DATABASES = {
    "default": database_config(
        BASE_DIR,
        os.environ.get("DATABASE_URL"),
        pool_size=DATABASE_POOL_SIZE,
        statement_timeout=DATABASE_STATEMENT_TIMEOUT,
    )
}
# The connection budget (community/checks.py): APP_SERVERS machines or containers each run
# WEB_CONCURRENCY gunicorn workers (gunicorn reads the same variable), and JOB_WORKERS
# `db_worker` processes run in all; every one of them may open DATABASE_POOL_SIZE connections.
APP_SERVERS = envint("APP_SERVERS", "1")
WEB_CONCURRENCY = envint("WEB_CONCURRENCY", "1")
JOB_WORKERS = envint("JOB_WORKERS", "1")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache that every worker and server shares: allauth's rate limits live here, and a
# per-process memory cache would multiply them by the number of workers. It also holds the
# data version that keys the fragments below (events/cache.py).
# `fragments`: rendered parts of the public pages. In each worker's memory by default (a
# read costs microseconds; the shared version keeps every worker up to date); in Redis when
# there is one, so that workers and servers render each fragment once.
# `local`: each worker's own memory. What it holds never goes stale: the chrome's URLs (they
# change only with a deploy) and, in front of a Redis `fragments`, the fragments this worker
# read (their keys carry the data version, so a key's content never changes).
LOCAL_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "rencontres-local",
    # Members' pages are ~50 KB: a worker keeps at most ~75 MB of them, the oldest third
    # dropped when full.
    "OPTIONS": {"MAX_ENTRIES": 1500},
}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "community.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
        },
        "fragments": {
            "BACKEND": "community.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fragments",
        },
        "local": LOCAL_CACHE,
    }
    # Sessions are read from Redis and written through to PostgreSQL (nothing lost when Redis
    # restarts): a member's page costs no session query. Without Redis the shared cache is
    # PostgreSQL itself, and plain database sessions cost the same.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "rencontres_cache",
        },
        "fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "rencontres-fragments",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
        "local": LOCAL_CACHE,
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "community.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "events:home"

# django-allauth: email login, mandatory verification, no account enumeration.
ACCOUNT_LOGIN_METHODS = {"email"}
# The username (the profile URL) is optional: left empty, it is made from the display name.
ACCOUNT_SIGNUP_FIELDS = ["email*", "username", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "community.forms.SignupForm"
ACCOUNT_FORMS = {
    "login": "community.account_forms.LoginForm",
    "signup": "community.account_forms.SignupForm",
}
# Changing the email address or password asks for the password again (a stolen session is
# not enough), and the old address hears of every change made to the account.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
# A member locked out by the per-address limit on failed passwords can still get in with a
# code sent to their email address.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# Account emails go through the site's one mail path (community/mail.py).
ACCOUNT_ADAPTER = "community.adapters.AccountAdapter"
# A second factor (allauth.mfa): an authenticator app (TOTP), passkeys (WebAuthn: checked by
# fido2 on the server, allauth's own static script in the browser, no outside request) and
# recovery codes, for every member who wants one; staff and organisers must have one
# (community/mfa.py). Passkeys work on HTTPS, and on http://localhost with DEBUG.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Rencontres"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# allauth refuses by default a new email address on an account with a second factor, lest
# someone sign up with another's address unverified and lock its owner out with MFA. Here no one
# logs in before confirming their address (ACCOUNT_EMAIL_VERIFICATION = "mandatory"), so
# organisers, who must have a second factor, may still change their address.
MFA_ALLOW_UNVERIFIED_EMAIL = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    "change_email": "1/m/user",
}

# Background jobs (sending email, fetching URLs) are stored in PostgreSQL and run by
# `manage.py db_worker` processes, so a slow or failing outside service never holds a request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Fetching outside pages (identity checks, other calendars, webmentions) goes through
# `community/fetch.py`, which refuses every address that is not public. The test suite lists
# loopback here to reach its own local servers; production leaves it empty, and no
# environment variable can change it.
FETCH_ALLOWED_TEST_NETWORKS: list[str] = []

# Members going get a reminder this many hours before the start (waitlisted members a note on
# where they stand); `manage.py send_due_reminders` from cron catches any the queue missed.
REMINDER_HOURS_BEFORE = envint("REMINDER_HOURS_BEFORE", "24")
if REMINDER_HOURS_BEFORE <= 0:
    raise ImproperlyConfigured("REMINDER_HOURS_BEFORE must be a number of hours above 0.")

# Email: the console in development, SMTP from the environment in production.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Rencontres <noreply@rencontres.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": envint("EMAIL_PORT", "587"),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", "true"),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names whatever DEBUG says, so that `collectstatic` always writes the
    # manifest production needs. With DEBUG on, `{% static %}` gives the plain names and
    # WhiteNoise serves them from the sources (its finders and autorefresh follow DEBUG).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The one upload limit (contact imports): the size of one file, and of a request's form fields.
# Files are kept in memory; bytes past the limit are read and dropped by the handler, so the
# form can refuse the file with a message whatever the request's Content-Length claims.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES
FILE_UPLOAD_HANDLERS = ["community.uploads.LimitedUploadHandler"]

# Content Security Policy: everything comes from this site; no inline script.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
BEHIND_HTTPS_PROXY = envbool("BEHIND_HTTPS_PROXY", "false")
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Rate limits count per client address. Behind reverse proxies every request comes from the
# proxy, so the client is the address the last of TRUSTED_PROXY_COUNT proxies appended to
# X-Forwarded-For (an address the client wrote itself further left is never believed).
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "1" if BEHIND_HTTPS_PROXY else "0")
# HTTPS only, once the site is served over TLS: redirect plain HTTP (except the health check,
# which the proxy or orchestrator may call over HTTP) and tell browsers to stay on HTTPS.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HSTS_INCLUDE_SUBDOMAINS", "true")
SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD", "false")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Uploaded media (members' photos, see community/photos.py), in the `default` storage: a
# `media/` folder of the checkout unless an S3-compatible bucket is configured. Their names are
# content hashes, so whatever serves MEDIA_URL (Django from the folder, the reverse proxy in
# front of it, or the bucket) may send `Cache-Control: public, max-age=31536000, immutable`.
MEDIA_S3_VARIABLES = (
    "MEDIA_S3_BUCKET",
    "MEDIA_S3_ACCESS_KEY_ID",
    "MEDIA_S3_SECRET_ACCESS_KEY",
    "MEDIA_S3_ENDPOINT_URL",
    "MEDIA_S3_REGION",
)


def media_config(environ) -> tuple[str, dict | None]:
    """MEDIA_URL, and the bucket's storage options (None: the filesystem)."""
    s3 = {name: environ.get(name, "").strip() for name in MEDIA_S3_VARIABLES}
    url = environ.get("MEDIA_URL", "").strip()
    if not any(s3.values()):
        url = url or "/media/"
        if not (url.startswith("/") and url.endswith("/")):
            raise ImproperlyConfigured(f"MEDIA_URL must be a path like /media/, not {url!r}.")
        return url, None
    for name in ("MEDIA_S3_BUCKET", "MEDIA_S3_ACCESS_KEY_ID", "MEDIA_S3_SECRET_ACCESS_KEY"):
        if not s3[name]:
            raise ImproperlyConfigured(f"{name} must be set to store media in a bucket.")
    address = urlsplit(url)
    if address.scheme not in ("https", "http") or not address.netloc or not url.endswith("/"):
        raise ImproperlyConfigured(
            "MEDIA_URL must be the bucket's public address, like https://media.example/ "
            f"(with the final slash), to store media in a bucket, not {url!r}."
        )
    return url, {
        "bucket_name": s3["MEDIA_S3_BUCKET"],
        "access_key": s3["MEDIA_S3_ACCESS_KEY_ID"],
        "secret_key": s3["MEDIA_S3_SECRET_ACCESS_KEY"],
        "endpoint_url": s3["MEDIA_S3_ENDPOINT_URL"] or None,
        "region_name": s3["MEDIA_S3_REGION"] or None,
        # Public, unsigned addresses under MEDIA_URL: a signed one would change at every page.
        "querystring_auth": False,
        "custom_domain": address.netloc + address.path.rstrip("/"),
        "url_protocol": f"{address.scheme}:",
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }


MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "").strip() or BASE_DIR / "media")
MEDIA_URL, _media_bucket = media_config(os.environ)
if _media_bucket:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _media_bucket}
    # Pages show the photos from the bucket's address.
    _media_origin = urlsplit(MEDIA_URL)._replace(path="", query="", fragment="").geturl()
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], _media_origin]
