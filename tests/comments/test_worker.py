"""The real task worker (`manage.py db_worker`) sends a commenter's delete link and, held back
to batch a burst, the author's notice, through a real SMTP server; run again, nothing twice."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from comments.stamps import make_stamp
from tests.conftest import cache_url_env
from tests.factories import EntryFactory, UserFactory
from tests.test_password_reset import Inbox, free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def run_worker(settings, port: int) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the worker shares the test database through its SQLite file")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "BLOGSITE_SITE_URL": "https://blog.example.org",
        **cache_url_env(settings),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_the_worker_mails_the_delete_link_then_one_batched_notice(client, settings, smtp):
    inbox, port = smtp
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.COMMENTS_NOTIFY_DELAY = 3
    entry = EntryFactory(author=UserFactory(email="author@example.org"))
    url = reverse("comments:post", kwargs={"entry_id": entry.pk})
    for number in range(3):
        data = {"name": "Reader", "email": "reader@example.org", "body": f"Thought {number}",
                "stamp": make_stamp(entry.pk, now=time.time() - 60)}  # fmt: skip
        assert client.post(url, data, HTTP_ORIGIN="http://testserver").status_code == 200
    # The comments app's own tasks (the subscribers app queues its check of new entries too).
    paths = DBTaskResult.objects.filter(task_path__startswith="comments.").values_list(
        "task_path", flat=True
    )
    assert sorted(p.rsplit(".", 1)[1] for p in paths) == sorted(
        ["send_delete_link", "notify_authors"] * 3 + ["send_mentions"]
    )  # a delete link and a (held) notice each; the entry's own Webmentions

    run_worker(settings, port)
    assert sorted(m["To"] for m in inbox.messages) == ["reader@example.org"] * 3
    assert "https://blog.example.org/comments/delete/" in inbox.messages[0].get_content()

    time.sleep(3.2)  # the notices' time comes
    run_worker(settings, port)
    notices = [m for m in inbox.messages if m["To"] == "author@example.org"]
    assert len(notices) == 1 and notices[0]["Subject"].startswith("3 comments waiting")
    run_worker(settings, port)
    assert len(inbox.messages) == 4
