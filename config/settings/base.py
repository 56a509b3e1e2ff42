"""Settings shared by every environment; each value can come from the environment.

Development defaults let a newcomer run the site with no configuration (SQLite, debug on).
`config.settings.production` refuses to start without the secrets it needs.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-not-secret")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_htmx",
    "csp",
    "axes",
    "core",
    "routemap",
    "organisations",
    "outcomes",
    "milestones",
    "publishing",
    "accounts",
    "subscriptions",
    "editing",
    "sources",
    "partners",
    "public",
    "seeding",
]

MIDDLEWARE = [
    # Outermost: ETag/Last-Modified and 304 Not Modified, for cached and rendered pages alike.
    "django.middleware.http.ConditionalGetMiddleware",
    # Then the public page cache: a page is stored with every header the rest of the stack
    # gives it (security headers, Content-Security-Policy), and a hit skips all of it.
    "config.middleware.PublishedPageCacheMiddleware",
    # Inside the cache, so a page is compressed once, when it is stored.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.PrivateResponsesMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
            "builtins": ["core.templatetags.richtext", "core.templatetags.timestamps"],
        },
    }
]

# Widgets render through the project's template settings, so a widget of ours keeps its
# template beside the others (templates/editing/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # An unreachable server fails a request (and the outage check) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

AUTHENTICATION_BACKENDS = [
    # Counts failed sign-ins and locks out repeated failures before checking the password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a proxy REMOTE_ADDR is the proxy's: lock out the reader's own address instead.
AXES_CLIENT_IP_CALLABLE = "core.client.client_address"

# Public pages are cached until the next publish (core.pagecache) in Django's cache
# framework. The database cache needs no extra service; set REDIS_URL to share a Redis cache
# between servers. Each page takes two entries (Django's list of the headers it varies on,
# then the page), hence room for more than the default 300.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cache_table",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
# Rate-limit counters (core.ratelimit) are kept apart from the page cache, so that a crawl
# filling the page cache cannot evict them.
CACHES["ratelimit"] = {
    **CACHES["default"],
    **(
        {"KEY_PREFIX": "ratelimit"}
        if os.environ.get("REDIS_URL")
        else {"LOCATION": "ratelimit_cache_table", "OPTIONS": {"MAX_ENTRIES": 100_000}}
    ),
}
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", str(60 * 60 * 24)))
# On PostgreSQL each process hears of publishes by LISTEN/NOTIFY on one extra connection, so
# serving a cached page needs no query. Off: read the version from the cache on every request.
PUBLIC_CACHE_LISTEN = os.environ.get("PUBLIC_CACHE_LISTEN", "1") == "1"
# Each process's own copies of the public pages it serves, looked at before the shared cache
# (config.middleware.PublishedPageCacheMiddleware). Two entries a page; pages are mostly
# 5-200 KiB compressed, so the default bounds each process to some tens of MiB.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "public-pages",
    "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PUBLIC_CACHE_LOCAL_ENTRIES", "600"))},
}

# Content Security Policy: scripts only from this site (htmx is configured not to need
# inline script or eval); the design system's CSS uses data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Permissions-Policy: browser features the site never uses are turned off, for this site and
# anything that might ever be embedded in it (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "identity-credentials-get",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    ]
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/edit/"
LOGOUT_REDIRECT_URL = "/"

# A sign-in ends when the browser closes, or after SESSION_IDLE_MINUTES without a request
# (each request restarts the timer), whichever comes first. The session and CSRF cookies carry
# no expiry date, so they never depend on the browser's clock agreeing with the server's.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# The review of a pasted route map page posts three fields per paragraph (section, date as
# written, join) plus the bodies: about 500 for "Where children live", 1,500 for a page three
# times its size. Django's default of 1,000 would refuse such a review with a bare 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_000
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
CSRF_COOKIE_AGE = None

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "route-maps@localhost")

# Where "Hide this page" sends the reader (a neutral site), as on thepromise.scot.
HIDE_PAGE_URL = os.environ.get("HIDE_PAGE_URL", "https://www.bbc.co.uk/weather")

# Proxies in front of the site that append to X-Forwarded-For (0: use REMOTE_ADDR). The
# reader's address (core.client.client_address) keys sign-in lockout and every rate limit.
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS") or "0")

# Confirmation and password-reset emails: at most this many an hour to one recipient, and
# requested from one client address (core.ratelimit).
EMAILS_PER_RECIPIENT_PER_HOUR = int(os.environ.get("EMAILS_PER_RECIPIENT_PER_HOUR", "5"))
EMAILS_PER_CLIENT_PER_HOUR = int(os.environ.get("EMAILS_PER_CLIENT_PER_HOUR", "20"))

# The site's address, for links in emails sent outside a request (publish notifications).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Years covered by Plan 24-30.
PLAN_FIRST_YEAR = 2024
PLAN_LAST_YEAR = 2030
# A milestone or commitment not yet done is "due soon" from this many days before its due date.
DUE_SOON_DAYS = 90

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "forbidden_without_traceback": {"()": "config.logfilters.ForbiddenWithoutTraceback"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # A refused request (403) is one line in the log, not a traceback.
        "django.request": {"filters": ["forbidden_without_traceback"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# A form sent with a missing or stale security token gets a page that explains why.
CSRF_FAILURE_VIEW = "public.views.csrf_failure"
