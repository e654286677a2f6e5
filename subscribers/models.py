"""Subscribers, the mailing of each entry, and each (entry, subscriber) delivery.

Imports posts' models only (the entry a mailing is about) and taggit's Tag.
"""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from posts.models import Entry
from subscribers.addresses import address_hash


def new_key() -> str:
    """Return the secret part of a subscriber's unsubscribe and settings links."""
    return secrets.token_urlsafe(24)


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self) -> "SubscriberQuerySet":
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def following(self, tag_ids) -> "SubscriberQuerySet":
        """Return subscribers who follow every tag, or one of these tags."""
        return self.filter(models.Q(all_tags=True) | models.Q(tags__in=list(tag_ids))).distinct()


class Subscriber(models.Model):
    """A reader's address and what they follow; once gone, only its hash is kept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCING = "bouncing", _("Bouncing")

    class Source(models.TextChoices):
        FORM = "form", _("Sign-up form")
        IMPORT = "import", _("Import")

    email = models.EmailField(max_length=254, unique=True, null=True, blank=True)
    email_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    all_tags = models.BooleanField(
        default=True, help_text=_("Receives every entry, whatever its tags.")
    )
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="+", help_text=_("Entries with one of these tags.")
    )
    key = models.CharField(max_length=40, unique=True, default=new_key, editable=False)
    source = models.CharField(max_length=8, choices=Source, default=Source.FORM)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    consent_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the reader confirmed, or the imported date.")
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounces = models.PositiveIntegerField(
        default=0, help_text=_("Permanent failures since the last delivered message.")
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "id"], name="subscriber_status")]

    def __str__(self) -> str:
        return self.email or f"(unsubscribed {self.email_hash[:10]}…)"

    def set_email(self, address: str) -> None:
        self.email = address
        self.email_hash = address_hash(address)

    def forget(self) -> None:
        """Unsubscribe: keep only the address's hash, so an import cannot add it back."""
        self.email = None
        self.status = self.Status.UNSUBSCRIBED
        self.unsubscribed_at = timezone.now()
        self.all_tags = True
        self.save()
        self.tags.clear()


class MailingQuerySet(models.QuerySet):
    def with_progress(self) -> "MailingQuerySet":
        """Annotate each mailing with its deliveries queued, sent and failed (one query)."""
        sent = [Delivery.Status.SENT, Delivery.Status.COMMITTED]
        return self.annotate(
            queued_count=models.Count(
                "deliveries", filter=models.Q(deliveries__status=Delivery.Status.QUEUED)
            ),
            sent_count=models.Count("deliveries", filter=models.Q(deliveries__status__in=sent)),
            failed_count=models.Count(
                "deliveries", filter=models.Q(deliveries__status=Delivery.Status.FAILED)
            ),
        )


class Mailing(models.Model):
    """Whether, and how far, an entry has been e-mailed to its subscribers."""

    class State(models.TextChoices):
        HOLD = "hold", _("Don't e-mail this entry")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Sent")
        SKIPPED = "skipped", _("Not e-mailed (published before, or too long ago)")

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="mailing")
    state = models.CharField(max_length=8, choices=State, default=State.SENDING)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = MailingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.entry} ({self.get_state_display()})"


class Delivery(models.Model):
    """One entry to one subscriber, recorded before and after the SMTP transaction.

    queued → committed (written just before the final dot of DATA, by one worker only) →
    sent (the server said 250). A worker killed before the dot leaves the row queued and the
    server drops its unfinished message: it is sent again. A committed row had its dot sent:
    it counts as delivered and is never sent twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        COMMITTED = "committed", _("Handed over")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text=_("Handed over at."))
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailing", "subscriber"], name="one_delivery_each")
        ]
        indexes = [models.Index(fields=["mailing", "status"], name="delivery_progress")]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.mailing_id}→{self.subscriber_id}: {self.status}"
