"""The one settings module: every value comes from the environment.

Local runs read a `.env` file beside manage.py (made by `make install`, never committed).
Without it DEBUG is off, and then SECRET_KEY must be set or start-up stops with a message.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # the local database and cache; never committed
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(for a local run, `make install` writes one into .env with DEBUG=1)."
        )
    SECRET_KEY = "insecure-local-only-key"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

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
    "posts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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

# A cache every worker process shares: files on disk by default, Redis by CACHE_URL.
CACHES = {
    "default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
}

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
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
BLOGSITE_SERVE_MEDIA = env.bool("BLOGSITE_SERVE_MEDIA", default=MEDIA_URL.startswith("/"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

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
