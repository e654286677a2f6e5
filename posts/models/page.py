"""Pages: writing outside the entry stream, at an address the editor chooses (/about/).

A page is written as an entry is (posts.models.rendered) but has no date, tags or place in
feeds. Its address is its parent's address and its own slug; moving it leaves a Redirect.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from posts.models.entry import Entry, new_preview_token
from posts.models.image import Image
from posts.models.redirect import Redirect
from posts.models.rendered import RenderedMarkdown
from posts.rendering.bounded import validate_body_size

# The view that answers a page's address: any other view answering it means a clash.
PAGE_VIEW = "posts:page"
MAX_DEPTH = 8


def route_clash(path: str) -> str | None:
    """Return the site's own address that a page at path would hide, or None if it is free."""
    prefixes = [settings.STATIC_URL, settings.MEDIA_URL]
    for prefix in prefixes:
        if prefix and prefix.startswith("/") and path.startswith(prefix):
            return prefix
    # A page at /tags/ would hide the tag list, /2024/ a year, /admin/ the editor. The
    # address is also tried without its slash: /feed must stay free for CommonMiddleware.
    for candidate in (path, path.rstrip("/")):
        try:
            match = resolve(candidate)
        except Resolver404:
            continue
        if match.view_name != PAGE_VIEW:
            return candidate
    return None


class PageQuerySet(models.QuerySet):
    def published(self) -> "PageQuerySet":
        """Return the pages a reader may see: published, with a publish time now or past."""
        return self.filter(status=Page.Status.PUBLISHED, published_at__lte=timezone.now())


class Page(RenderedMarkdown, models.Model):
    """A page at an address of its own (/about/, /projects/unikernels/), outside the stream."""

    Status = Entry.Status

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100,
        allow_unicode=True,
        help_text=_(
            "The page's part of the address: “about” gives /about/, or /parent/about/ "
            "under a parent page."
        ),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The page this one sits under, if any: its address comes first."),
    )
    # The whole address, kept by save() from the parent's and the slug: looked up per request.
    path = models.CharField(max_length=1000, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pages"
    )
    body = models.TextField(blank=True, validators=[validate_body_size], help_text=_("Markdown."))
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    excerpt = models.TextField(
        blank=True,
        help_text=_("A sentence or two for search engines and search results."),
    )
    summary = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=10,
        choices=Entry.Status,
        default=Entry.Status.DRAFT,
        help_text=_("Drafts are seen only by staff. Published pages appear at their publish time."),
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the page appears. Blank means now, when published."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    cover = models.ForeignKey(
        Image,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cover_of_pages",
        help_text=_("Shown at the top of the page."),
    )
    seo_title = models.CharField(
        _("search title"),
        max_length=200,
        blank=True,
        help_text=_("The page's title in search results and link previews, in full."),
    )
    meta_description = models.CharField(
        _("description"),
        max_length=500,
        blank=True,
        help_text=_("What search results and link previews show; about 160 characters at most."),
    )
    social_image = models.ForeignKey(
        Image,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="social_image_of_pages",
        verbose_name=_("social image"),
        help_text=_("The picture link previews show, at least 1200 × 630 pixels."),
    )
    images = models.ManyToManyField(
        Image, through="PageImage", related_name="shown_in_pages", blank=True, editable=False
    )
    preview_token = models.CharField(max_length=32, default=new_preview_token, editable=False)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="page_slug_under_parent"),
        ]
        permissions = [("publish_page", "Can publish and unpublish pages")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return get_script_prefix() + self.path.lstrip("/")

    # Entries' templates and checks ask these; a page has no tags, date line or canonical.
    canonical_url = ""
    tag_list: tuple = ()

    @property
    def is_published(self) -> bool:
        """Return True if the page is publicly visible."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def path_from_parent(self) -> str:
        """Return the address this page has under its parent, with its slug."""
        base = self.parent.path if self.parent_id else "/"
        return f"{base}{self.slug}/"

    def ancestors(self) -> list["Page"]:
        """Return the parent, its parent and so on (stops at a loop or MAX_DEPTH)."""
        found, page = [], self.parent
        while page is not None and len(found) < MAX_DEPTH and page not in found:
            found.append(page)
            page = page.parent
        return found

    def clean(self) -> None:
        super().clean()
        if not self.slug:
            return  # the field says it is required
        if (
            self.pk
            and self.parent_id
            and (self.parent_id == self.pk or self in self.parent.ancestors())
        ):
            raise ValidationError({"parent": _("A page cannot sit under itself.")})
        if len(self.ancestors()) >= MAX_DEPTH:
            raise ValidationError(
                {"parent": _("Pages nest %(n)s deep at most.") % {"n": MAX_DEPTH}}
            )
        path = self.path_from_parent()
        clash = route_clash(path)
        if clash is not None:
            raise ValidationError(
                {
                    "slug": _(
                        "The address %(path)s is taken by the site itself (%(clash)s): "
                        "choose another slug or parent."
                    )
                    % {"path": path, "clash": clash}
                },
                code="route_clash",
            )
        if Page.objects.filter(path=path).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"slug": _("Another page already has the address %(path)s.") % {"path": path}}
            )

    def save(self, *args, **kwargs) -> None:
        self.updated_at = timezone.now()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        images = self.render()
        old_path = Page.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        self.path = self.path_from_parent()
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.images.set(images)
            if old_path and old_path != self.path:
                self._moved_from(old_path)

    def _moved_from(self, old_path: str) -> None:
        """Answer the old address with a 301, and move the pages under this one with it."""
        # A redirect stored for the new address would never be reached: the page answers.
        Redirect.objects.filter(old_path__in=[self.path, self.path.rstrip("/")]).delete()
        Redirect.objects.update_or_create(
            old_path=old_path, defaults={"page": self, "entry": None, "target": ""}
        )
        for child in self.children.all():
            child.parent = self
            child.save()


class PageImage(models.Model):
    """A picture shown in a page's body: it cannot be deleted while a page shows it."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE)
    image = models.ForeignKey(Image, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "image"], name="page_image_once")]

    def __str__(self) -> str:
        return f"{self.image} in {self.page}"
