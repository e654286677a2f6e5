"""What the social web knows of this site, and what this site knows of the social web: the
site's key, remote actors and their servers, followers, reactions, blocks and deliveries."""

from urllib.parse import urlsplit

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models import Comment
from posts.models import Entry


class SiteKey(models.Model):
    """The RSA key pair every actor of this site signs with: made once, kept in the database."""

    public_pem = models.TextField()
    private_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Site key of {self.created_at:%Y-%m-%d}"


class Server(models.Model):
    """Another server of the social web, by host: its health as a delivery target."""

    host = models.CharField(max_length=255, unique=True)
    failures = models.PositiveIntegerField(default=0, editable=False)
    first_failure_at = models.DateTimeField(null=True, blank=True, editable=False)
    dead_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Deliveries to a dead server are skipped until it answers again."),
    )
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host


class RemoteActor(models.Model):
    """A person or service elsewhere, as its actor document said when last fetched."""

    uri = models.URLField(max_length=1000, unique=True)
    server = models.ForeignKey(Server, on_delete=models.CASCADE, related_name="actors")
    key_id = models.URLField(max_length=1000, db_index=True)
    public_key_pem = models.TextField()
    inbox = models.URLField(max_length=1000)
    shared_inbox = models.URLField(max_length=1000, blank=True)
    name = models.CharField(max_length=200, blank=True)
    username = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    icon = models.URLField(max_length=1000, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uri"]

    def __str__(self) -> str:
        return self.handle or self.uri

    @property
    def handle(self) -> str:
        return f"@{self.username}@{self.server.host}" if self.username else ""

    @property
    def delivery_inbox(self) -> str:
        """The inbox one delivery per server goes to: the shared one where there is one."""
        return self.shared_inbox or self.inbox


class Follower(models.Model):
    """A remote actor following one of this site's actors (the blog, or an author)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="follows")
    # "" for the blog itself, else the author's profile slug.
    local = models.CharField(max_length=100, blank=True)
    follow_id = models.URLField(max_length=1000, help_text=_("The Follow activity's id."))
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "local"], name="one_follow_per_actor")
        ]

    def __str__(self) -> str:
        return f"{self.actor} follows {self.local or 'the blog'}"


class Reaction(models.Model):
    """A like or a boost of an entry."""

    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        ANNOUNCE = "announce", _("Boost")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="social_reactions")
    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=10, choices=Kind)
    activity_id = models.URLField(max_length=1000, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("like or boost")
        verbose_name_plural = _("likes and boosts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "actor", "kind"], name="one_reaction_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.entry_id} by {self.actor}"


class Reply(models.Model):
    """A reply from the social web, kept as a comment in the moderation queue."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="social")
    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="replies")
    object_id = models.URLField(max_length=1000, unique=True)

    class Meta:
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return self.object_id


class Block(models.Model):
    """An actor or a whole domain whose activities are refused and who gets no delivery."""

    actor_uri = models.URLField(
        max_length=1000, blank=True, help_text=_("The actor's address (its id), to block one.")
    )
    domain = models.CharField(
        max_length=255, blank=True, help_text=_("A host name, to block a whole server.")
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(actor_uri="", domain=""), name="block_names_something"
            )
        ]

    def __str__(self) -> str:
        return self.actor_uri or self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)

    @classmethod
    def blocks(cls, actor_uri: str) -> bool:
        """Return True if actor_uri, or its domain, is blocked."""
        host = (urlsplit(actor_uri).hostname or "").lower()
        return cls.objects.filter(models.Q(actor_uri=actor_uri) | models.Q(domain=host)).exists()


class FederatedEntry(models.Model):
    """What the followers were last told of an entry (kept after the entry is deleted)."""

    class State(models.TextChoices):
        PUBLISHED = "published", _("Published")
        DELETED = "deleted", _("Deleted")

    entry_id = models.BigIntegerField(unique=True)
    object_id = models.URLField(max_length=1000)
    content_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State)
    # Where the entry went (one inbox per server), so a Delete reaches the same servers.
    inboxes = models.JSONField(default=list)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "federated entries"

    def __str__(self) -> str:
        return f"{self.object_id} ({self.state})"


class Delivery(models.Model):
    """One signed activity for one inbox, retried with back-off for a day."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")
        SKIPPED = "skipped", _("Skipped (server dead or blocked)")

    server = models.ForeignKey(Server, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.URLField(max_length=1000)
    actor_path = models.CharField(max_length=200, help_text=_("Which of our actors signs it."))
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_result = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.payload.get('type', '?')} to {self.inbox}: {self.status}"


class Following(models.Model):
    """An account elsewhere that this blog follows: its posts are kept, and it may be answered."""

    actor = models.OneToOneField(
        RemoteActor, on_delete=models.CASCADE, related_name="followed_by_us"
    )
    follow_id = models.URLField(max_length=1000)
    accepted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "following"

    def __str__(self) -> str:
        return f"We follow {self.actor}"


class ReceivedPost(models.Model):
    """A post from an account this blog follows, as its server sent it (HTML sanitised)."""

    actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="posts")
    object_id = models.URLField(max_length=1000, unique=True)
    kind = models.CharField(max_length=20)
    name = models.CharField(max_length=300, blank=True)
    content_html = models.TextField(blank=True)
    url = models.URLField(max_length=1000, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.name or self.object_id


class SentNote(models.Model):
    """A reply this blog sent to a post elsewhere; served at its own address."""

    in_reply_to = models.URLField(max_length=1000)
    to_actor = models.URLField(max_length=1000)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reply to {self.in_reply_to}"
