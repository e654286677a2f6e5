"""What an entry's page reads besides the entry: author, cover, tags, neighbours, related.

Each is one query, built with the ORM. (They were SQL written by hand, to save the ORM's
query building; issue 24 asked for the ORM back, and bench/entry_reads.py measures what
that costs an uncached entry page.) Entry inherits these methods.
"""

from django.db.models import Count, Q, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.models import Tag

# The columns an entry page shows of a neighbour or a related entry (get_absolute_url needs
# slug, published_at and created_at).
LINK_FIELDS = ("id", "title", "slug", "published_at", "created_at")


class EntryPageReads:
    """Entry's reads for its page; the Entry model mixes them in."""

    # What an entry page shows of its author and its cover (and social image); the rest loads
    # if asked for.
    PAGE_AUTHOR_FIELDS = ("id", "username", "first_name", "last_name")
    PAGE_COVER_FIELDS = (
        "id", "file", "alt_text", "decorative", "caption", "credit", "width", "height",
        "renditions",
    )  # fmt: skip

    @classmethod
    def for_page(cls, slug: str) -> "EntryPageReads | None":
        """Return the entry with this slug, its author, cover and social image loaded, or None;
        one query. The caller decides who may see it."""
        own = [field.name for field in cls._meta.concrete_fields]
        related = [
            *(f"author__{name}" for name in cls.PAGE_AUTHOR_FIELDS),
            *(f"cover__{name}" for name in cls.PAGE_COVER_FIELDS),
            *(f"social_image__{name}" for name in cls.PAGE_COVER_FIELDS),
        ]
        found = (
            cls.objects.select_related("author", "cover", "social_image")
            .only(*own, *related)
            .filter(slug=slug)
            .order_by()[:1]
        )
        return next(iter(found), None)

    @cached_property
    def tag_list(self) -> list[Tag]:
        """Return the entry's tags in one query; list pages prefetch them instead."""
        return list(self.tags.order_by("name").only("id", "name", "slug"))

    def neighbours(self) -> tuple["EntryPageReads | None", "EntryPageReads | None"]:
        """Return the published entries just before and just after this one, in one query."""
        if not self.is_published:
            return None, None
        # Two one-row lookups on the publish-time index, as subqueries of one statement.
        # Each side's range starts at this entry's time: SQLite takes the first bound it is
        # given, and with "until now" first the older side walked the index from today to
        # this entry (10 ms for an entry five years back, of 10,000). Entries older than
        # this published one need no "until now".
        when = self.published_at
        published = type(self).objects.filter(status=self.Status.PUBLISHED)
        older = (
            published.filter(published_at__lte=when)
            .filter(Q(published_at__lt=when) | Q(pk__lt=self.pk))
            .order_by("-published_at", "-pk")
            .values("pk")[:1]
        )
        newer = (
            published.filter(published_at__gte=when, published_at__lte=timezone.now())
            .filter(Q(published_at__gt=when) | Q(pk__gt=self.pk))
            .order_by("published_at", "pk")
            .values("pk")[:1]
        )
        found = type(self).objects.filter(Q(pk=Subquery(older)) | Q(pk=Subquery(newer)))
        before = after = None
        for entry in found.only(*LINK_FIELDS).order_by():
            if (entry.published_at, entry.pk) > (when, self.pk):
                after = entry
            else:
                before = entry
        return before, after

    def related(self, count: int = 3) -> list["EntryPageReads"]:
        """Return up to count published entries sharing the most tags with this one: one query."""
        tag_ids = [tag.pk for tag in self.tag_list]
        if not tag_ids:
            return []
        # Grouped by the entry and counted over its matching tag rows; the picture, body
        # and other columns are not read.
        ranked = (
            type(self)
            .objects.published()
            .exclude(pk=self.pk)
            .filter(tags__in=tag_ids)
            .annotate(shared=Count("pk"))
            .only(*LINK_FIELDS)
            .order_by("-shared", "-published_at", "-pk")
        )
        return list(ranked[:count])
