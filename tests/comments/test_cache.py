"""Approving a comment makes its entry's cached page fresh, in every process, and nothing else."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from comments import moderation
from comments.models import Comment
from tests.factories import EntryFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.BLOGSITE_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


def test_approving_invalidates_the_entry_page_and_nothing_else(
    client, django_capture_on_commit_callbacks
):
    entry, other = EntryFactory(title="Commented"), EntryFactory(title="Quiet")
    comment = Comment.objects.create(entry=entry, name="Ada", body="Waiting words")
    pages = [entry.get_absolute_url(), other.get_absolute_url(), "/"]
    for path in pages:
        assert client.get(path)["X-Cache"] == "miss"
        assert client.get(path)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        moderation.set_status(Comment.objects.filter(pk=comment.pk), Comment.Status.APPROVED)
    response = client.get(entry.get_absolute_url())
    assert response["X-Cache"] == "miss"
    assert "Waiting words" in response.content.decode()
    assert client.get(other.get_absolute_url())["X-Cache"] == "hit"
    assert client.get("/")["X-Cache"] == "hit"


def run_client(code: str, env: dict) -> str:
    script = "import django; django.setup(); from django.test import Client; c = Client(); " + code
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_comment_approved_in_one_process_shows_in_another_at_once(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp_path / 'shared.sqlite3'}"),
        "ALLOWED_HOSTS": "testserver",
        "BLOGSITE_PAGE_CACHE": "1",
    }
    if "REDIS_URL" not in os.environ:
        env["CACHE_URL"] = f"filecache://{tmp_path / 'cache'}"
    if env["DATABASE_URL"].startswith("postgres"):
        pytest.skip("the PostgreSQL pass's test database belongs to this process")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    setup = (
        "from django.contrib.auth.models import User; from posts.models import Entry; "
        "from comments.models import Comment; "
        "u = User.objects.create(username='w'); "
        "e = Entry.objects.create(title='Shared', author=u, status='published'); "
        "Comment.objects.create(entry=e, name='Ada', body='From another process'); "
        "print(e.get_absolute_url())"
    )
    path = run_client(setup, env).strip()
    read = f"r = c.get({path!r}); print(r['X-Cache'], 'From another process' in r.content.decode())"
    assert run_client(read, env).split() == ["miss", "False"]
    assert run_client(read, env).split() == ["hit", "False"]
    approve = (
        "from comments import moderation; from comments.models import Comment; "
        "moderation.set_status(Comment.objects.all(), 'approved')"
    )
    run_client(approve, env)
    assert run_client(read, env).split() == ["miss", "True"]
