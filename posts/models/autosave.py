"""Autosaves: the text a writer has typed into an entry's form but not saved, kept apart.

An autosave is never what readers see: it changes no entry, keeps no revision and leaves
the page cache alone (posts.signals does not listen to it). One per writer and entry, and
one per writer for the entry they are adding (entry empty).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from posts.models.entry import Entry


class Autosave(models.Model):
    """The unsaved text of one writer in one entry's form (or in the add form)."""

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="autosaves"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    excerpt = models.TextField(blank=True)
    tags = models.TextField(blank=True)  # as typed in the tags field
    saved_at = models.DateTimeField(default=timezone.now, db_index=True)

    # The text an autosave keeps, in the form's field names.
    FIELDS = ("title", "body", "excerpt", "tags")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "user"], name="autosave_per_entry"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(entry__isnull=True), name="autosave_per_new_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.entry_id or 'a new entry'} at {self.saved_at:%H:%M:%S}"

    def text(self) -> dict:
        """Return the kept fields as a dict, to compare with what a form holds."""
        return {name: getattr(self, name) for name in self.FIELDS}
