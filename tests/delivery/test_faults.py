"""Faults readers must not see: Redis or PostgreSQL going away, and editors saving at once.

Each test starts servers of its own (a redis-server, a private PostgreSQL cluster on a spare
port, gunicorn) and never touches the shared ones; where a binary is missing it is skipped
with the reason.
"""

import glob
import json
import os
import pwd
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.delivery.test_production import redis_cache, redis_server  # noqa: F401
from tests.factories import EntryFactory
from tests.s3 import free_port

ROOT = Path(__file__).resolve().parents[2]


# Redis: pages render uncached while it is away, and caching resumes when it is back.


@pytest.mark.django_db
def test_page_cache_survives_redis_stopping_and_resumes_without_a_restart(
    client,
    settings,
    redis_server,  # noqa: F811
):
    settings.CACHES = redis_cache(redis_server["port"])
    settings.BLOGSITE_PAGE_CACHE = True
    entry = EntryFactory(title="Still here", tags=["kept"])
    paths = ["/", entry.get_absolute_url(), "/tags/kept/", "/feed/", "/no/such/page/"]
    expected = {path: (404 if "no/such" in path else 200) for path in paths}

    def run(rounds: int) -> list[tuple[int, str]]:
        seen = []
        for _ in range(rounds):
            for path in paths:
                response = client.get(path)
                assert response.status_code == expected[path], (path, response.status_code)
                seen.append((response.status_code, response.headers.get("X-Cache", "")))
        return seen

    before = run(3)
    assert [cache for status, cache in before[len(paths) :] if status == 200] == ["hit"] * 8

    redis_server["process"].kill()
    redis_server["process"].wait()
    away = run(5)
    assert all(status < 500 for status, _ in away)
    assert {cache for status, cache in away if status == 200} <= {"miss", ""}
    assert b"Still here" in client.get("/").content

    redis_server["process"] = redis_server["start"]()
    back = run(3)
    assert [cache for status, cache in back[: len(paths)] if status == 200] == ["miss"] * 4
    assert [cache for status, cache in back[len(paths) :] if status == 200] == ["hit"] * 8


# PostgreSQL: a 503 with Retry-After while it is stopped, and recovery with no restart.


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]


@pytest.fixture(scope="module")
def private_postgres():
    """A throwaway PostgreSQL cluster in a temporary folder, on a spare port."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb)")
    pytest.importorskip("psycopg")
    bin_dir = Path(found[-1]).parent
    if os.geteuid() == 0:
        try:
            postgres_user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run initdb as")
    base = Path(tempfile.mkdtemp(prefix="blogsite-pg-"))
    if os.geteuid() == 0:
        os.chown(base, postgres_user.pw_uid, postgres_user.pw_gid)
    data, port = base / "data", free_port()
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                      "--no-sync", "-E", "UTF8"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"

    def pg_ctl(*args: str) -> None:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"),
                          "-o", options, "-w", *args]),
            check=True, capture_output=True,
        )  # fmt: skip

    pg_ctl("start")
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                         autocommit=True) as admin:  # fmt: skip
        admin.execute("CREATE DATABASE blog")
    try:
        yield {"url": f"postgres://postgres@127.0.0.1:{port}/blog", "pg_ctl": pg_ctl}
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "stop", "-m", "immediate"]),
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def site_environment(database_url: str, **extra) -> dict:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="fault-tests-only",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        BLOGSITE_PLAIN_HTTP="1",
        BLOGSITE_PAGE_CACHE="0",  # every request must reach the database
        CACHE_URL="locmemcache://",
        LOG_LEVEL="ERROR",
        **extra,
    )
    return environment


def manage(environment: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_postgresql_stopped_gives_503_with_retry_after_and_the_site_recovers(private_postgres):
    environment = site_environment(private_postgres["url"])
    manage(environment, "migrate", "-v0")
    code = (
        "from posts.models import Entry; from django.contrib.auth.models import User; "
        "u = User.objects.create(username='w'); "
        "e = Entry.objects.create(title='On PostgreSQL', author=u, status='published'); "
        "e.tags.add('pg'); print(e.get_absolute_url())"
    )
    entry_path = manage(environment, "shell", "-v0", "-c", code).strip()
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "blogsite.wsgi"],
        cwd=ROOT,
        env={**environment, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1",
             "GUNICORN_ACCESS_LOG": "/dev/null"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    pages = ["/", entry_path, "/tags/pg/", "/search/?q=postgresql", "/no/such/page/"]
    stopped = False
    try:
        for _ in range(100):
            try:
                fetch(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        assert [fetch(base + page)[0] for page in pages] == [200, 200, 200, 200, 404]

        private_postgres["pg_ctl"]("stop", "-m", "fast")
        stopped = True
        for page in pages:
            status, headers, body = fetch(base + page)
            assert (page, status, headers.get("Retry-After")) == (page, 503, "30")
            assert b"Traceback" not in body
        status, _headers, body = fetch(base + "/healthz")
        assert status == 503 and json.loads(body)["database"] == "failed"

        private_postgres["pg_ctl"]("start")
        stopped = False
        assert [fetch(base + page)[0] for page in pages] == [200, 200, 200, 200, 404]
        assert server.poll() is None  # the same gunicorn, never restarted
    finally:
        if stopped:
            private_postgres["pg_ctl"]("start")
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


# Two editors saving entries with the same title at the same moment.

SAVE_AT_ONCE = """
import json, sys, time
import django
django.setup()
from django.contrib.auth.models import User
from django.test import Client
start_at, title = float(sys.argv[1]), sys.argv[2]
client = Client()
editor = User.objects.get(username="editor")
client.force_login(editor)
form = {"title": title, "body": "Same moment.", "tags": "race", "cover": "", "excerpt": "",
        "status": "published", "published_at_0": "", "published_at_1": "", "slug": "",
        "bylines-TOTAL_FORMS": 1, "bylines-INITIAL_FORMS": 0, "bylines-0-user": editor.pk,
        "bylines-0-position": 0}
time.sleep(max(0, start_at - time.time()))
try:
    response = client.post("/admin/posts/entry/add/", form)
    errors = response.context["adminform"].form.errors if response.status_code == 200 else {}
    print(json.dumps({"status": response.status_code, "errors": errors}))
except Exception as err:
    print(json.dumps({"status": 500, "errors": repr(err)}))
"""


def save_at_once(environment: dict, editors: int, rounds: int) -> list[dict]:
    code = (
        "from django.contrib.auth.models import User; "
        "User.objects.create_superuser('editor', 'e@example.org', 'x')"
    )
    manage(environment, "shell", "-v0", "-c", code)
    results = []
    for number in range(rounds):
        start_at = time.time() + 2  # every process has started Django by then
        processes = [
            subprocess.Popen([sys.executable, "-c", SAVE_AT_ONCE, str(start_at), f"Race {number}"],
                             cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)
            for _ in range(editors)
        ]  # fmt: skip
        for process in processes:
            out, _ = process.communicate(timeout=60)
            results.append({"round": number, **json.loads(out.strip().splitlines()[-1])})
    return results


def check_saves(environment: dict, results: list[dict], rounds: int) -> None:
    assert [r for r in results if r["status"] not in (200, 302)] == []
    assert [r for r in results if r["status"] == 200 and not r["errors"]] == []
    code = (
        "import json; from posts.models import Entry; "
        "print(json.dumps(list(Entry.objects.values_list('title', 'slug'))))"
    )
    saved = json.loads(manage(environment, "shell", "-v0", "-c", code))
    for number in range(rounds):
        slugs = [slug for title, slug in saved if title == f"Race {number}"]
        stored = [r for r in results if r["round"] == number and r["status"] == 302]
        assert len(slugs) == len(set(slugs)) == len(stored)


def test_editors_saving_the_same_title_at_once_on_sqlite(tmp_path):
    environment = site_environment(
        f"sqlite:///{tmp_path / 'race.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media")
    )
    manage(environment, "migrate", "-v0")
    results = save_at_once(environment, editors=4, rounds=2)
    check_saves(environment, results, rounds=2)


def test_editors_saving_the_same_title_at_once_on_postgresql(private_postgres, tmp_path):
    import psycopg

    url = private_postgres["url"].rsplit("/", 1)[0]
    with psycopg.connect(url + "/postgres", autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS race")
        admin.execute("CREATE DATABASE race")
    environment = site_environment(url + "/race", MEDIA_ROOT=str(tmp_path / "media"))
    manage(environment, "migrate", "-v0")
    results = save_at_once(environment, editors=4, rounds=2)
    check_saves(environment, results, rounds=2)
