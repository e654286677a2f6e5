"""Two blogsite instances on 127.0.0.1 following each other: this test's live server (A, on
localhost) and a second site in a process of its own (B, on 127.0.0.1, with its own
database). An entry published on A reaches B; B's reply lands in A's moderation queue; an
edit on A updates B's copy, and a delete removes it."""

import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment
from social.models import Follower, Following
from tests.factories import EntryFactory
from tests.s3 import free_port

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


class OtherBlog:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = folder / "b.sqlite3"
        keep = ("PATH", "HOME", "LANG", "VIRTUAL_ENV", "SYSTEMROOT")
        self.env = {
            **{name: os.environ[name] for name in keep if name in os.environ},
            "DJANGO_SETTINGS_MODULE": "blogsite.settings",
            "DEBUG": "1",
            "SECRET_KEY": "second-blog-only",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{self.database}",
            "CACHE_URL": f"filecache://{folder / 'cache'}",
            "MEDIA_ROOT": str(folder / "media"),
            "BLOGSITE_STATS_DIR": str(folder / "stats"),
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "BLOGSITE_SITE_URL": self.url,
            "BLOGSITE_FETCH_ALLOW_HOSTS": "127.0.0.1,localhost",
            "BLOGSITE_TITLE": "The other blog",
        }
        self.manage("migrate", "--noinput")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks",
             f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the second blog did not start")

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def rows(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql).fetchall()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def blogs(live_server, settings, tmp_path):
    settings.BLOGSITE_SITE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["*"]
    settings.BLOGSITE_FETCH_ALLOW_HOSTS = ["127.0.0.1", "localhost"]
    other = OtherBlog(tmp_path)
    yield live_server.url, other
    other.stop()


def test_two_blogs_follow_each_other(blogs):
    a, b = blogs
    a_host = a.removeprefix("http://")
    b_host = b.url.removeprefix("http://")

    # B follows A (its command), A follows B (ours); each side accepts the other.
    b.manage("social_follow", f"@blog@{a_host}")
    assert Follower.objects.get().actor.uri == f"{b.url}/social/actor/"
    assert b.rows("SELECT accepted FROM social_following") == [(1,)]
    call_command("social_follow", f"@blog@{b_host}")
    assert Following.objects.get().accepted
    assert b.rows("SELECT count(*) FROM social_follower WHERE state = 'accepted'") == [(1,)]

    # An entry published on A arrives at B.
    entry = EntryFactory(title="Herons", published_at=timezone.now() - timedelta(minutes=1))
    address = a + entry.get_absolute_url()
    assert b.rows("SELECT object_id, name FROM social_receivedpost") == [(address, "Herons")]

    # B answers it: the reply waits in A's moderation queue.
    b.manage("social_reply", address, "Lovely birds.")
    comment = Comment.objects.get()
    assert comment.entry_id == entry.pk and comment.status == "pending"
    assert comment.body == "Lovely birds."
    assert comment.name == "The other blog"

    # An edit on A updates B's copy; deleting the entry removes it.
    entry.title = "Herons at dusk"
    entry.save()
    assert b.rows("SELECT name FROM social_receivedpost") == [("Herons at dusk",)]
    entry.delete()
    assert b.rows("SELECT count(*) FROM social_receivedpost") == [(0,)]
