"""The one settings module: every value comes from the environment.

Local runs read a `.env` file beside manage.py (made by `make install`, never committed).
Without it DEBUG is off, and then SECRET_KEY and ALLOWED_HOSTS must be set or start-up stops
with a message naming what is missing. README.md lists every variable.
"""

import os
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
    # Django's admin, taggit and axes with the names and grouping set in blogsite/apps.py.
    "blogsite.apps.BlogAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "blogsite.apps.TagsConfig",
    "markdownx",
    "blogsite.apps.SignInSecurityConfig",
    "django_tasks",
    "blogsite.apps.BackgroundTasksConfig",
    "posts",
    "comments",
    "subscribers",
    "stats",
    "social",
]

MIDDLEWARE = [
    # Ahead of the page cache: the statistics beacon answered at once; feed readers noted.
    "stats.middleware.StatsMiddleware",
    # First: a cached page answers before any other middleware runs.
    "posts.delivery.cache.PageCacheMiddleware",
    "comments.middleware.WebmentionLinkMiddleware",
    # Entry addresses answer ActivityPub JSON to the social web (the page cache lets it by).
    "social.middleware.ActivityNegotiationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything looks an address up in the database.
    "posts.delivery.security.NulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Inside CommonMiddleware: an old address is answered before APPEND_SLASH guesses.
    "posts.delivery.redirects.RedirectMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "posts.delivery.security.SecurityHeadersMiddleware",
    "posts.delivery.security.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed admin logins and locks out for a while (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# A lockout holds for one username from one address, so failures from elsewhere never lock
# an editor out. Behind reverse proxies the address is read from X-Forwarded-For, trusting as
# many hops as BLOGSITE_TRUSTED_PROXIES says (posts/delivery/proxy.py); 0 ignores the header.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
BLOGSITE_TRUSTED_PROXIES = env.int("BLOGSITE_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "posts.delivery.proxy.client_address"
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
    # Tests use a file too, not SQLite's in-memory default: Django lends one in-memory
    # connection to the live server's thread and the test's thread at once, and a browser's
    # request answered while the test read the database broke each other's savepoints.
    # One file per test run, so that two runs in one checkout never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
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

# The page cache (posts/delivery/cache.py): seconds a page is kept at most, and what browsers and
# CDNs are told. A page is never kept past the next scheduled publication.
BLOGSITE_PAGE_CACHE = env.bool("BLOGSITE_PAGE_CACHE", default=True)
BLOGSITE_PAGE_CACHE_TIMEOUT = env.int("BLOGSITE_PAGE_CACHE_TIMEOUT", default=3600)
BLOGSITE_CACHE_MAX_AGE = env.int("BLOGSITE_CACHE_MAX_AGE", default=60)
BLOGSITE_CACHE_S_MAXAGE = env.int("BLOGSITE_CACHE_S_MAXAGE", default=300)
BLOGSITE_CACHE_STALE_WHILE_REVALIDATE = env.int(
    "BLOGSITE_CACHE_STALE_WHILE_REVALIDATE", default=600
)
# Addresses per sitemap page: the sitemap protocol's most (posts/delivery/sitemaps.py).
BLOGSITE_SITEMAP_LIMIT = env.int("BLOGSITE_SITEMAP_LIMIT", default=50_000)
# Importers: more generator tags -> Markdown templates, as JSON {"hugo": {...}, "jekyll": {...}}
# (posts/importers/templates.py).
BLOGSITE_IMPORT_SHORTCODES = env.json("BLOGSITE_IMPORT_SHORTCODES", default={})

# Statistics (stats/): views counted in the cache (Redis, or files under BLOGSITE_STATS_DIR),
# moved into daily rows by the task worker every BLOGSITE_STATS_FLUSH_SECONDS; raw counters
# kept BLOGSITE_STATS_RAW_DAYS days. BLOGSITE_STATS_ORIGIN: the app's address, for a
# statically published site served elsewhere. BLOGSITE_STATS_VIEWS: the pages counted.
BLOGSITE_STATS = env.bool("BLOGSITE_STATS", default=True)
BLOGSITE_STATS_DIR = Path(env.str("BLOGSITE_STATS_DIR", default=str(VAR_DIR / "stats")))
BLOGSITE_STATS_RAW_DAYS = env.int("BLOGSITE_STATS_RAW_DAYS", default=7)
BLOGSITE_STATS_FLUSH_SECONDS = env.int("BLOGSITE_STATS_FLUSH_SECONDS", default=60)
BLOGSITE_STATS_ORIGIN = env.str("BLOGSITE_STATS_ORIGIN", default="")
BLOGSITE_STATS_VIEWS = env.list("BLOGSITE_STATS_VIEWS", default=[
    "posts:index", "posts:entry", "posts:tag", "posts:tags", "posts:archive-year",
    "posts:archive-month", "posts:archive", "posts:page", "posts:authors", "posts:author",
    "posts:series-list", "posts:series",
])  # fmt: skip

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# E-mail (staff password resets): printed to the console in local runs (DEBUG on), sent by
# SMTP otherwise. A timeout keeps a request from waiting long on a mail server that hangs.
# Background work (e-mail, Webmentions, statistics) goes through Django's tasks API, by the
# backport of Django 6's django.tasks: moving to Django 6 changes the import lines only.
# The embedded default keeps tasks in the database and `manage.py db_worker` (started by
# `make run` and `make serve`) runs them; another backend by TASKS_BACKEND. The tests run
# them at once (tests/conftest.py).
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": env.list("TASKS_QUEUES", default=["default"]),
    }
}

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends."
    + ("console.EmailBackend" if DEBUG else "smtp.EmailBackend"),
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="blogsite@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# A reset link works for an hour (Django's default is three days); each client address and
# each mailbox may ask for this many links an hour (blogsite/password_reset.py; 0: no limit).
# The admin's is the only login: the reset's last page links to it.
LOGIN_URL = "admin:login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
BLOGSITE_RESET_PER_IP_HOUR = env.int("BLOGSITE_RESET_PER_IP_HOUR", default=10)
BLOGSITE_RESET_PER_ADDRESS_HOUR = env.int("BLOGSITE_RESET_PER_ADDRESS_HOUR", default=3)

# Subscribers (subscribers/): the site's public address for links in mail; sign-up limits
# an hour per client and per address; how long a confirmation link and a form's signed
# timestamp last; extra origins (a static host) whose pages may post the form; delivery's
# batch size, speed (messages a second per worker, 0: no limit), retries and bounces.
BLOGSITE_SITE_URL = env.str("BLOGSITE_SITE_URL", default="http://127.0.0.1:8000")
BLOGSITE_SUBSCRIBE_PER_IP_HOUR = env.int("BLOGSITE_SUBSCRIBE_PER_IP_HOUR", default=10)
BLOGSITE_SUBSCRIBE_PER_ADDRESS_HOUR = env.int("BLOGSITE_SUBSCRIBE_PER_ADDRESS_HOUR", default=3)
BLOGSITE_SUBSCRIBE_CONFIRM_HOURS = env.int("BLOGSITE_SUBSCRIBE_CONFIRM_HOURS", default=48)
BLOGSITE_SUBSCRIBE_MIN_SECONDS = env.float("BLOGSITE_SUBSCRIBE_MIN_SECONDS", default=2.0)
BLOGSITE_SUBSCRIBE_FORM_MAX_AGE_DAYS = env.int("BLOGSITE_SUBSCRIBE_FORM_MAX_AGE_DAYS", default=365)
BLOGSITE_SUBSCRIBE_ORIGINS = env.list("BLOGSITE_SUBSCRIBE_ORIGINS", default=[])
BLOGSITE_SUBSCRIBE_FORM_ACTION = env.str("BLOGSITE_SUBSCRIBE_FORM_ACTION", default="")
BLOGSITE_UNSUBSCRIBE_MAILTO = env.str("BLOGSITE_UNSUBSCRIBE_MAILTO", default="")
BLOGSITE_MAIL_BATCH_SIZE = env.int("BLOGSITE_MAIL_BATCH_SIZE", default=200)
BLOGSITE_MAIL_PER_SECOND = env.float("BLOGSITE_MAIL_PER_SECOND", default=0)
BLOGSITE_MAIL_CONNECTIONS = env.int("BLOGSITE_MAIL_CONNECTIONS", default=4)
BLOGSITE_MAIL_RETRY_SECONDS = env.float("BLOGSITE_MAIL_RETRY_SECONDS", default=60)
BLOGSITE_MAIL_MAX_ATTEMPTS = env.int("BLOGSITE_MAIL_MAX_ATTEMPTS", default=8)
BLOGSITE_MAIL_BOUNCES = env.int("BLOGSITE_MAIL_BOUNCES", default=3)
BLOGSITE_MAIL_STALE_SECONDS = env.int("BLOGSITE_MAIL_STALE_SECONDS", default=300)
BLOGSITE_MAIL_CHECK_SECONDS = env.int("BLOGSITE_MAIL_CHECK_SECONDS", default=60)
BLOGSITE_MAIL_RECENT_HOURS = env.int("BLOGSITE_MAIL_RECENT_HOURS", default=48)

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-us")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STATICFILES_STORAGE_BACKEND = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def _static_headers(headers, path: str, url: str) -> None:
    # Imported when whitenoise first reads the files, once the apps are ready.
    from posts.delivery.security import add_static_headers

    add_static_headers(headers, path, url)


WHITENOISE_ADD_HEADERS_FUNCTION = _static_headers

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
MARKDOWNX_MARKDOWNIFY_FUNCTION = "posts.editorial.live_preview.render_preview"
MARKDOWNX_URLS_PATH = "/admin/posts/entry/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/admin/posts/image/drop/"
MARKDOWNX_SERVER_CALL_LATENCY = 400
# The body grows with its text through CSS (static/posts/admin/editor.css), not markdownx's
# script, which only ever grows it and fixes its height in a style attribute.
MARKDOWNX_EDITOR_RESIZABLE = False

TAGGIT_CASE_INSENSITIVE = True

# Blog settings.
BLOGSITE_TITLE = env.str("BLOGSITE_TITLE", default="blogsite")
BLOGSITE_TAGLINE = env.str("BLOGSITE_TAGLINE", default="Notes, code and pictures.")
BLOGSITE_PAGE_SIZE = env.int("BLOGSITE_PAGE_SIZE", default=10)
BLOGSITE_MAX_UPLOAD_MB = env.int("BLOGSITE_MAX_UPLOAD_MB", default=20)
BLOGSITE_MAX_IMAGE_PIXELS = env.int("BLOGSITE_MAX_IMAGE_PIXELS", default=50_000_000)
# Every picture is decoded and re-encoded in a child process within these bounds; an
# animation counts width x height x frames against BLOGSITE_MAX_IMAGE_PIXELS.
BLOGSITE_MAX_IMAGE_FRAMES = env.int("BLOGSITE_MAX_IMAGE_FRAMES", default=300)
BLOGSITE_IMAGE_CPU_SECONDS = env.int("BLOGSITE_IMAGE_CPU_SECONDS", default=2)
BLOGSITE_IMAGE_MEMORY_MB = env.int("BLOGSITE_IMAGE_MEMORY_MB", default=256)
# The editorial workflow: revisions kept per entry, how long a shared draft link works,
# and the file size over which the pre-publish check calls a picture heavy.
BLOGSITE_REVISIONS_KEEP = env.int("BLOGSITE_REVISIONS_KEEP", default=50)
BLOGSITE_PREVIEW_MAX_AGE = timedelta(days=env.int("BLOGSITE_PREVIEW_MAX_AGE_DAYS", default=7))
BLOGSITE_CHECK_IMAGE_MAX_KB = env.int("BLOGSITE_CHECK_IMAGE_MAX_KB", default=500)
# Rendering bodies (posts/rendering/bounded.py): the largest body an entry may hold, in KB of
# UTF-8; the seconds a render that a request waits on may take (preview, save), so that no
# request holds a worker more than about a second longer; the body size that renders in the
# worker itself (at the worst cost per byte bench/markdown_cost.py measured, well under the
# bound), larger ones in a forked process killed at the deadline; previews a user may ask
# for a minute (the editor asks at most every 0.4 s while typing; 0: no limit).
BLOGSITE_BODY_MAX_KB = env.int("BLOGSITE_BODY_MAX_KB", default=500)
BLOGSITE_RENDER_SECONDS = env.float("BLOGSITE_RENDER_SECONDS", default=4.0)
BLOGSITE_RENDER_INLINE_BYTES = env.int("BLOGSITE_RENDER_INLINE_BYTES", default=32_768)
BLOGSITE_PREVIEW_PER_MINUTE = env.int("BLOGSITE_PREVIEW_PER_MINUTE", default=60)
# Autosaves of the entry form (posts/editorial/autosave.py): how many a user may send a minute
# (the form sends one a few seconds after typing stops and a heartbeat every 30 s; 0: no
# limit), and the days an autosave nobody restored or saved is kept.
BLOGSITE_AUTOSAVE_PER_MINUTE = env.int("BLOGSITE_AUTOSAVE_PER_MINUTE", default=30)
BLOGSITE_AUTOSAVE_KEEP_DAYS = env.int("BLOGSITE_AUTOSAVE_KEEP_DAYS", default=30)
# The embed allowlist: provider keys from posts.rendering.embeds.PROVIDERS, each with its host names
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

# Comments and Webmentions (comments/): the site's public address (for links in e-mails and
# the source of Webmentions sent); comments closed this many days after publication (0:
# never); the spam rules' limits; how long after a burst the author's e-mail is sent.
BLOGSITE_SITE_URL = env.str("BLOGSITE_SITE_URL", default="http://127.0.0.1:8000")
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=90)
COMMENTS_MAX_LENGTH = env.int("COMMENTS_MAX_LENGTH", default=5000)
COMMENTS_MAX_LINKS = env.int("COMMENTS_MAX_LINKS", default=3)
COMMENTS_MIN_SECONDS = env.int("COMMENTS_MIN_SECONDS", default=3)
COMMENTS_MAX_AGE = env.int("COMMENTS_MAX_AGE", default=86400)
COMMENTS_PER_IP_PER_HOUR = env.int("COMMENTS_PER_IP_PER_HOUR", default=10)
COMMENTS_PER_ENTRY_PER_HOUR = env.int("COMMENTS_PER_ENTRY_PER_HOUR", default=60)
WEBMENTIONS_PER_IP_PER_HOUR = env.int("WEBMENTIONS_PER_IP_PER_HOUR", default=60)
COMMENTS_BAD_PATTERNS = env.list(
    "COMMENTS_BAD_PATTERNS",
    default=[
        r"\bviagra\b",
        r"\bcasino\b",
        r"\bpayday loans?\b",
        r"\[url=",
        r"\bcheap \w+ online\b",
    ],
)
COMMENTS_TRUST_EMAIL = env.bool("COMMENTS_TRUST_EMAIL", default=False)
COMMENTS_NOTIFY_DELAY = env.int("COMMENTS_NOTIFY_DELAY", default=300)
COMMENTS_DELETE_LINK_DAYS = env.int("COMMENTS_DELETE_LINK_DAYS", default=30)
# Requests to other sites (outbound/fetch.py): seconds per exchange, KB read at most, and
# hosts exempt from the public-address check (a local test site only).
BLOGSITE_FETCH_TIMEOUT = env.float("BLOGSITE_FETCH_TIMEOUT", default=5.0)
BLOGSITE_FETCH_MAX_KB = env.int("BLOGSITE_FETCH_MAX_KB", default=1024)
BLOGSITE_FETCH_ALLOW_HOSTS = env.list("BLOGSITE_FETCH_ALLOW_HOSTS", default=[])

# The social web (social/, ActivityPub): the blog's handle is @SOCIAL_USERNAME@SOCIAL_DOMAIN
# (the host of BLOGSITE_SITE_URL when blank); authors get handles of their own when
# SOCIAL_AUTHOR_ACTORS is on; follows wait for an editor when SOCIAL_MANUAL_APPROVAL is on;
# the followers' list is public only with SOCIAL_SHOW_FOLLOWERS. Inbox limits: a signature's
# Date may be this many seconds off, activities a minute per server, KB per activity.
# Deliveries are retried for SOCIAL_RETRY_HOURS; only entries published within
# SOCIAL_RECENT_HOURS are sent when they first go out (not a whole archive at install).
SOCIAL_USERNAME = env.str("SOCIAL_USERNAME", default="blog")
SOCIAL_DOMAIN = env.str("SOCIAL_DOMAIN", default="")
SOCIAL_AUTHOR_ACTORS = env.bool("SOCIAL_AUTHOR_ACTORS", default=False)
SOCIAL_MANUAL_APPROVAL = env.bool("SOCIAL_MANUAL_APPROVAL", default=False)
SOCIAL_SHOW_FOLLOWERS = env.bool("SOCIAL_SHOW_FOLLOWERS", default=False)
SOCIAL_SIGNATURE_MAX_AGE = env.int("SOCIAL_SIGNATURE_MAX_AGE", default=300)
SOCIAL_INBOX_PER_MINUTE = env.int("SOCIAL_INBOX_PER_MINUTE", default=120)
SOCIAL_INBOX_MAX_KB = env.int("SOCIAL_INBOX_MAX_KB", default=256)
SOCIAL_ACTOR_REFRESH_HOURS = env.int("SOCIAL_ACTOR_REFRESH_HOURS", default=24)
SOCIAL_RETRY_HOURS = env.int("SOCIAL_RETRY_HOURS", default=24)
SOCIAL_RECENT_HOURS = env.int("SOCIAL_RECENT_HOURS", default=48)
# How often the task worker looks for deliveries due and scheduled entries gone live.
SOCIAL_CHECK_SECONDS = env.int("SOCIAL_CHECK_SECONDS", default=300)
