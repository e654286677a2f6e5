"""The outbox (published entries only, paged) and the followers (a count unless shown)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from social.models import Follower, RemoteActor, Server
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_the_outbox_lists_published_entries_newest_first(client):
    old = EntryFactory(title="Old", published_at=timezone.now() - timedelta(days=3))
    new = EntryFactory(title="New")
    EntryFactory(title="Draft", status="draft")
    EntryFactory(title="Later", published_at=timezone.now() + timedelta(days=1))
    collection = client.get("/social/outbox/").json()
    assert collection["type"] == "OrderedCollection"
    assert collection["totalItems"] == 2
    page = client.get("/social/outbox/", {"page": 1}).json()
    assert page["type"] == "OrderedCollectionPage"
    assert page["partOf"] == "http://testserver/social/outbox/"
    names = [item["object"]["name"] for item in page["orderedItems"]]
    assert names == [new.title, old.title]
    assert all(item["type"] == "Create" for item in page["orderedItems"])
    assert "next" not in page


def test_outbox_pages_link_onwards(client, django_assert_max_num_queries):
    for number in range(25):
        EntryFactory(title=f"E{number}")
    first = client.get("/social/outbox/", {"page": 1}).json()
    assert len(first["orderedItems"]) == 20
    assert first["next"] == "http://testserver/social/outbox/?page=2"
    with django_assert_max_num_queries(8):
        second = client.get("/social/outbox/", {"page": 2}).json()
    assert len(second["orderedItems"]) == 5


@pytest.mark.parametrize("page, status", [("0", 400), ("x", 400), ("-1", 400), ("99", 404)])
def test_bad_pages(client, page, status):
    EntryFactory()
    response = client.get("/social/outbox/", {"page": page})
    assert response.status_code == status
    assert response.json()["error"]


@pytest.fixture
def followers(db):
    server = Server.objects.create(host="social.example")
    for name in ("ada", "bob"):
        actor = RemoteActor.objects.create(
            uri=f"https://social.example/users/{name}", server=server,
            key_id=f"https://social.example/users/{name}#main-key", public_key_pem="x",
            inbox=f"https://social.example/users/{name}/inbox",
        )  # fmt: skip
        Follower.objects.create(actor=actor, follow_id=f"{actor.uri}#f", state="accepted")


def test_followers_are_a_count_only_by_default(client, followers):
    collection = client.get("/social/followers/").json()
    assert collection["totalItems"] == 2
    assert "first" not in collection and "orderedItems" not in collection
    page = client.get("/social/followers/", {"page": 1}).json()
    assert "orderedItems" not in page


def test_followers_listed_when_the_setting_says(client, followers, settings):
    settings.SOCIAL_SHOW_FOLLOWERS = True
    page = client.get("/social/followers/", {"page": 1}).json()
    assert sorted(page["orderedItems"]) == [
        "https://social.example/users/ada",
        "https://social.example/users/bob",
    ]


def test_no_missing_migrations():
    call_command("makemigrations", "social", "--check", "--dry-run", verbosity=0)
