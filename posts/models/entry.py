"""Entries: the posts of the blog, their states, their addresses and their pages' reads."""

import secrets

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from posts.links import entry_path
from posts.models.authors import BYLINE_FIELDS, Byline, EntryAuthor, byline_of
from posts.models.entry_pages import EntryPageReads
from posts.models.image import Image
from posts.models.rendered import RenderedMarkdown
from posts.models.series import Series
from posts.rendering.bounded import validate_body_size

SLUG_RETRIES = 5


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
        # The author's profile too: an entry with no byline rows (made by a script, or
        # before bylines) names its author, and looking each profile up cost a query an
        # entry: 13 queries for the index of a generated blog, and 3.5 times the time.
        return (
            self.select_related("author__author_profile", "cover")
            .prefetch_related(
                models.Prefetch("tags", to_attr="tag_list"),
                models.Prefetch("bylines", queryset=byline_rows(), to_attr="byline_rows"),
            )
            .defer(
                "body", "body_html", "body_text", "tag_names",
                "author__author_profile__bio", "author__author_profile__bio_html",
            )
        )  # fmt: skip

    def in_series_order(self) -> "EntryQuerySet":
        """Return entries as a series lists them: by part number, then by publish time."""
        return self.order_by(models.F("series_part").asc(nulls_last=True), "published_at", "pk")


def byline_rows():
    """Return the EntryAuthor rows a byline reads, in order, with each author's profile."""
    return (
        EntryAuthor.objects.select_related("user", "user__author_profile")
        .only(*BYLINE_FIELDS, "entry_id")
        .order_by("position", "pk")
    )


class Entry(EntryPageReads, RenderedMarkdown, models.Model):
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
    # The first of the byline (authors below), kept so by set_authors(): the editorial
    # workflow's owner of a new entry, and what an entry without byline rows falls back to.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="entries"
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through=EntryAuthor,
        related_name="coauthored_entries",
        blank=True,
        editable=False,
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
        help_text=_("The series this entry is a part of, if any."),
    )
    series_part = models.PositiveSmallIntegerField(
        _("part number"),
        null=True,
        blank=True,
        help_text=_(
            "The entry's place in its series: parts are shown in this order. Only published "
            "parts are counted."
        ),
    )
    body = models.TextField(blank=True, validators=[validate_body_size], help_text=_("Markdown."))
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
    # Search and sharing: each left blank gives what the page showed before these existed.
    seo_title = models.CharField(
        _("search title"),
        max_length=200,
        blank=True,
        help_text=_(
            "The page's title in search results and link previews, in full (the blog's name "
            "is not added). Left blank: the title, then the blog's name."
        ),
    )
    meta_description = models.CharField(
        _("description"),
        max_length=500,
        blank=True,
        help_text=_(
            "What search results and link previews show under the title; about 160 characters "
            "at most. Left blank: the excerpt, or the first paragraph."
        ),
    )
    social_image = models.ForeignKey(
        Image,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="social_image_of",
        verbose_name=_("social image"),
        help_text=_(
            "The picture link previews show, at least 1200 × 630 pixels. Left blank: the cover."
        ),
    )
    canonical_url = models.URLField(
        _("canonical address"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_(
            "Only for an entry first published elsewhere: the original's address "
            "(http or https), which search engines then rank instead of this page."
        ),
    )
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

    @cached_property
    def byline_list(self) -> list[Byline]:
        """Return the entry's authors in byline order; one query unless lists prefetched them."""
        rows = self.__dict__.get("byline_rows")
        if rows is None:
            pairs = self.page_bylines() if self.pk else []
        else:
            pairs = [(row.user, _profile_of(row.user)) for row in rows]
        found = [byline_of(user, profile) for user, profile in pairs]
        return found or [byline_of(self.author, _profile_of(self.author))]

    def is_written_by(self, user) -> bool:
        """Return True if the user is one of the entry's authors."""
        if user.pk is None:
            return False
        if self.author_id == user.pk:
            return True
        return self.pk is not None and self.bylines.filter(user_id=user.pk).exists()

    def set_authors(self, users) -> None:
        """Make these users the entry's byline, in this order; the first becomes its author."""
        users = list(dict.fromkeys(users))
        if not users:
            raise ValueError("An entry needs at least one author.")
        with transaction.atomic():
            self.bylines.exclude(user__in=users).delete()
            for position, user in enumerate(users):
                EntryAuthor.objects.update_or_create(
                    entry=self, user=user, defaults={"position": position}
                )
            if self.author_id != users[0].pk:
                self.author = users[0]
                Entry.objects.filter(pk=self.pk).update(author=users[0])
        self.__dict__.pop("byline_list", None)
        self.__dict__.pop("byline_rows", None)

    def series_parts(self) -> list["Entry"]:
        """Return the published parts of the entry's series, in order: one query, or none."""
        if self.series_id is None:
            return []
        return list(
            Entry.objects.published()
            .filter(series_id=self.series_id)
            .in_series_order()
            .select_related("series")
            .only(
                "id",
                "title",
                "slug",
                "published_at",
                "created_at",
                "series_part",
                "series__id",
                "series__title",
                "series__slug",
            )
        )

    def base_slug(self) -> str:
        return slugify(self.title, allow_unicode=True)[:190].strip("-") or "entry"

    def save(self, *args, **kwargs) -> None:
        self.updated_at = timezone.now()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        images = self.render()
        adding = self._state.adding
        self._save_with_slug(*args, **kwargs)
        self.images.set(images)
        if adding and self.author_id is not None and not getattr(self, "byline_from_form", False):
            # A new entry's byline starts with its author; set_authors() changes it.
            EntryAuthor.objects.get_or_create(
                entry=self, user_id=self.author_id, defaults={"position": 0}
            )

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


def _profile_of(user):
    """Return the user's AuthorProfile if it was loaded or exists, else None."""
    try:
        return user.author_profile
    except ObjectDoesNotExist:
        return None


class EntryImage(models.Model):
    """A picture shown in an entry's body: it cannot be deleted while an entry shows it."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE)
    image = models.ForeignKey(Image, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "image"], name="entry_image_once")]

    def __str__(self) -> str:
        return f"{self.image} in {self.entry}"
