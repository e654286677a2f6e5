"""The site's own settings, edited in the admin: name, tagline, footer, links and the menu.

One SiteSettings row (pk 1) holds them; a blank field falls back to the environment's value
(BLOGSITE_TITLE, BLOGSITE_TAGLINE). Menu items lead to a page, a tag's page or another site.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from posts.models.image import Image
from posts.models.page import Page


class SiteSettings(models.Model):
    """What every page's frame shows; a blank field keeps the environment's default."""

    title = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The site's name, in every page's header. Blank: BLOGSITE_TITLE."),
    )
    tagline = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "A line under the name, and the front page's description. Blank: BLOGSITE_TAGLINE."
        ),
    )
    footer_text = models.TextField(
        max_length=1000,
        blank=True,
        help_text=_("Plain text at the foot of every page (a licence, a contact line)."),
    )
    default_social_image = models.ForeignKey(
        Image,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The picture link previews show for pages with none of their own, "
            "at least 1200 × 630 pixels."
        ),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return str(_("Site settings"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # one row: the admin only ever edits it
        super().save(*args, **kwargs)


class SocialLink(models.Model):
    """A profile elsewhere (Mastodon, GitHub…), linked from every page's footer."""

    site = models.ForeignKey(SiteSettings, on_delete=models.CASCADE, related_name="social_links")
    label = models.CharField(max_length=60, help_text=_("What the link says: “Mastodon”."))
    url = models.URLField(
        _("address"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The profile's address (http or https)."),
    )
    order = models.PositiveIntegerField(default=0, help_text=_("Smaller numbers come first."))

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class MenuItem(models.Model):
    """An item of the header's navigation: a page, a tag's page or an address elsewhere."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Page")
        TAG = "tag", _("Tag page")
        LINK = "link", _("Other address")

    site = models.ForeignKey(SiteSettings, on_delete=models.CASCADE, related_name="menu_items")
    label = models.CharField(
        max_length=60,
        blank=True,
        help_text=_("What the menu says. Blank: the page's or tag's name."),
    )
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.PAGE)
    page = models.ForeignKey(
        Page,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a page: a draft page stays out of the menu until it is published."),
    )
    tag = models.ForeignKey(
        Tag,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a tag's page."),
    )
    url = models.CharField(
        _("address"),
        max_length=500,
        blank=True,
        help_text=_("For another address: https://… or a path on this site (/archive/)."),
    )
    order = models.PositiveIntegerField(
        default=0, help_text=_("Smaller numbers come first; drag the rows to reorder.")
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label or str(self.page or self.tag or self.url)

    def clean(self) -> None:
        wanted = {self.Kind.PAGE: "page", self.Kind.TAG: "tag", self.Kind.LINK: "url"}.get(
            self.kind
        )
        if wanted == "page" and not self.page_id:
            raise ValidationError({"page": _("Choose the page this item leads to.")})
        if wanted == "tag" and not self.tag_id:
            raise ValidationError({"tag": _("Choose the tag whose page this item leads to.")})
        if wanted == "url":
            if not self.url:
                raise ValidationError({"url": _("Give the address this item leads to.")})
            if not self.label:
                raise ValidationError({"label": _("Give a label for an address.")})
            if not _is_link(self.url):
                raise ValidationError(
                    {"url": _("Give an http(s) address or a path on this site starting with /.")}
                )
        # Only the chosen kind's target is kept: a stale one would make the item ambiguous.
        if wanted != "page":
            self.page = None
        if wanted != "tag":
            self.tag = None
        if wanted != "url":
            self.url = ""


def _is_link(url: str) -> bool:
    """Return True for http(s) addresses and paths on this site; never javascript: or //host."""
    if url.startswith("/"):
        return not url.startswith("//") and not any(c.isspace() or c == "\\" for c in url)
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True
