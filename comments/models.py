"""What readers answered (comments and received Webmentions) and what this site told others."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from posts.models import Entry


class CommentQuerySet(models.QuerySet):
    def approved(self) -> "CommentQuerySet":
        """Return the comments readers may see."""
        return self.filter(status=Comment.Status.APPROVED)

    def waiting(self) -> "CommentQuerySet":
        return self.filter(status=Comment.Status.PENDING)


class Comment(models.Model):
    """A reader's answer to an entry: written here, or a Webmention from another site."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        REPLY = "reply", _("Reply (Webmention)")
        LIKE = "like", _("Like")
        REPOST = "repost", _("Repost")
        MENTION = "mention", _("Mention")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        help_text=_("The comment this one answers (one level: replies to replies join it)."),
    )
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.COMMENT)
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.PENDING,
        db_index=True,
        help_text=_("Only approved comments are shown to readers."),
    )
    name = models.CharField(max_length=100, help_text=_("Shown with the comment."))
    email = models.EmailField(
        blank=True, help_text=_("Never shown; for notifications and the delete link.")
    )
    website = models.URLField(max_length=500, blank=True, help_text=_("Linked from the name."))
    body = models.TextField(blank=True, help_text=_("A small Markdown subset."))
    body_html = models.TextField(blank=True, editable=False)
    photo = models.URLField(max_length=500, blank=True, editable=False)
    # A small copy of the photo, kept here (comments/webmention/photos.py).
    avatar = models.FileField(upload_to="comments/photos/", blank=True, editable=False)
    # A Webmention's source page (unique per entry: an update replaces it).
    source = models.URLField(max_length=1000, blank=True, editable=False)
    # A hash of the commenter's signed cookie, so their next comment may skip the queue.
    commenter_key = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    body_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    notified = models.BooleanField(default=False, editable=False)
    # Where an imported comment came from ("wordpress:<comment id>"): a second import of the
    # same export finds it and adds nothing.
    import_key = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["entry", "status", "created_at"], name="comment_page")]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "source"],
                condition=~models.Q(source=""),
                name="one_mention_per_source",
            ),
            models.UniqueConstraint(
                fields=["entry", "import_key"],
                condition=~models.Q(import_key=""),
                name="one_comment_per_import_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.entry_id}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return f"{self.entry.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_mention(self) -> bool:
        return bool(self.source)

    @staticmethod
    def hash_body(body: str) -> str:
        """Return a hash of the body that ignores case and spacing, for duplicate checks."""
        return hashlib.sha256(" ".join(body.lower().split()).encode()).hexdigest()

    def save(self, *args, **kwargs) -> None:
        from comments.markup import render_comment

        self.body_html = render_comment(self.body)
        self.body_hash = self.hash_body(self.body)
        if self.parent_id and self.parent and self.parent.parent_id:
            self.parent_id = self.parent.parent_id  # one level of threading
        if self.status == self.Status.APPROVED and self.approved_at is None:
            self.approved_at = timezone.now()
        super().save(*args, **kwargs)


class Discussion(models.Model):
    """Whether an entry takes comments; an entry without one follows the site's settings."""

    entry = models.OneToOneField(
        Entry, on_delete=models.CASCADE, primary_key=True, related_name="discussion"
    )
    open = models.BooleanField(
        default=True,
        help_text=_("Readers may comment and send Webmentions. Closed, existing ones stay."),
    )

    def __str__(self) -> str:
        return f"Comments on {self.entry_id}: {'open' if self.open else 'closed'}"


def comments_open(entry: Entry, discussion_open: bool | None = None) -> bool:
    """Return True if readers may answer entry now: published, switched on, not too old."""
    if not entry.is_published:
        return False
    if discussion_open is None:
        discussion = Discussion.objects.filter(entry=entry).values_list("open", flat=True)
        discussion_open = discussion[0] if discussion else True
    if not discussion_open:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return days <= 0 or entry.published_at > timezone.now() - timedelta(days=days)


class SentMention(models.Model):
    """A Webmention this site sent (or tried to) for a link in an entry."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="sent_mentions")
    target = models.URLField(max_length=1000)
    endpoint = models.URLField(max_length=1000, blank=True)
    # The entry's text when last sent: a save that changes nothing sends nothing again.
    content_hash = models.CharField(max_length=64, blank=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    result = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "target"], name="one_sent_mention_per_link")
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.result}"
