"""Notifications: the entry's author gets one e-mail for every comment waiting since the last."""

import pytest
from django.core import mail

from comments.models import Comment
from comments.tasks import notify_authors
from tests.factories import EntryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_burst_of_comments_is_one_email_per_author_and_never_sent_twice():
    author = UserFactory(email="author@example.org")
    first, second = EntryFactory(author=author), EntryFactory(author=author)
    other = EntryFactory(author=UserFactory(email="other@example.org"))
    for entry, text in [(first, "one"), (first, "two"), (second, "three"), (other, "four")]:
        Comment.objects.create(entry=entry, name="Reader", body=f"Comment {text}")
    Comment.objects.create(entry=first, name="Old", body="already approved", status="approved")
    notify_authors.enqueue()
    assert sorted(m.to[0] for m in mail.outbox) == ["author@example.org", "other@example.org"]
    message = next(m for m in mail.outbox if m.to == ["author@example.org"])
    assert message.subject.startswith("3 comments waiting")
    assert all(f"Comment {t}" in message.body for t in ("one", "two", "three"))
    assert "already approved" not in message.body
    assert "/admin/comments/comment/?status__exact=pending" in message.body
    notify_authors.enqueue()
    assert len(mail.outbox) == 2


def test_a_new_comment_notifies_through_the_view(client, entry, send):
    send()
    assert any(m.to == ["author@example.org"] for m in mail.outbox)
