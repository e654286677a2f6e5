import time

import pytest
from django.core.cache import cache

from comments.stamps import make_stamp
from tests.factories import EntryFactory, UserFactory


@pytest.fixture(autouse=True)
def fresh_limits():
    """Rate limits count in the shared cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def entry(db):
    author = UserFactory(email="author@example.org")
    return EntryFactory(title="On gardens", author=author)


def form_data(entry, **overrides) -> dict:
    """A comment a person would send, its stamp made a minute ago."""
    data = {
        "name": "Grace",
        "email": "grace@example.org",
        "website": "",
        "body": "A thoughtful answer about gardens and *roses*.",
        "stamp": make_stamp(entry.pk, now=time.time() - 60),
        "homepage": "",
        "parent": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def send(client, entry, django_capture_on_commit_callbacks):
    """POST a comment from the site's own page; on-commit work (e-mail, cache) runs."""
    from django.urls import reverse

    def post(target=None, origin="http://testserver", **overrides):
        target = target or entry
        extra = {"HTTP_ORIGIN": origin} if origin else {}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("comments:post", kwargs={"entry_id": target.pk}),
                form_data(target, **overrides),
                **extra,
            )

    return post
