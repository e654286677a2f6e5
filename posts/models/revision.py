"""Saved states of an entry's or a page's text, restorable in the admin."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from posts.models.entry import Entry
from posts.models.image import Image


class Revision(models.Model):
    """A saved state of an entry's (or a page's) text: who made it and when, restorable."""

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    page = models.ForeignKey(
        "posts.Page", on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    excerpt = models.TextField(blank=True)
    tags = models.TextField(blank=True)  # tag names, comma-separated, sorted
    cover = models.ForeignKey(
        Image, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # What a revision keeps; a save that changes none of these keeps no revision.
    FIELDS = ("title", "body", "excerpt", "tags", "cover_id")

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.entry_id or self.page_id} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def owner(self):
        """Return the entry or the page this revision belongs to."""
        return self.entry if self.entry_id else self.page

    def snapshot(self) -> dict:
        """Return the kept fields as a dict, to compare with an entry's."""
        return {name: getattr(self, name) for name in self.FIELDS}
