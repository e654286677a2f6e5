"""The admin: likes and boosts counted per entry, blocks that end a follower's ties."""

import pytest

from social.models import Block, Follower, Reaction, RemoteActor, Server
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    server = Server.objects.create(host="social.example")
    return RemoteActor.objects.create(
        uri="https://social.example/users/ada", server=server,
        key_id="https://social.example/users/ada#main-key", public_key_pem="x",
        inbox="https://social.example/users/ada/inbox",
    )  # fmt: skip


def test_likes_and_boosts_are_counted_per_entry(admin_client, ada):
    entry = EntryFactory(title="Herons")
    Reaction.objects.create(entry=entry, actor=ada, kind="like", activity_id="https://s/1")
    Reaction.objects.create(entry=entry, actor=ada, kind="announce", activity_id="https://s/2")
    page = admin_client.get("/admin/social/reaction/").content.decode()
    assert "Likes and boosts per entry" in page
    assert "<td>Herons</td><td>1</td><td>1</td>" in page


def test_blocking_a_domain_removes_its_follows_and_reactions(admin_client, ada):
    Follower.objects.create(actor=ada, follow_id="https://s/f", state="accepted")
    Reaction.objects.create(entry=EntryFactory(), actor=ada, kind="like", activity_id="https://s/1")
    response = admin_client.post(
        "/admin/social/block/add/", {"actor_uri": "", "domain": "Social.Example", "reason": "spam"}
    )
    assert response.status_code == 302
    assert Block.objects.get().domain == "social.example"
    assert not Follower.objects.exists() and not Reaction.objects.exists()


def test_a_block_must_name_something(admin_client):
    response = admin_client.post("/admin/social/block/add/", {"actor_uri": "", "domain": ""})
    assert response.status_code == 200
    assert not Block.objects.exists()


def test_every_social_admin_page_opens(admin_client, ada):
    names = ("follower", "block", "reaction", "remoteactor", "server", "delivery", "following")
    for name in (*names, "receivedpost"):
        assert admin_client.get(f"/admin/social/{name}/").status_code == 200, name
