import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.conftest import cache_url_env

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "blogsite.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_secret_key_is_required_when_debug_is_off():
    result = run_python("import django; django.setup()", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_allowed_hosts_is_required_when_debug_is_off():
    result = run_python(
        "import django; django.setup()", DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS=""
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_production_settings_start_with_a_secret_key_and_hosts():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="blog.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])"
    )
    result = run_python(code, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]


def test_the_default_cache_is_shared_between_processes(settings):
    assert "locmem" not in settings.CACHES["default"]["BACKEND"].lower()
    key, value = f"cross-process-{uuid.uuid4()}", str(uuid.uuid4())
    result = run_python(
        f"import django; django.setup(); from django.core.cache import cache; "
        f"cache.set({key!r}, {value!r}, 60)",
        **cache_url_env(settings),
    )
    assert result.returncode == 0, result.stderr
    assert cache.get(key) == value
    cache.delete(key)


@pytest.mark.django_db
def test_no_model_changes_lack_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_serving_pages_loads_none_of_the_writing_libraries(tmp_path):
    # Workers that only serve stored pages stay small: Pillow, markdown-it, nh3 and Pygments
    # (9 MB together) load when a picture or an entry is first processed, not before.
    code = (
        "import sys, django; django.setup(); "
        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
        "from django.test import Client; c = Client(); "
        "codes = [c.get(p).status_code for p in ('/', '/tags/', '/feed/', '/nothing/')]; "
        "print(codes); "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'PIL', 'markdown_it', 'nh3', 'pygments', 'mdit_py_plugins'}))"
    )
    result = run_python(
        code,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        BLOGSITE_PAGE_CACHE="0",
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["[200, 200, 200, 404]", "[]"]
