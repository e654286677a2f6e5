from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from posts.images import validate_image_upload
from posts.markup import excerpt_from_html, render_markdown

SLUG_RETRIES = 5


class Image(models.Model):
    """A picture uploaded once and used in entries, as a cover or in the body."""

    file = models.ImageField(
        upload_to="images/%Y/%m/",
        width_field="width",
        height_field="height",
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
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

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


class EntryQuerySet(models.QuerySet):
    def published(self) -> "EntryQuerySet":
        """Return the entries a reader may see: published, with a publish time now or past."""
        return self.filter(status=Entry.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self) -> "EntryQuerySet":
        """Return published entries whose publish time is still to come."""
        return self.filter(status=Entry.Status.PUBLISHED, published_at__gt=timezone.now())

    def for_listing(self) -> "EntryQuerySet":
        """Return the queryset with what list pages show fetched in a fixed number of queries."""
        return self.select_related("author", "cover").prefetch_related("tags")


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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cover = models.ForeignKey(
        Image,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cover_of",
        help_text=_("Shown at the top of the entry and beside it in lists."),
    )
    tags = TaggableManager(blank=True, help_text=_("Comma-separated."))

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name_plural = "entries"
        indexes = [models.Index(fields=["status", "-published_at"], name="entry_status_published")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        date = timezone.localtime(self.published_at or self.created_at or timezone.now())
        return reverse(
            "posts:entry",
            kwargs={"year": date.year, "month": f"{date.month:02d}", "slug": self.slug},
        )

    @property
    def is_published(self) -> bool:
        """Return True if the entry is publicly visible."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        """Return True if the entry is published with a publish time still to come."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def render(self) -> None:
        """Render the body and the summary from the Markdown."""
        self.body_html = render_markdown(self.body)
        self.summary = self.excerpt.strip() or excerpt_from_html(self.body_html)

    def base_slug(self) -> str:
        return slugify(self.title, allow_unicode=True)[:190].strip("-") or "entry"

    def save(self, *args, **kwargs) -> None:
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.render()
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
        if base not in taken:
            return base
        suffix = 2
        while f"{base}-{suffix}" in taken:
            suffix += 1
        return f"{base}-{suffix}"
