"""What the inbox refuses: anything not signed, recently, over this body, by the actor it
claims to come from; keys at private addresses; floods; blocked actors and servers.
A refused POST stores nothing."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils.http import http_date

from comments.models import Comment
from social.models import Block, Follower, Reaction, RemoteActor
from tests.factories import EntryFactory
from tests.social import mastodon
from tests.social.conftest import RemoteServer

pytestmark = pytest.mark.django_db

BLOG = "http://testserver/social/actor/"


@pytest.fixture
def ada(remote):
    return remote.add_actor("ada")


def nothing_stored() -> bool:
    return not (Follower.objects.exists() or Comment.objects.exists() or Reaction.objects.exists())


def test_unsigned(client, ada):
    body = json.dumps(mastodon.follow(ada.uri, BLOG))
    response = client.post("/social/inbox/", body, content_type="application/activity+json")
    assert response.status_code == 401
    assert "Signature" in response.json()["error"]
    assert nothing_stored()


def test_signed_by_another_key(remote, ada, post_signed):
    impostor = remote.add_actor("impostor")
    impostor.secret.key_id = f"{ada.uri}#main-key"  # claims Ada's key, signs with its own
    response = post_signed(impostor, mastodon.follow(ada.uri, BLOG))
    assert response.status_code == 401
    assert nothing_stored()


def test_a_tampered_signature(ada, post_signed):
    activity = mastodon.follow(ada.uri, BLOG)
    body = json.dumps(activity).encode()
    signature = ada.signed_headers("testserver", "/social/inbox/", body)["signature"]
    broken = signature.replace('signature="', 'signature="AAAA')
    assert post_signed(ada, activity, signature=broken).status_code == 401
    assert post_signed(ada, activity, signature="garbage").status_code == 401
    assert nothing_stored()


def test_an_old_date_is_a_replay(ada, post_signed):
    old = http_date((datetime.now(UTC) - timedelta(minutes=30)).timestamp())
    activity = mastodon.follow(ada.uri, BLOG)
    body = json.dumps(activity).encode()
    headers = ada.signed_headers("testserver", "/social/inbox/", body, date=old)
    response = post_signed(ada, activity, **headers)
    assert response.status_code == 401
    assert "Date" in response.json()["error"]
    assert nothing_stored()


def test_the_same_signed_request_twice(
    ada, post_signed, client, django_capture_on_commit_callbacks
):
    activity = mastodon.follow(ada.uri, BLOG)
    body = json.dumps(activity).encode()
    headers = ada.signed_headers("testserver", "/social/inbox/", body)
    assert post_signed(ada, activity, **headers).status_code == 202
    Follower.objects.all().delete()
    again = post_signed(ada, activity, **headers)
    assert again.status_code == 401
    assert nothing_stored()


def test_a_digest_that_does_not_match_the_body(ada, post_signed):
    signed_for = json.dumps(mastodon.follow(ada.uri, BLOG)).encode()
    sent = json.dumps(mastodon.follow(ada.uri, "http://testserver/social/other/")).encode()
    headers = ada.signed_headers("testserver", "/social/inbox/", signed_for)
    response = post_signed(ada, None, body=sent, **headers)
    assert response.status_code == 401
    assert "Digest" in response.json()["error"]
    assert nothing_stored()


def test_a_key_of_one_actor_for_another_actors_activity(remote, ada, post_signed):
    bob = remote.add_actor("bob")
    response = post_signed(ada, mastodon.follow(bob.uri, BLOG))
    assert response.status_code == 401
    assert "owner" in response.json()["error"]
    assert nothing_stored()


def test_a_key_at_a_private_address_is_never_fetched(settings, remote, ada, post_signed):
    settings.BLOGSITE_FETCH_ALLOW_HOSTS = []
    response = post_signed(ada, mastodon.follow(ada.uri, BLOG))
    assert response.status_code == 401
    assert remote.fetches == []
    assert nothing_stored()


def test_a_flood_from_one_server_is_slowed(settings, remote, ada, post_signed):
    settings.SOCIAL_INBOX_PER_MINUTE = 3
    entry_url = "http://testserver" + EntryFactory().get_absolute_url()
    answers = [post_signed(ada, mastodon.like(ada.uri, entry_url, n)).status_code for n in range(5)]
    assert answers == [202, 202, 202, 429, 429]


def test_blocked_servers_and_actors(remote, ada, post_signed):
    Block.objects.create(domain="127.0.0.1")
    assert post_signed(ada, mastodon.follow(ada.uri, BLOG)).status_code == 403
    assert remote.fetches == []  # not even its key is asked for
    Block.objects.all().delete()
    Block.objects.create(actor_uri=ada.uri)
    assert post_signed(ada, mastodon.follow(ada.uri, BLOG)).status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe", b"null"],
)
def test_malformed_bodies_get_a_400(ada, post_signed, body):
    # Signed by the actor, so the body itself is what is wrong; an actor cannot be read.
    response = post_signed(ada, None, body=body)
    assert response.status_code in (400, 401)
    assert response.status_code != 500


@pytest.mark.parametrize(
    "changes",
    [
        {"type": 12},
        {"type": ["Follow"]},
        {"object": 5},
        {"object": {"id": 7}},
        {"object": None},
        {"type": "Create", "object": "just a string"},
        {"type": "Create", "object": {"id": "x", "attributedTo": None, "content": 3}},
        {"type": "Undo", "object": [1]},
        {"type": "Delete", "object": {"nope": True}},
        {"type": "Update", "object": {"id": 5}},
        {"type": "Like", "object": {"id": ["x"]}},
        {"type": "Announce", "object": "http://testserver/2026/99/x/"},
    ],
)
def test_wrong_types_never_500(ada, post_signed, changes):
    activity = {**mastodon.follow(ada.uri, BLOG), **changes}
    response = post_signed(ada, activity)
    assert response.status_code in (202, 400)
    assert nothing_stored()


def test_too_big_an_activity(ada, post_signed, settings):
    settings.SOCIAL_INBOX_MAX_KB = 1
    activity = {**mastodon.follow(ada.uri, BLOG), "padding": "x" * 2000}
    assert post_signed(ada, activity).status_code == 413


def test_a_server_cannot_speak_for_another_servers_actor(remote, ada, post_signed):
    """evil's keyId serves a document claiming to be ada (on the other server), with evil's
    key: refused, and ada's kept key is not replaced."""
    with RemoteServer() as evil_server:
        evil = evil_server.add_actor("mallory")
        post_signed(ada, mastodon.follow(ada.uri, BLOG))
        kept = RemoteActor.objects.get(uri=ada.uri).public_key_pem
        forged = {**remote.documents["/users/ada"]}
        forged["publicKey"] = {
            **evil_server.documents["/users/mallory"]["publicKey"],
            "owner": ada.uri,
        }
        forged["publicKey"]["id"] = evil.secret.key_id
        evil_server.documents["/users/mallory"] = forged
        like = mastodon.like(ada.uri, "http://testserver" + EntryFactory().get_absolute_url())
        assert post_signed(evil, like).status_code == 401
        assert RemoteActor.objects.get(uri=ada.uri).public_key_pem == kept
        assert not Reaction.objects.exists()


def test_the_deletion_of_an_account_never_seen_is_acknowledged_and_ignored(
    remote, ada, post_signed
):
    remote.status["/users/ada"] = 410
    assert post_signed(ada, mastodon.delete_actor(ada.uri)).status_code == 202
    assert not RemoteActor.objects.exists()


def test_a_reused_activity_id_is_dropped_not_a_500(ada, post_signed):
    entry_url = "http://testserver" + EntryFactory().get_absolute_url()
    like = mastodon.like(ada.uri, entry_url)
    post_signed(ada, like)
    boost = {**mastodon.announce(ada.uri, entry_url), "id": like["id"]}
    assert post_signed(ada, boost).status_code == 202
    assert Reaction.objects.get().kind == "like"
