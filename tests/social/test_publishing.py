"""Publishing tells the followers: Create on publish, Update on edit, Delete on unpublish or
delete; one delivery per server, signed (checked with bovine), retried, dead servers skipped."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from social import sending, tasks
from social.models import Block, Delivery, Follower, Server
from social.remote import store_actor
from tests.factories import EntryFactory
from tests.social.conftest import RemoteServer, verify_with_bovine

pytestmark = pytest.mark.django_db

BLOG = "http://testserver/social/actor/"


@pytest.fixture
def servers():
    """Two servers: three followers on the first (one shared inbox), one on the second."""
    with RemoteServer() as first, RemoteServer() as second:
        for server, names in ((first, ["ada", "bob", "cy"]), (second, ["dee"])):
            for name in names:
                server.add_actor(name)
                actor = store_actor(server.documents[f"/users/{name}"])
                Follower.objects.create(actor=actor, follow_id=f"{actor.uri}#f", state="accepted")
        yield first, second


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def fresh_entry(committed, **fields):
    fields.setdefault("published_at", timezone.now() - timedelta(minutes=1))
    return committed(EntryFactory, title="Herons", **fields)


def test_publishing_sends_one_signed_create_per_server(client, servers, committed):
    first, second = servers
    entry = fresh_entry(committed, tags=["birds"])
    assert [item["path"] for item in first.received] == ["/inbox"]
    assert [item["path"] for item in second.received] == ["/inbox"]
    create = first.activities()[0]
    assert create["type"] == "Create" and create["actor"] == BLOG
    article = create["object"]
    assert article["type"] == "Article"
    assert article["id"] == "http://testserver" + entry.get_absolute_url()
    assert "https://www.w3.org/ns/activitystreams#Public" in create["to"]
    key = client.get("/social/actor/").json()["publicKey"]
    for server in servers:
        assert verify_with_bovine(server.received[0], key) == BLOG
    assert Delivery.objects.filter(status="sent").count() == 2


def test_an_edit_sends_update_and_an_unchanged_save_nothing(servers, committed):
    first, _ = servers
    entry = fresh_entry(committed)
    entry.body = "New words."
    committed(entry.save)
    assert [a["type"] for a in first.activities()] == ["Create", "Update"]
    assert "New words." in first.activities()[1]["object"]["content"]
    committed(entry.save)
    assert len(first.received) == 2


def test_unpublishing_and_deleting_send_delete(servers, committed):
    first, second = servers
    entry = fresh_entry(committed)
    entry.status = "draft"
    committed(entry.save)
    delete = first.activities()[-1]
    assert delete["type"] == "Delete"
    assert delete["object"] == {
        "id": "http://testserver" + entry.get_absolute_url(),
        "type": "Tombstone",
    }
    entry.status = "published"
    committed(entry.save)
    assert first.activities()[-1]["type"] == "Create"  # published again: a new Create
    committed(entry.delete)
    assert [a["type"] for a in second.activities()] == ["Create", "Delete", "Create", "Delete"]


def test_drafts_and_old_entries_are_not_sent(servers, committed):
    first, _ = servers
    committed(EntryFactory, status="draft")
    committed(EntryFactory, published_at=timezone.now() - timedelta(days=30))
    assert first.received == []


def test_a_scheduled_entry_goes_out_when_its_time_comes(servers, committed):
    first, _ = servers
    entry = fresh_entry(committed, published_at=timezone.now() + timedelta(hours=1))
    assert first.received == []
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        tasks.retry_due.call()
    assert first.activities()[0]["object"]["id"].endswith(entry.get_absolute_url())


def test_a_failing_server_is_retried_with_back_off_then_marked_dead(servers, committed):
    first, second = servers
    first.inbox_status = 503
    fresh_entry(committed)
    delivery = Delivery.objects.get(server__host=first.base.removeprefix("http://"))
    assert delivery.status == "pending" and delivery.attempts == 1
    waits = [delivery.next_attempt_at - timezone.now()]
    now = timezone.now()
    for _ in range(12):
        now = Delivery.objects.get(pk=delivery.pk).next_attempt_at + timedelta(seconds=1)
        with time_machine.travel(now, tick=False):
            tasks.retry_due.call()
        delivery.refresh_from_db()
        if delivery.status != "pending":
            break
        waits.append(delivery.next_attempt_at - now)
    assert waits == sorted(waits) and waits[0] < timedelta(minutes=1)
    assert delivery.status == "failed"
    assert now - delivery.created_at <= timedelta(hours=25)
    server = Server.objects.get(pk=delivery.server_id)
    assert server.dead_since is not None
    # Dead: the next entry is not even tried there, while the other server gets it.
    tried = len(first.received)
    with time_machine.travel(now, tick=False):
        fresh_entry(committed)
    assert len(first.received) == tried
    assert Delivery.objects.filter(server=server, status="skipped").count() == 1
    assert len(second.received) == 2


def test_a_dead_server_that_talks_again_is_delivered_to(servers, committed, post_signed):
    first, _ = servers
    Server.objects.filter(host=first.base.removeprefix("http://")).update(dead_since=timezone.now())
    ada = first.add_actor("ada")  # a new key for ada: her document is fetched again
    Follower.objects.all().delete()
    assert (
        post_signed(
            ada, {"id": f"{ada.uri}#f2", "type": "Follow", "actor": ada.uri, "object": BLOG}
        ).status_code
        == 202
    )
    assert Server.objects.get(host=first.base.removeprefix("http://")).dead_since is None
    first.received.clear()
    fresh_entry(committed)
    assert [a["type"] for a in first.activities()] == ["Create"]


def test_blocked_domains_get_nothing(servers, committed):
    first, second = servers
    Block.objects.create(domain="127.0.0.1")
    fresh_entry(committed)
    assert first.received == [] and second.received == []


def test_a_delivery_is_sent_once(servers, committed):
    first, _ = servers
    fresh_entry(committed)
    delivery = Delivery.objects.first()
    sending.deliver.call(delivery.pk)
    tasks.retry_due.call()
    assert len(first.received) == 1
    assert json.loads(first.received[0]["body"])["type"] == "Create"


def test_with_the_database_backend_work_waits_in_the_queue(settings, servers, committed):
    """A scheduled entry's federation waits for its time, and a periodic check stays queued."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    entry = fresh_entry(committed, published_at=timezone.now() + timedelta(hours=1))
    waiting = {row.task_path: row for row in DBTaskResult.objects.all()}
    assert waiting["social.tasks.federate_entry"].run_after == entry.published_at
    assert waiting["social.tasks.retry_due"].args_kwargs["args"] == [True]
    fresh_entry(committed)
    assert DBTaskResult.objects.filter(task_path="social.tasks.retry_due").count() == 1


def test_author_actors_boost_their_entries_to_their_followers(settings, committed):
    from social.remote import store_actor
    from tests.factories import AuthorProfileFactory

    settings.SOCIAL_AUTHOR_ACTORS = True
    profile = AuthorProfileFactory(slug="ada")
    with RemoteServer() as server:
        server.add_actor("fan")
        fan = store_actor(server.documents["/users/fan"])
        Follower.objects.create(actor=fan, local="ada", follow_id=f"{fan.uri}#f", state="accepted")
        entry = fresh_entry(committed, author=profile.user)
        [announce] = server.activities()
        assert announce["type"] == "Announce"
        assert announce["actor"] == "http://testserver/social/authors/ada/"
        assert announce["object"] == "http://testserver" + entry.get_absolute_url()
        assert (
            'keyId="http://testserver/social/authors/ada/#main-key"'
            in (server.received[0]["headers"]["signature"])
        )
