"""The moderation queue: bulk approve, spam and delete, everything by one address, replying."""

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.factories import EntryFactory, StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"


@pytest.fixture
def editor_client(client):
    client.force_login(StaffFactory(first_name="Eda", last_name="Editor"))
    return client


@pytest.fixture
def queue():
    entry = EntryFactory()
    return [
        Comment.objects.create(
            entry=entry, name=f"N{i}", email=f"n{i % 2}@example.org", body=f"b{i}"
        )
        for i in range(4)
    ]


def act(client, action: str, comments, capture) -> str:
    with capture(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": action, "_selected_action": [c.pk for c in comments]},
            follow=True,
        )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("action", "status"), [("approve", "approved"), ("mark_spam", "spam")])
def test_bulk_approve_and_spam(
    editor_client, queue, action, status, django_capture_on_commit_callbacks
):
    act(editor_client, action, queue[:3], django_capture_on_commit_callbacks)
    assert [c.status for c in Comment.objects.order_by("pk")] == [status] * 3 + ["pending"]


def test_bulk_delete_and_everything_by_one_address(
    editor_client, queue, django_capture_on_commit_callbacks
):
    act(editor_client, "delete_comments", queue[:1], django_capture_on_commit_callbacks)
    assert Comment.objects.count() == 3
    page = act(editor_client, "delete_by_email", queue[1:2], django_capture_on_commit_callbacks)
    assert "deleted from 1 address" in page
    assert list(Comment.objects.values_list("email", flat=True)) == ["n0@example.org"]


def test_the_queue_lists_waiting_comments_and_shows_one_in_context(editor_client, queue):
    page = editor_client.get(reverse(CHANGELIST), {"status__exact": "pending"}).content.decode()
    assert all(f"b{i}" in page for i in range(4))
    change = editor_client.get(reverse("admin:comments_comment_change", args=[queue[0].pk]))
    assert queue[0].entry.title in change.content.decode()


def test_an_editor_replies_from_the_comment(
    editor_client, queue, django_capture_on_commit_callbacks
):
    comment = queue[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:comments_comment_change", args=[comment.pk]),
            {"status": "approved", "name": comment.name, "email": comment.email, "website": "",
             "body": comment.body, "reply": "Thank you, *noted*."},
        )  # fmt: skip
    assert response.status_code == 302
    reply = Comment.objects.get(parent=comment)
    assert (reply.name, reply.status) == ("Eda Editor", "approved")
    page = editor_client.get(comment.entry.get_absolute_url()).content.decode()
    assert "Thank you, <em>noted</em>." in page


def test_an_editor_role_moderates_and_switches_comments_off(client, queue):
    from posts.editorial.roles import EDITOR
    from tests.conftest import member_of

    client.force_login(member_of(EDITOR, username="grace"))
    assert client.get(reverse(CHANGELIST)).status_code == 200
    entry = queue[0].entry
    response = client.post(reverse("admin:comments_discussion_add"), {"entry": entry.pk})
    assert response.status_code == 302
    assert entry.discussion.open is False
    sent = reverse("admin:comments_sentmention_changelist")
    assert client.get(sent).status_code == 200
