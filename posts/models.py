import hashlib
import io
import operator
import secrets
import threading
from functools import reduce
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

from posts.images import EXTENSIONS, clean_image, make_renditions, validate_image_upload
from posts.links import entry_path
from posts.markup import render_entry

SLUG_RETRIES = 5
# A storage finds a free name, then writes to it; S3 (file_overwrite=False) asks whether the
# name is taken and then uploads, so two threads storing "photo.png" at once both took the
# same name and one picture was lost. One thread at a time picks a name and writes it.
_NAMING = threading.Lock()

# Sent when an entry's HTML is stored again without a full save (the search index listens).
post_rerender = Signal()


def new_preview_token() -> str:
    """Return a fresh random value for Entry.preview_token."""
    return secrets.token_urlsafe(16)


def next_free_slug(slug: str, taken: set[str]) -> str:
    """Return slug-2, slug-3…: the first not in taken, cut so that it fits the field."""
    base = slug[:190].rstrip("-")
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def file_sha256(fileobj) -> str:
    """Return the SHA-256 of a file's bytes, reading it in chunks, and rewind it."""
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1 << 20), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


class ImageQuerySet(models.QuerySet):
    def with_bytes(self, upload) -> "Image | None":
        """Return the Image already made from exactly these uploaded bytes, or None."""
        return self.filter(sha256=file_sha256(upload)).first()

    def from_upload(self, upload, **fields) -> tuple["Image", bool]:
        """Return (image, created): the Image already holding these bytes, or a new one."""
        existing = self.with_bytes(upload)
        if existing is not None:
            return existing, False
        return self.create(file=upload, **fields), True


class Image(models.Model):
    """A picture uploaded once and used in entries, as a cover or in the body."""

    file = models.ImageField(
        upload_to="images/%Y/%m/",
        validators=[validate_image_upload],
        help_text=_("JPEG, PNG, GIF or WebP."),
    )
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    decorative = models.BooleanField(
        default=False,
        help_text=_("Tick when the picture adds nothing to the text; it then needs no alt text."),
    )
    caption = models.CharField(max_length=500, blank=True, help_text=_("Shown under the picture."))
    credit = models.CharField(
        max_length=200, blank=True, help_text=_("Who made the picture, and its licence.")
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    sha256 = models.CharField(max_length=64, editable=False, db_index=True, blank=True)
    renditions = models.JSONField(default=list, editable=False, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    # What an entry's rendered HTML shows of a picture: a change re-renders those entries.
    RENDERED_FIELDS = ("alt_text", "decorative", "caption", "credit", "file")

    def __str__(self) -> str:
        return self.alt_text or self.file.name.rsplit("/", 1)[-1]

    def clean(self) -> None:
        if not self.alt_text.strip() and not self.decorative:
            raise ValidationError(
                {"alt_text": _("Describe the picture, or mark it as decorative.")}
            )

    @property
    def alt(self) -> str:
        """Return the alt attribute: empty for decorative pictures."""
        return "" if self.decorative else self.alt_text

    def rebuild_renditions(self) -> list[dict]:
        """Make the resized copies of the file again, removing ones no longer wanted."""
        stale = {rendition["name"] for rendition in self.renditions}
        with self.file.open("rb") as source:
            self._make_renditions(source)
        Image.objects.filter(pk=self.pk).update(renditions=self.renditions)
        if stale != {rendition["name"] for rendition in self.renditions}:
            # The entries showing it name its renditions in their stored HTML (srcset).
            for entry in self.used_in.all():
                entry.rerender()
        self._delete_renditions(stale - {rendition["name"] for rendition in self.renditions})
        return self.renditions

    def store_file(self, upload, name: str) -> None:
        """Clean an uploaded picture and write it and its renditions to storage; save nothing.

        The slow part of adding a picture, and it touches no database: the importer runs it
        for many pictures at once in threads (Pillow lets go of the GIL while it works).
        """
        # What we store and serve is upright and carries no EXIF, GPS or XMP.
        clean = clean_image(upload, size=getattr(upload, "size", None))
        stem = PurePosixPath(name).stem or "picture"
        with _NAMING:
            self.file.save(
                f"{stem}.{EXTENSIONS[clean.format]}", ContentFile(clean.data), save=False
            )
        self.sha256 = clean.sha256
        # Set here, not by ImageField's width_field: that decodes an upload as soon as a
        # form assigns it, before validation, and a decompression bomb would crash it.
        self.width, self.height = clean.width, clean.height
        written = [self.file.name]
        try:
            self._make_renditions(io.BytesIO(clean.data), written)
        except BaseException:
            # No row will name these files: a failed import or upload leaves none behind.
            for name in written:
                self.file.storage.delete(name)
            raise

    def _delete_renditions(self, names: set[str]) -> None:
        """Delete renditions this picture no longer uses, but any another one still names.

        Before their names kept the extension, photo.png and photo.jpg of one folder both
        named renditions/…/photo-480.webp: a rendition <stem>-<width>.<ext> can only be
        shared with the pictures whose file is <stem>.<anything>, read in one query.
        """
        if not names:
            return
        stems = {name.removeprefix("renditions/").rsplit("-", 1)[0] + "." for name in names}
        sharing = Image.objects.exclude(pk=self.pk).filter(
            reduce(operator.or_, (models.Q(file__startswith=stem) for stem in stems))
        )
        named = {r["name"] for image in sharing.only("renditions") for r in image.renditions}
        for name in names - named:
            self.file.storage.delete(name)

    def _make_renditions(self, source, written: list[str] | None = None) -> None:
        # The stem keeps the file's extension: photo.png and photo.jpg of one month once
        # shared "photo-480.webp", and the later picture's renditions replaced the earlier's.
        name = PurePosixPath(self.file.name)
        stem = f"renditions/{name.with_suffix('')}-{name.suffix.lstrip('.')}".rstrip("-")
        self.renditions = make_renditions(source, stem, self.file.storage, written)

    def save(self, *args, **kwargs) -> None:
        new_file = bool(self.file) and not self.file._committed
        stale = set()
        if new_file:
            stale = {rendition["name"] for rendition in self.renditions}
            self.store_file(self.file.file, self.file.name)
        before = (
            Image.objects.filter(pk=self.pk).values(*self.RENDERED_FIELDS).first()
            if self.pk
            else None
        )
        super().save(*args, **kwargs)
        self._delete_renditions(stale - {rendition["name"] for rendition in self.renditions})
        if before and (new_file or any(before[f] != getattr(self, f) for f in before)):
            for entry in self.used_in.all():
                entry.rerender()


class EntryQuerySet(models.QuerySet):
    def published(self) -> "EntryQuerySet":
        """Return the entries a reader may see: published, with a publish time now or past."""
        return self.filter(status=Entry.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self) -> "EntryQuerySet":
        """Return published entries whose publish time is still to come."""
        return self.filter(status=Entry.Status.PUBLISHED, published_at__gt=timezone.now())

    def for_listing(self) -> "EntryQuerySet":
        """Return what list pages show, in a fixed number of queries, without the bodies."""
        # Tags as a plain list (entry.tag_list): half the cost of going through taggit's
        # manager for every entry of a page.
        return (
            self.select_related("author", "cover")
            .prefetch_related(models.Prefetch("tags", to_attr="tag_list"))
            .defer("body", "body_html", "body_text", "tag_names")
        )


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


class Entry(models.Model):
    """A blog post, written in Markdown and rendered to HTML when saved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("The last part of the entry's address. Left blank, it is made from the title."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="entries"
    )
    body = models.TextField(blank=True, help_text=_("Markdown."))
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)  # for search and reading time
    tag_names = models.TextField(blank=True, editable=False)  # for search, kept by signals
    excerpt = models.TextField(
        blank=True,
        help_text=_(
            "A sentence or two for lists, feeds and search engines. "
            "Left blank, the first paragraph is used."
        ),
    )
    summary = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text=_(
            "Drafts are seen only by staff. Published entries appear at their publish time."
        ),
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When the entry appears. Blank means now, when published; a future time schedules it."
        ),
    )
    # Stamped by save() rather than auto_now, so that an importer can keep a post's own times.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    cover = models.ForeignKey(
        Image,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cover_of",
        help_text=_("Shown at the top of the entry and beside it in lists."),
    )
    tags = TaggableManager(blank=True, help_text=_("Comma-separated."))
    images = models.ManyToManyField(
        Image, through="EntryImage", related_name="used_in", blank=True, editable=False
    )
    # Where an imported entry came from ("jekyll:2014-01-02-hello.md", "wordpress:<guid>"):
    # importing the same source again updates this entry, and never another one.
    import_key = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    # Part of every shared preview link: a new value withdraws all links given out so far.
    preview_token = models.CharField(max_length=32, default=new_preview_token, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name_plural = "entries"
        indexes = [
            # Ordered as lists are (Meta.ordering), id included: a page is read from the index
            # as it lies, with no sort (migration 0011 says what it saved). Tag pages also use
            # tagged_item_by_tag, an index on taggit's table made by that migration.
            models.Index(fields=["status", "-published_at", "-id"], name="entry_listing"),
            # Covers "is this entry visible?" by id, for related entries: no row is read.
            models.Index(fields=["id", "status", "published_at"], name="entry_visibility"),
        ]
        permissions = [
            ("publish_entry", "Can publish, schedule and unpublish entries"),
            ("change_others_entry", "Can edit entries written by others"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.path_for(self.slug, self.published_at, self.created_at)

    @staticmethod
    def path_for(slug: str, published_at, created_at, zone=None) -> str:
        """Return the address of the entry with these fields (exports have no instances)."""
        date = timezone.localtime(published_at or created_at or timezone.now(), zone)
        return entry_path(date.year, date.month, slug)

    @property
    def is_published(self) -> bool:
        """Return True if the entry is publicly visible."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @cached_property
    def word_count(self) -> int:
        """Return the number of words in the body's text (the byline and JSON-LD both ask)."""
        return len(self.body_text.split())

    @property
    def reading_minutes(self) -> int:
        """Return the minutes a reader needs, at 230 words a minute, at least one."""
        return max(1, round(self.word_count / 230))

    @property
    def is_scheduled(self) -> bool:
        """Return True if the entry is published with a publish time still to come."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    # What an entry page shows of its author and its cover; the rest loads if asked for.
    PAGE_AUTHOR_FIELDS = ("id", "username", "first_name", "last_name")
    PAGE_COVER_FIELDS = (
        "id", "file", "alt_text", "decorative", "caption", "credit", "width", "height",
        "renditions",
    )  # fmt: skip

    @classmethod
    def for_page(cls, slug: str) -> "Entry | None":
        """Return the entry with this slug, its author and cover loaded, or None; one query.

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
                {columns("c", cover_fields, "page_cover_")}
            FROM {cls._meta.db_table} e
            JOIN {user_model._meta.db_table} u ON u.id = e.author_id
            LEFT JOIN {Image._meta.db_table} c ON c.id = e.cover_id
            WHERE e.slug = %s
        """
        entry = next(iter(cls.objects.raw(sql, [slug])), None)
        if entry is None:
            return None
        names = [f.attname for f in author_fields]
        values = [getattr(entry, f"page_author_{name}") for name in names]
        entry.author = user_model.from_db(entry._state.db, names, values)
        if entry.cover_id is not None:
            names = [f.attname for f in cover_fields]
            read = [getattr(entry, f"page_cover_{name}") for name in names]
            values = [_converted(f, v) for f, v in zip(cover_fields, read, strict=True)]
            entry.cover = Image.from_db(entry._state.db, names, values)
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
        kind = ContentType.objects.get_for_model(Entry).pk
        return list(Tag.objects.raw(sql, [kind, self.pk]))

    def neighbours(self) -> tuple["Entry | None", "Entry | None"]:
        """Return the published entries just before and just after this one, in one query."""
        if not self.is_published:
            return None, None
        # Two one-row lookups on the publish-time index, sent as one statement: through the
        # ORM, building the two queries cost more than running them (0.6 ms an entry page).
        # Each side's range starts at this entry's time: SQLite takes the first bound it is
        # given, and with "until now" first the older side walked the index from today to
        # this entry (10 ms for an entry five years back, of 10,000). Entries older than
        # this published one need no "until now".
        table = Entry._meta.db_table
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
        found = {bool(entry.newer): entry for entry in Entry.objects.raw(sql, params)}
        return found.get(False), found.get(True)

    def related(self, count: int = 3) -> list["Entry"]:
        """Return up to count published entries sharing the most tags with this one: one query."""
        tag_ids = [tag.pk for tag in self.tag_list]
        if not tag_ids:
            return []
        # The inner query counts shared tags from the tag rows and reads visibility from the
        # entry_visibility index alone; only the chosen entries' rows are read. Through the
        # ORM's join, every candidate's row was read (5 ms an entry page at 10,000 entries).
        entry, item = Entry._meta.db_table, TaggedItem._meta.db_table
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
        kind = ContentType.objects.get_for_model(Entry).pk
        params = [kind, *tag_ids, self.pk, self.Status.PUBLISHED, timezone.now(), count]
        return list(Entry.objects.raw(sql, params))

    def render(self, known: dict | None = None) -> list[Image]:
        """Render the body and the summary from the Markdown; return the pictures it shows.

        known: stored file name -> Image, when the caller has them at hand (importers).
        """
        self.body_html, self.body_text, self.summary, images = render_entry(
            self.body, self.excerpt, has_cover=bool(self.cover_id), known=known
        )
        return images

    def rerender(self, rendered: tuple | None = None) -> bool:
        """Render again (a picture it shows changed, or the pipeline did); store it if it differs.

        rendered: (body_html, body_text, summary, pictures or their ids), when rendered
        elsewhere (posts.rendering, on other cores). Return True if the stored HTML changed.
        """
        stored = (self.body_html, self.body_text, self.summary)
        if rendered is None:
            images = self.render()
        else:
            self.body_html, self.body_text, self.summary, images = rendered
        if (self.body_html, self.body_text, self.summary) == stored:
            return False
        Entry.objects.filter(pk=self.pk).update(
            body_html=self.body_html, body_text=self.body_text, summary=self.summary
        )
        self.images.set(images)
        post_rerender.send(sender=Entry, instance=self)
        return True

    def base_slug(self) -> str:
        return slugify(self.title, allow_unicode=True)[:190].strip("-") or "entry"

    def save(self, *args, **kwargs) -> None:
        self.updated_at = timezone.now()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        images = self.render()
        self._save_with_slug(*args, **kwargs)
        self.images.set(images)

    def _save_with_slug(self, *args, **kwargs) -> None:
        if self.slug:
            super().save(*args, **kwargs)
            return
        # A generated slug takes the first free "-N" suffix. Two authors saving the same
        # title at once both succeed: the loser of the race retries with the next suffix.
        base = self.base_slug()
        for _attempt in range(SLUG_RETRIES):
            self.slug = self._free_slug(base)
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                if not Entry.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
                    raise  # some other constraint failed
        self.slug = ""
        raise IntegrityError(f"No free slug for {self.title!r} after {SLUG_RETRIES} tries.")

    def _free_slug(self, base: str) -> str:
        taken = set(
            Entry.objects.filter(slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        return base if base not in taken else next_free_slug(base, taken)


class EntryImage(models.Model):
    """A picture shown in an entry's body: it cannot be deleted while an entry shows it."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE)
    image = models.ForeignKey(Image, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "image"], name="entry_image_once")]

    def __str__(self) -> str:
        return f"{self.image} in {self.entry}"


class Redirect(models.Model):
    """An old address (an imported permalink, a renamed tag) answered with a 301 to its page."""

    old_path = models.CharField(
        max_length=1000,
        unique=True,
        help_text=_("The old address, from the first slash: /2013/01/hello.html or /?p=12."),
    )
    entry = models.ForeignKey(
        Entry,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="redirects",
        help_text=_("The entry it leads to; its address is followed when its slug changes."),
    )
    target = models.CharField(
        max_length=1000,
        blank=True,
        help_text=_("Where it leads when it is not an entry: a path on this site or a full URL."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_path"]

    def __str__(self) -> str:
        return f"{self.old_path} → {self.destination()}"

    def clean(self) -> None:
        from posts.redirects import is_safe_target, is_storable_path  # they read Redirect

        if not self.entry_id and not self.target:
            raise ValidationError(_("Choose an entry or give a target address."))
        if not is_storable_path(self.old_path):
            raise ValidationError(
                {"old_path": _("Start with / and leave out spaces and line breaks.")}
            )
        if self.target and not is_safe_target(self.target):
            raise ValidationError(
                {"target": _("Give a path on this site (/tags/x/) or an http(s) address.")}
            )

    def destination(self) -> str:
        """Return the address this redirect sends readers to."""
        return self.entry.get_absolute_url() if self.entry_id else self.target


class Revision(models.Model):
    """A saved state of an entry's text: who made it and when, restorable in the admin."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="revisions")
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
        return f"{self.entry_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def snapshot(self) -> dict:
        """Return the kept fields as a dict, to compare with an entry's."""
        return {name: getattr(self, name) for name in self.FIELDS}
