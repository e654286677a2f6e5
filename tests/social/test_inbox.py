"""The inbox: follows, likes, boosts, replies, edits and deletions, each signed by bovine as
Mastodon signs; the Accept we send back checked with bovine's signature checker."""

import json

import pytest

from comments.models import Comment
from social.models import Follower, Reaction, RemoteActor, Reply
from tests.factories import EntryFactory, UserFactory, image_bytes
from tests.social import mastodon
from tests.social.conftest import verify_with_bovine

pytestmark = pytest.mark.django_db

BLOG = "http://testserver/social/actor/"


@pytest.fixture
def entry(db):
    return EntryFactory(title="Herons", author=UserFactory(email="author@example.org"))


@pytest.fixture
def entry_url(entry):
    return "http://testserver" + entry.get_absolute_url()


@pytest.fixture
def ada(remote):
    return remote.add_actor("ada")


def our_public_key(client) -> dict:
    return client.get("/social/actor/").json()["publicKey"]


def test_a_mastodon_follow_is_accepted_and_the_accept_is_signed(client, remote, ada, post_signed):
    follow = mastodon.follow(ada.uri, BLOG)
    response = post_signed(ada, follow)
    assert response.status_code == 202
    follower = Follower.objects.get()
    assert follower.actor.uri == ada.uri and follower.state == "accepted"
    assert follower.local == ""
    [sent] = remote.received
    assert sent["path"] == "/users/ada/inbox"  # an Accept goes to the follower's own inbox
    accept = json.loads(sent["body"])
    assert accept["type"] == "Accept" and accept["actor"] == BLOG
    assert accept["object"]["id"] == follow["id"]
    assert accept["object"]["actor"] == ada.uri
    assert verify_with_bovine(sent, our_public_key(client)) == BLOG


def test_a_second_follow_changes_nothing_but_is_accepted_again(remote, ada, post_signed):
    post_signed(ada, mastodon.follow(ada.uri, BLOG, 1))
    post_signed(ada, mastodon.follow(ada.uri, BLOG, 2))
    assert Follower.objects.count() == 1
    assert len(remote.received) == 2


def test_manual_approval_waits_for_an_editor(
    settings, remote, ada, post_signed, admin_client, django_capture_on_commit_callbacks
):
    settings.SOCIAL_MANUAL_APPROVAL = True
    post_signed(ada, mastodon.follow(ada.uri, BLOG))
    follower = Follower.objects.get()
    assert follower.state == "pending" and remote.received == []
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/social/follower/",
            {"action": "approve", "_selected_action": [follower.pk]},
        )
    follower.refresh_from_db()
    assert follower.state == "accepted"
    assert remote.activities()[0]["type"] == "Accept"


def test_undo_follow(remote, ada, post_signed):
    post_signed(ada, mastodon.follow(ada.uri, BLOG))
    assert post_signed(ada, mastodon.undo_follow(ada.uri, BLOG)).status_code == 202
    assert not Follower.objects.exists()


def test_likes_and_boosts_are_counted_once(ada, post_signed, entry, entry_url):
    post_signed(ada, mastodon.like(ada.uri, entry_url, 1))
    post_signed(ada, mastodon.like(ada.uri, entry_url, 2))
    post_signed(ada, mastodon.announce(ada.uri, entry_url))
    assert entry.social_reactions.filter(kind="like").count() == 1
    assert entry.social_reactions.filter(kind="announce").count() == 1
    undo = {
        "id": f"{ada.uri}#undo-like",
        "type": "Undo",
        "actor": ada.uri,
        "object": {"id": f"{ada.uri}#likes/2", "type": "Like", "object": entry_url},
    }
    post_signed(ada, undo)
    assert not entry.social_reactions.filter(kind="like").exists()


def test_a_like_of_something_not_ours_stores_nothing(ada, post_signed):
    response = post_signed(ada, mastodon.like(ada.uri, "https://elsewhere.example/post/1"))
    assert response.status_code == 202
    assert not Reaction.objects.exists()


def test_a_reply_waits_in_the_moderation_queue(
    client, remote, ada, post_signed, entry, entry_url, settings
):
    remote.files["/ada.png"] = image_bytes(size=(96, 96))
    response = post_signed(ada, mastodon.reply(ada.uri, entry_url, BLOG))
    assert response.status_code == 202
    comment = Comment.objects.get()
    assert comment.status == "pending" and comment.kind == "reply"
    assert comment.entry == entry
    assert comment.name == "Ada" and comment.website == f"{remote.base}/@ada"
    assert comment.body.startswith("Content warning: birds, long\n\n@blog Herons wait so well.")
    assert "they are patient" in comment.body
    assert comment.avatar  # the author's picture, copied small
    assert Reply.objects.get().comment == comment
    assert "Herons wait so well." not in client.get(entry.get_absolute_url()).content.decode()
    # Approved, it shows with its author's name, picture and link.
    Comment.objects.filter(pk=comment.pk).update(status="approved")
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Herons wait so well." in page
    assert f'href="{remote.base}/@ada"' in page
    assert comment.avatar.url in page


def test_an_edited_reply_is_updated_and_a_deleted_one_removed(ada, post_signed, entry, entry_url):
    create = mastodon.reply(ada.uri, entry_url, BLOG)
    post_signed(ada, create)
    note = {**create["object"], "content": "<p>On second thought, egrets.</p>", "summary": ""}
    update = {"id": f"{note['id']}#update", "type": "Update", "actor": ada.uri, "object": note}
    assert post_signed(ada, update).status_code == 202
    assert Comment.objects.get().body == "On second thought, egrets."
    delete = {
        "id": f"{note['id']}#delete",
        "type": "Delete",
        "actor": ada.uri,
        "object": {"id": note["id"], "type": "Tombstone"},
    }
    assert post_signed(ada, delete).status_code == 202
    assert not Comment.objects.exists()


def test_someone_else_cannot_delete_a_reply(remote, ada, post_signed, entry, entry_url):
    bob = remote.add_actor("bob")
    create = mastodon.reply(ada.uri, entry_url, BLOG)
    post_signed(ada, create)
    delete = {
        "id": f"{bob.uri}#d",
        "type": "Delete",
        "actor": bob.uri,
        "object": create["object"]["id"],
    }
    post_signed(bob, delete)
    assert Comment.objects.count() == 1


def test_a_reply_attributed_to_another_is_not_taken(remote, ada, post_signed, entry_url):
    bob = remote.add_actor("bob")
    forged = mastodon.reply(ada.uri, entry_url, BLOG, attributedTo=bob.uri)
    post_signed(ada, forged)
    assert not Comment.objects.exists()


def test_a_deleted_actor_takes_everything_with_it(remote, ada, post_signed, entry, entry_url):
    post_signed(ada, mastodon.follow(ada.uri, BLOG))
    post_signed(ada, mastodon.like(ada.uri, entry_url))
    post_signed(ada, mastodon.reply(ada.uri, entry_url, BLOG))
    # Mastodon answers 410 for a deleted account: the kept key still checks the Delete.
    remote.status["/users/ada"] = 410
    assert post_signed(ada, mastodon.delete_actor(ada.uri)).status_code == 202
    assert not RemoteActor.objects.filter(uri=ada.uri).exists()
    assert not Follower.objects.exists()
    assert not Reaction.objects.exists()
    assert not Comment.objects.exists()


def test_hostile_html_in_a_reply_is_sanitised_like_any_comment(ada, post_signed, entry_url):
    hostile = (
        '<p>Hi<script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">click</a><iframe src="https://evil.example"></iframe>'
        "<style>body{display:none}</style></p>"
    )
    post_signed(ada, mastodon.reply(ada.uri, entry_url, BLOG, content=hostile, summary=None))
    comment = Comment.objects.get()
    for bad in ("<script", "onerror", "javascript:", "<iframe", "<style", "<img"):
        assert bad not in comment.body_html


def test_an_updated_actor_is_kept(remote, ada, post_signed):
    post_signed(ada, mastodon.follow(ada.uri, BLOG))
    document = {**remote.documents["/users/ada"], "name": "Ada L."}
    update = {"id": f"{ada.uri}#update-1", "type": "Update", "actor": ada.uri, "object": document}
    assert post_signed(ada, update).status_code == 202
    assert RemoteActor.objects.get().name == "Ada L."


def test_posts_of_followed_accounts_are_kept_sanitised_and_others_not(ada, remote, post_signed):
    from social.models import Following, ReceivedPost

    post = {
        "id": f"{ada.uri}/statuses/1",
        "type": "Note",
        "attributedTo": ada.uri,
        "content": '<p>Hello<script>alert(1)</script><img src=x onerror="alert(2)"></p>',
    }
    create = {"id": f"{post['id']}/activity", "type": "Create", "actor": ada.uri, "object": post}
    post_signed(ada, create)
    assert not ReceivedPost.objects.exists()  # not followed: not ours to keep
    Following.objects.create(
        actor=RemoteActor.objects.get(uri=ada.uri), follow_id="http://testserver/f", accepted=True
    )
    post_signed(ada, {**create, "id": f"{post['id']}/activity-2"})
    kept = ReceivedPost.objects.get()
    assert "Hello" in kept.content_html
    assert "<script" not in kept.content_html and "onerror" not in kept.content_html


def test_a_reply_to_a_reply_joins_its_entry_threaded_under_it(
    client, remote, ada, post_signed, entry, entry_url
):
    bob, carol = remote.add_actor("bob"), remote.add_actor("carol")
    first = mastodon.reply(ada.uri, entry_url, BLOG)
    post_signed(ada, first)
    answer = mastodon.reply(bob.uri, first["object"]["id"], BLOG, content="<p>Egrets too.</p>")
    assert post_signed(bob, answer).status_code == 202
    ada_comment = Comment.objects.get(social__actor__uri=ada.uri)
    bob_comment = Comment.objects.get(social__actor__uri=bob.uri)
    assert (bob_comment.entry, bob_comment.parent) == (entry, ada_comment)
    assert (
        bob_comment.status == "pending"
        and bob_comment.body == "Content warning: birds, long\n\nEgrets too."
    )
    # An answer to the answer stays in the same thread (the comments' one level of threading).
    deeper = mastodon.reply(carol.uri, answer["object"]["id"], BLOG, content="<p>And cranes.</p>")
    assert post_signed(carol, deeper).status_code == 202
    carol_comment = Comment.objects.get(social__actor__uri=carol.uri)
    assert (carol_comment.entry, carol_comment.parent) == (entry, ada_comment)
    # Approved, the answers show inside Ada's comment on the entry's page.
    Comment.objects.update(status="approved")
    page = client.get(entry.get_absolute_url()).content.decode()
    thread = page[page.index(f'id="comment-{ada_comment.pk}"') :]
    replies = thread[thread.index('class="comment-replies"') :]
    assert "Egrets too." in replies and "And cranes." in replies


def test_a_reply_to_a_note_not_held_here_is_not_a_comment(remote, ada, post_signed, entry_url):
    elsewhere = f"{remote.base}/users/someone/statuses/1"
    assert post_signed(ada, mastodon.reply(ada.uri, elsewhere, BLOG)).status_code == 202
    assert not Comment.objects.exists()


def test_a_reply_to_a_reply_on_an_entry_no_longer_published(
    remote, ada, post_signed, entry, entry_url
):
    bob = remote.add_actor("bob")
    first = mastodon.reply(ada.uri, entry_url, BLOG)
    post_signed(ada, first)
    entry.status = "draft"
    entry.save()
    post_signed(bob, mastodon.reply(bob.uri, first["object"]["id"], BLOG))
    assert Comment.objects.count() == 1
