"""Daily aggregates of reading, kept for ever, and the flush's bookkeeping.

Nothing here holds an address, a User-Agent or a visitor hash: only paths, referring
domains, reader service names and counts.
"""

from django.db import models

from posts.models import Entry


class DaySummary(models.Model):
    """Views and unique visitors of the whole site on one day."""

    day = models.DateField(unique=True)
    views = models.PositiveBigIntegerField(default=0)
    visitors = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = "statistics"
        verbose_name_plural = "statistics"

    def __str__(self) -> str:
        return f"{self.day}: {self.views} views, {self.visitors} visitors"


class PageDay(models.Model):
    """Views and unique visitors of one public page on one day."""

    day = models.DateField()
    path = models.CharField(max_length=512)
    # The entry the path showed when first counted; kept if the entry goes (SET_NULL).
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    views = models.PositiveBigIntegerField(default=0)
    visitors = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day", "path"]
        constraints = [models.UniqueConstraint(fields=["day", "path"], name="page_day_once")]
        indexes = [models.Index(fields=["entry", "day"], name="page_day_entry")]

    def __str__(self) -> str:
        return f"{self.day} {self.path}: {self.views}"


class ReferrerDay(models.Model):
    """Views that arrived from another site's domain on one day."""

    day = models.DateField()
    domain = models.CharField(max_length=253)
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day", "domain"]
        constraints = [models.UniqueConstraint(fields=["day", "domain"], name="referrer_day_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.domain}: {self.views}"


class FeedReaders(models.Model):
    """Subscribers a feed reader service reported for one of our feeds on one day (the most)."""

    day = models.DateField()
    service = models.CharField(max_length=40)
    # The feed's path, and the service's own feed id when it sends one.
    feed = models.CharField(max_length=600)
    subscribers = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "service"]
        constraints = [
            models.UniqueConstraint(fields=["day", "service", "feed"], name="feed_readers_once")
        ]
        verbose_name_plural = "feed readers"

    def __str__(self) -> str:
        return f"{self.day} {self.service} {self.feed}: {self.subscribers}"


class FlushMark(models.Model):
    """How many bytes of one web worker's log for a day were moved into daily rows.

    Web workers only ever append to their logs in the cache; a flush adds the lines past
    this mark and moves the mark in the same transaction, so a flush killed half-way is
    rolled back whole and the next one moves exactly what is left.
    """

    day = models.DateField()
    worker = models.CharField(max_length=40)
    offset = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "worker"], name="flush_mark_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.worker}"
