"""What an entry's page reads besides the entry: author, cover, bylines, tags, neighbours, related.

Each is one query, written in SQL because building the ORM's query costs more than running
it, by more than 5% of an uncached entry page each. Measured with bench/entry_reads.py
against the ORM version of these four (commit 4f905da), 1,000 entries, SQLite, medians of
5 interleaved rounds of 300 (2026-12-05): the whole page 5.3 ms here, 8.5 ms through the
ORM (1.60x). Per read, here / ORM, and the part of that the database spent executing:
for_page 0.25 / 0.78 ms (SQL 0.05 / 0.07), tag_list 0.08 / 0.51 (0.02 / 0.04),
neighbours 0.13 / 1.31 (0.02 / 0.05), related 0.18 / 1.15 (0.07 / 0.34). Entry inherits
these methods.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.models import Tag, TaggedItem

from posts.models.authors import AuthorProfile, EntryAuthor
from posts.models.image import Image


def _page_fields(model, names) -> list:
    """Return the model's fields of these names, in the order Model.from_db expects them."""
    return [field for field in model._meta.concrete_fields if field.name in names]


def _converted(field, value):
    """Convert a value read by hand as the ORM would (for the field types Entry.for_page reads;
    a date would need the backend's converters too)."""
    if hasattr(field, "from_db_value"):  # JSON comes as text
        return field.from_db_value(value, None, connection)
    if isinstance(field, models.BooleanField):  # SQLite gives 0 or 1
        return bool(value)
    return value


def _picture_read(entry, fields, prefix: str) -> Image:
    """Return the Image whose columns for_page read beside the entry under this prefix."""
    names = [f.attname for f in fields]
    values = [_converted(f, getattr(entry, f"{prefix}{f.attname}")) for f in fields]
    return Image.from_db(entry._state.db, names, values)


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
        one query.

        The caller decides who may see it. Written out by hand: through select_related,
        building the query took three times as long as running it (0.59 ms against 0.15 ms,
        a sixth of an uncached entry page).
        """
        user_model = cls._meta.get_field("author").related_model
        author_fields = _page_fields(user_model, cls.PAGE_AUTHOR_FIELDS)
        cover_fields = _page_fields(Image, cls.PAGE_COVER_FIELDS)
        quote = connection.ops.quote_name

        def columns(alias: str, fields, prefix: str = "") -> str:
            return ", ".join(f"{alias}.{quote(f.column)} AS {prefix}{f.attname}" for f in fields)

        sql = f"""
            SELECT {columns("e", cls._meta.concrete_fields)},
                {columns("u", author_fields, "page_author_")},
                {columns("c", cover_fields, "page_cover_")},
                {columns("s", cover_fields, "page_social_")}
            FROM {cls._meta.db_table} e
            JOIN {user_model._meta.db_table} u ON u.id = e.author_id
            LEFT JOIN {Image._meta.db_table} c ON c.id = e.cover_id
            LEFT JOIN {Image._meta.db_table} s ON s.id = e.social_image_id
            WHERE e.slug = %s
        """
        entry = next(iter(cls.objects.raw(sql, [slug])), None)
        if entry is None:
            return None
        names = [f.attname for f in author_fields]
        values = [getattr(entry, f"page_author_{name}") for name in names]
        entry.author = user_model.from_db(entry._state.db, names, values)
        if entry.cover_id is not None:
            entry.cover = _picture_read(entry, cover_fields, "page_cover_")
        if entry.social_image_id is not None:
            entry.social_image = _picture_read(entry, cover_fields, "page_social_")
        return entry

    @cached_property
    def tag_list(self) -> list[Tag]:
        """Return the entry's tags in one query; list pages prefetch them instead."""
        # Through taggit's manager this query took longer to build than to run.
        sql = f"""
            SELECT tag.id, tag.name, tag.slug FROM {Tag._meta.db_table} tag
            JOIN {TaggedItem._meta.db_table} item ON item.tag_id = tag.id
            WHERE item.content_type_id = %s AND item.object_id = %s ORDER BY tag.name
        """
        kind = ContentType.objects.get_for_model(self).pk
        return list(Tag.objects.raw(sql, [kind, self.pk]))

    def page_bylines(self) -> list[tuple[models.Model, AuthorProfile | None]]:
        """Return the entry's authors in byline order, each with its profile or None: one
        query; list pages prefetch the byline rows instead."""
        # Through the ORM (byline_rows(): select_related and only()), building the query
        # took a sixth of an uncached entry page's profile; running it, a twentieth of that.
        user_model = self._meta.get_field("author").related_model
        user_fields = _page_fields(user_model, self.PAGE_AUTHOR_FIELDS)
        profile_fields = _page_fields(AuthorProfile, ("id", "user", "display_name", "slug"))
        quote = connection.ops.quote_name
        columns = [f"u.{quote(f.column)}" for f in user_fields]
        columns += [f"p.{quote(f.column)}" for f in profile_fields]
        sql = f"""
            SELECT {", ".join(columns)} FROM {EntryAuthor._meta.db_table} a
            JOIN {user_model._meta.db_table} u ON u.id = a.user_id
            LEFT JOIN {AuthorProfile._meta.db_table} p ON p.user_id = u.id
            WHERE a.entry_id = %s ORDER BY a.position, a.id
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.pk])
            rows = cursor.fetchall()
        found = []
        user_names = [f.attname for f in user_fields]
        profile_names = [f.attname for f in profile_fields]
        for row in rows:
            user = user_model.from_db(self._state.db, user_names, row[: len(user_fields)])
            values = row[len(user_fields) :]
            profile = None
            if values[0] is not None:
                profile = AuthorProfile.from_db(self._state.db, profile_names, values)
            found.append((user, profile))
        return found

    def neighbours(self) -> tuple["EntryPageReads | None", "EntryPageReads | None"]:
        """Return the published entries just before and just after this one, in one query."""
        if not self.is_published:
            return None, None
        # Two one-row lookups on the publish-time index, sent as one statement: through the
        # ORM, building the two queries cost more than running them (0.6 ms an entry page).
        # Each side's range starts at this entry's time: SQLite takes the first bound it is
        # given, and with "until now" first the older side walked the index from today to
        # this entry (10 ms for an entry five years back, of 10,000). Entries older than
        # this published one need no "until now".
        table = self._meta.db_table
        columns = "id, title, slug, published_at, created_at"
        sql = f"""
            SELECT * FROM (
                SELECT {columns}, 0 AS newer FROM {table}
                WHERE status = %s AND published_at <= %s
                    AND (published_at < %s OR id < %s)
                ORDER BY published_at DESC, id DESC LIMIT 1
            ) AS older
            UNION ALL
            SELECT * FROM (
                SELECT {columns}, 1 AS newer FROM {table}
                WHERE status = %s AND published_at >= %s AND published_at <= %s
                    AND (published_at > %s OR id > %s)
                ORDER BY published_at, id LIMIT 1
            ) AS newer
        """
        when, published = self.published_at, self.Status.PUBLISHED
        params = [published, when, when, self.pk, published, when, timezone.now(), when, self.pk]
        found = {bool(entry.newer): entry for entry in type(self).objects.raw(sql, params)}
        return found.get(False), found.get(True)

    def related(self, count: int = 3) -> list["EntryPageReads"]:
        """Return up to count published entries sharing the most tags with this one: one query."""
        tag_ids = [tag.pk for tag in self.tag_list]
        if not tag_ids:
            return []
        # The inner query counts shared tags from the tag rows and reads visibility from the
        # entry_visibility index alone; only the chosen entries' rows are read. Through the
        # ORM's join, every candidate's row was read (5 ms an entry page at 10,000 entries).
        entry, item = self._meta.db_table, TaggedItem._meta.db_table
        marks = ", ".join(["%s"] * len(tag_ids))
        sql = f"""
            SELECT e.id, e.title, e.slug, e.published_at, e.created_at FROM (
                SELECT v.id AS id, COUNT(*) AS shared, v.published_at AS published_at
                FROM {item} t JOIN {entry} v ON v.id = t.object_id
                WHERE t.content_type_id = %s AND t.tag_id IN ({marks}) AND v.id <> %s
                    AND v.status = %s AND v.published_at <= %s
                GROUP BY v.id ORDER BY shared DESC, v.published_at DESC, v.id DESC LIMIT %s
            ) r JOIN {entry} e ON e.id = r.id
            ORDER BY r.shared DESC, r.published_at DESC, r.id DESC
        """
        kind = ContentType.objects.get_for_model(self).pk
        params = [kind, *tag_ids, self.pk, self.Status.PUBLISHED, timezone.now(), count]
        return list(type(self).objects.raw(sql, params))
