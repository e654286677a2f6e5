"""The one settings module: every value comes from the environment.

Local runs read a `.env` file beside manage.py (made by `make install`, never committed).
Without it DEBUG is off, and then SECRET_KEY and ALLOWED_HOSTS must be set or start-up stops
with a message naming what is missing. README.md lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # the local database and cache; never committed
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def required(name: str, local_default):
    """Return a variable that production must set; local runs (DEBUG on) get a default."""
    if env.str(name, default=""):
        return env.list(name) if isinstance(local_default, list) else env.str(name)
    if DEBUG:
        return local_default
    raise ImproperlyConfigured(
        f"{name} is not set. Set the {name} environment variable "
        "(for a local run, `make install` writes a .env with DEBUG=1)."
    )


SECRET_KEY = required("SECRET_KEY", "insecure-local-only-key")
ALLOWED_HOSTS = required("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "markdownx",
    "axes",
    "posts",
]

MIDDLEWARE = [
    # First: a cached page answers before any other middleware runs.
    "posts.cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything looks an address up in the database.
    "posts.security.NulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Inside CommonMiddleware: an old address is answered before APPEND_SLASH guesses.
    "posts.redirects.RedirectMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "posts.security.SecurityHeadersMiddleware",
    "posts.security.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed admin logins and locks out for a while (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

ROOT_URLCONF = "blogsite.urls"
WSGI_APPLICATION = "blogsite.wsgi.application"

# No `loaders` option: Django then uses the cached loader (reloading on change under runserver).
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
                "posts.context_processors.site",
            ],
        },
    },
]

# SQLite by default, tuned for several processes: WAL lets readers run beside a writer,
# IMMEDIATE transactions and a busy timeout turn "database is locked" into a short wait.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'blogsite.sqlite3'}"),
}
# Reuse connections across requests, checking them before use after a restart. SQLite too:
# opening a connection and setting its pragmas was a tenth of an uncached entry page.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000"
            ),
        }
    )

# A cache every worker process shares: files on disk by default, Redis by REDIS_URL.
# With Redis gone, reads miss and writes are dropped (logged), so pages render uncached.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
    }

# The page cache (posts/cache.py): seconds a page is kept at most, and what browsers and
# CDNs are told. A page is never kept past the next scheduled publication.
BLOGSITE_PAGE_CACHE = env.bool("BLOGSITE_PAGE_CACHE", default=True)
BLOGSITE_PAGE_CACHE_TIMEOUT = env.int("BLOGSITE_PAGE_CACHE_TIMEOUT", default=3600)
BLOGSITE_CACHE_MAX_AGE = env.int("BLOGSITE_CACHE_MAX_AGE", default=60)
BLOGSITE_CACHE_S_MAXAGE = env.int("BLOGSITE_CACHE_S_MAXAGE", default=300)
BLOGSITE_CACHE_STALE_WHILE_REVALIDATE = env.int(
    "BLOGSITE_CACHE_STALE_WHILE_REVALIDATE", default=600
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-us")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STATICFILES_STORAGE_BACKEND = "whitenoise.storage.CompressedManifestStaticFilesStorage"

# Uploads on S3-compatible object storage when a bucket is named; on disk otherwise.
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    MEDIA_S3_ENDPOINT_URL = env.str("MEDIA_S3_ENDPOINT_URL", default="")
    MEDIA_S3_CUSTOM_DOMAIN = env.str("MEDIA_S3_CUSTOM_DOMAIN", default="")
    MEDIA_S3_URL_PROTOCOL = env.str("MEDIA_S3_URL_PROTOCOL", default="https:")
    if MEDIA_S3_CUSTOM_DOMAIN:
        _public = f"{MEDIA_S3_URL_PROTOCOL}//{MEDIA_S3_CUSTOM_DOMAIN}/"
    elif MEDIA_S3_ENDPOINT_URL:
        _public = f"{MEDIA_S3_ENDPOINT_URL.rstrip('/')}/{MEDIA_S3_BUCKET}/"
    else:
        _public = f"https://{MEDIA_S3_BUCKET}.s3.amazonaws.com/"
    # MEDIA_URL must be where the files are read from: body pictures are found by it.
    _public = env.str("MEDIA_URL", default=_public)
    MEDIA_URL = _public.rstrip("/") + "/"
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": MEDIA_S3_BUCKET,
                "endpoint_url": MEDIA_S3_ENDPOINT_URL or None,
                "region_name": env.str("MEDIA_S3_REGION", default="") or None,
                # Public pictures at stable addresses: no signed, expiring URLs in pages.
                "querystring_auth": False,
                "file_overwrite": False,
                "default_acl": env.str("MEDIA_S3_ACL", default="") or None,
                "custom_domain": MEDIA_S3_CUSTOM_DOMAIN or None,
                "url_protocol": MEDIA_S3_URL_PROTOCOL,
                "object_parameters": {"CacheControl": "public, max-age=86400"},
            },
        },
        "staticfiles": {"BACKEND": STATICFILES_STORAGE_BACKEND},
    }
else:
    MEDIA_URL = env.str("MEDIA_URL", default="/media/")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": STATICFILES_STORAGE_BACKEND},
    }
BLOGSITE_SERVE_MEDIA = env.bool("BLOGSITE_SERVE_MEDIA", default=MEDIA_URL.startswith("/"))

# HTTPS by default whenever DEBUG is off, behind a proxy that says so in X-Forwarded-Proto.
# BLOGSITE_PLAIN_HTTP=1 opts out, for a local production-like run such as `make serve`.
PLAIN_HTTP = DEBUG or env.bool("BLOGSITE_PLAIN_HTTP", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not PLAIN_HTTP)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not PLAIN_HTTP
SECURE_HSTS_SECONDS = 0 if PLAIN_HTTP else env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The preload flag is a consent only: browsers enforce it once the owner submits the domain.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Django admin is the editor: Markdown preview and image drops go to staff-only views.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "posts.markup.render_markdown"
MARKDOWNX_URLS_PATH = "/admin/posts/entry/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/admin/posts/image/drop/"
MARKDOWNX_SERVER_CALL_LATENCY = 400

TAGGIT_CASE_INSENSITIVE = True

# Blog settings.
BLOGSITE_TITLE = env.str("BLOGSITE_TITLE", default="blogsite")
BLOGSITE_TAGLINE = env.str("BLOGSITE_TAGLINE", default="Notes, code and pictures.")
BLOGSITE_PAGE_SIZE = env.int("BLOGSITE_PAGE_SIZE", default=10)
BLOGSITE_MAX_UPLOAD_MB = env.int("BLOGSITE_MAX_UPLOAD_MB", default=20)
BLOGSITE_MAX_IMAGE_PIXELS = env.int("BLOGSITE_MAX_IMAGE_PIXELS", default=50_000_000)
# The editorial workflow: revisions kept per entry, how long a shared draft link works,
# and the file size over which the pre-publish check calls a picture heavy.
BLOGSITE_REVISIONS_KEEP = env.int("BLOGSITE_REVISIONS_KEEP", default=50)
BLOGSITE_PREVIEW_MAX_AGE = timedelta(days=env.int("BLOGSITE_PREVIEW_MAX_AGE_DAYS", default=7))
BLOGSITE_CHECK_IMAGE_MAX_KB = env.int("BLOGSITE_CHECK_IMAGE_MAX_KB", default=500)
# The embed allowlist: provider keys from posts.embeds.PROVIDERS, each with its host names
# (an empty list keeps the built-in ones). Federated services take your instances' hosts.
BLOGSITE_EMBED_PROVIDERS = {
    key: [] for key in env.list("BLOGSITE_EMBED_PROVIDERS", default=[
        "youtube", "vimeo", "peertube", "speakerdeck", "slideshare", "codepen", "gist",
        "mastodon", "bluesky", "x",
    ])
}  # fmt: skip
for _key, _variable in [
    ("peertube", "BLOGSITE_PEERTUBE_HOSTS"),
    ("mastodon", "BLOGSITE_MASTODON_HOSTS"),
]:
    if _key in BLOGSITE_EMBED_PROVIDERS and env.list(_variable, default=[]):
        BLOGSITE_EMBED_PROVIDERS[_key] = env.list(_variable)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
