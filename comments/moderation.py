"""What happens to a comment: received, approved, marked spam, deleted; and who is trusted.

Every change a reader could see makes the entry's page (and only it) stale in the page cache.
"""

import hashlib
from functools import partial

from django.conf import settings
from django.db import transaction

from comments import tasks
from comments.models import Comment
from posts.delivery.cache import bump_page_version

COMMENTER_COOKIE = "blogsite_commenter"


def key_hash(cookie_value: str) -> str:
    """Return the stored form of a commenter's cookie (a hash: the cookie is the secret)."""
    return hashlib.sha256(cookie_value.encode()).hexdigest() if cookie_value else ""


def is_trusted(commenter_key: str, email: str) -> bool:
    """Return True if this commenter had a comment approved before (by cookie, or by e-mail)."""
    approved = Comment.objects.approved()
    if commenter_key and approved.filter(commenter_key=commenter_key).exists():
        return True
    return bool(
        email and settings.COMMENTS_TRUST_EMAIL and approved.filter(email__iexact=email).exists()
    )


def pages_changed(entry_ids) -> None:
    """Make the pages that show these entries' comments stale, after the commit."""
    from posts.models import Entry

    for entry in Entry.objects.filter(pk__in=set(entry_ids)).only(
        "slug", "published_at", "created_at"
    ):
        bump_page_version(entry.get_absolute_url())


def set_status(comments, status: str) -> int:
    """Give comments (a queryset) a status; return how many changed."""
    from django.utils import timezone

    comments = comments.exclude(status=status)
    entry_ids = list(comments.values_list("entry_id", flat=True))
    changes = {"status": status}
    if status == Comment.Status.APPROVED:
        changes["approved_at"] = timezone.now()
    count = comments.update(**changes)
    pages_changed(entry_ids)
    return count


def delete(comments) -> int:
    """Delete comments (a queryset) and their replies; return how many were deleted."""
    entry_ids = list(comments.values_list("entry_id", flat=True))
    count, _ = comments.delete()
    pages_changed(entry_ids)
    return count


def received(comment: Comment) -> None:
    """A new comment was saved: tell the author (batched) and the commenter, after commit."""
    if comment.status == Comment.Status.APPROVED:
        pages_changed([comment.entry_id])
    transaction.on_commit(tasks.enqueue_notification)
    if comment.email and not comment.is_mention:
        transaction.on_commit(partial(tasks.send_delete_link.enqueue, comment.pk))
