import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import settings as hypothesis_settings

from posts.editorial.roles import AUTHOR, EDITOR, setup_roles
from tests.factories import StaffFactory, UserFactory

# Hypothesis fails an example that takes over 200 ms: a timed test, which a shared 2-core
# machine fails at random (two did, at 400 ms, while other suites ran). Speed is measured
# in bench/, not here.
hypothesis_settings.register_profile("blogsite", deadline=None)
hypothesis_settings.load_profile("blogsite")


def pytest_report_header(config) -> list[str]:
    """Say which database and cache this pass runs on."""
    from django.conf import settings

    database, cache = settings.DATABASES["default"], settings.CACHES["default"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    backend = cache["BACKEND"].rsplit(".", 1)[-1]
    where = database.get("HOST") or database["NAME"]
    return [f"blogsite: database {engine} ({where}), cache {backend} ({cache.get('LOCATION', '')})"]


@pytest.fixture(scope="session", autouse=True)
def static_manifest():
    """Collect static files once a run, so pages render through whitenoise's hashed names."""
    call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture(scope="session")
def test_cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_file_cache(settings, test_cache_dir):
    """Keep the tests' file cache apart from the developer's var/cache (Redis passes keep DB 15)."""
    default = settings.CACHES["default"]
    if default["BACKEND"].endswith("FileBasedCache"):
        settings.CACHES = {"default": {**default, "LOCATION": str(test_cache_dir)}}


def cache_url_env(settings) -> dict:
    """The environment a subprocess needs to share this test's cache."""
    default = settings.CACHES["default"]
    if default["BACKEND"].endswith("FileBasedCache"):
        return {"CACHE_URL": f"filecache://{default['LOCATION']}"}
    return {}


def database_url() -> str:
    """Return the address of this test run's database, for a process of its own to use."""
    from urllib.parse import quote

    from django.db import connection

    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    login = quote(database.get("USER") or "")
    if database.get("PASSWORD"):
        login += ":" + quote(database["PASSWORD"])
    host = f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"
    return f"postgres://{login}@{host}/{database['NAME']}"


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    """Tests see fresh pages; tests/test_cache.py turns the page cache on where it is tested."""
    settings.BLOGSITE_PAGE_CACHE = False


@pytest.fixture(autouse=True)
def fresh_site_frame(isolated_file_cache):
    """Start each test under a content version of its own whose frame is the environment's,
    as a fresh database's is: no test sees another's menu, and none pays to read it.

    A test that edits the settings or the menu commits (django_capture_on_commit_callbacks)
    to see them, as a real save does (posts/delivery/frame.py). After isolated_file_cache:
    in the cache the test uses.
    """
    from posts.delivery.cache import _bump
    from posts.delivery.frame import default_frame, remember_frame

    _bump()
    remember_frame(default_frame())


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Run background tasks inside the test, as they are enqueued (the immediate backend).

    Tests of the worker itself set TASKS back to the database backend and start
    `manage.py db_worker` as a process of its own.
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test users' passwords quickly; real hashing is Django's concern, not ours."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Give every test its own MEDIA_ROOT, so uploads never touch the real one."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def stats_store(settings, tmp_path):
    """Give every test its own statistics store, counted into by a fresh web worker: views
    counted by one test (any page it gets) never reach another's flush, or the real store."""
    from stats import counters

    settings.BLOGSITE_STATS_DIR = tmp_path / "stats"
    counters._worker = None
    yield settings.BLOGSITE_STATS_DIR
    counters._worker = None


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def staff_client(staff):
    """A client logged in as staff, apart from the anonymous `client`."""
    staff_client = Client()
    staff_client.force_login(staff)
    return staff_client


def member_of(role: str, **fields):
    """Return a new staff user in one of the editorial groups (made by setup_roles)."""
    from django.contrib.auth.models import Group

    setup_roles()
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def author(db):
    return member_of(AUTHOR)


@pytest.fixture
def editor(db):
    return member_of(EDITOR)


@pytest.fixture
def author_client(author):
    client = Client()
    client.force_login(author)
    return client


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client
