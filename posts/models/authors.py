"""Who writes: authors' public profiles and the ordered byline of each entry.

A user writes entries; an AuthorProfile is what readers see of them (a name, a bio, an
avatar, links). EntryAuthor orders an entry's authors. May use posts.rendering (the bio is
Markdown) and posts.models.image; nothing above the models.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from posts.models.image import Image
from posts.rendering.markdown import render_markdown

# What a byline reads of each author: enough for a name and a link, nothing private.
BYLINE_FIELDS = (
    "position",
    "user__id",
    "user__username",
    "user__first_name",
    "user__last_name",
    "user__author_profile__id",
    "user__author_profile__display_name",
    "user__author_profile__slug",
)


def public_name(user, profile: "AuthorProfile | None" = None) -> str:
    """Return the name readers see for a user: never an e-mail address.

    The profile's display name, else the account's full name, else its username unless the
    username is an e-mail address (some sites log in by address), else "An author".
    """
    if profile is not None and profile.display_name.strip():
        return profile.display_name.strip()
    full_name = user.get_full_name().strip()
    if full_name and "@" not in full_name:
        return full_name
    username = user.get_username()
    if username and "@" not in username:
        return username
    return str(_("An author"))


@dataclass(frozen=True)
class Byline:
    """One author as a page shows them: a name, and their page's address if they have one."""

    name: str
    url: str = ""
    user_id: int | None = None


def byline_of(user, profile: "AuthorProfile | None") -> Byline:
    """Return how a page names and links this user."""
    url = profile.get_absolute_url() if profile is not None and profile.slug else ""
    return Byline(public_name(user, profile), url, user.pk)


class AuthorProfileQuerySet(models.QuerySet):
    def public(self) -> "AuthorProfileQuerySet":
        """Return the profiles of authors with at least one published entry.

        An author with only drafts or scheduled entries is as unknown as one with none.
        """
        # Looked up, not imported: Entry's module imports this one.
        Entry = self.model._meta.apps.get_model("posts", "Entry")
        return self.filter(
            models.Exists(
                Entry.objects.published().filter(bylines__user=models.OuterRef("user_id"))
            )
        )


class AuthorProfile(models.Model):
    """What readers see of an author: name, short bio, avatar and links."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_profile"
    )
    display_name = models.CharField(
        _("display name"),
        max_length=150,
        blank=True,
        help_text=_(
            "The name bylines and the author's page show. Left blank: the account's full name."
        ),
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        allow_unicode=True,
        help_text=_("The last part of the author's page address, after /authors/."),
    )
    bio = models.TextField(
        blank=True,
        max_length=5000,
        help_text=_("A few sentences about the author, in Markdown, shown on their page."),
    )
    bio_html = models.TextField(blank=True, editable=False)
    avatar = models.ForeignKey(
        Image,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="avatar_of",
        help_text=_("A picture of the author, shown square on their page. Type its alt text."),
    )
    website = models.URLField(
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The author's own site (http or https)."),
    )
    mastodon = models.URLField(
        _("Mastodon"),
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The address of the author's Mastodon profile, https://server/@name."),
    )
    github = models.URLField(
        _("GitHub"),
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The address of the author's GitHub profile."),
    )

    objects = AuthorProfileQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "slug"]
        verbose_name = _("author profile")

    def __str__(self) -> str:
        return public_name(self.user, self)

    def get_absolute_url(self) -> str:
        return reverse("posts:author", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        """Return the name readers see."""
        return public_name(self.user, self)

    def links(self) -> list[tuple[str, str]]:
        """Return (label, address) for each link the author gave, in a fixed order."""
        pairs = [
            (_("Website"), self.website),
            (_("Mastodon"), self.mastodon),
            (_("GitHub"), self.github),
        ]
        return [(str(label), url) for label, url in pairs if url]

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = (
                slugify(self.display_name, allow_unicode=True)[:90] or f"author-{self.user_id}"
            )
        self.bio_html = render_markdown(self.bio, lookup=Image.objects.named)
        super().save(*args, **kwargs)


class EntryAuthor(models.Model):
    """One author of an entry, at a place in its byline (0 first)."""

    entry = models.ForeignKey("posts.Entry", on_delete=models.CASCADE, related_name="bylines")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bylines",
        verbose_name=_("author"),
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Where in the byline: lower numbers come first.")
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("author")
        constraints = [
            models.UniqueConstraint(fields=["entry", "user"], name="entry_author_once"),
        ]
        indexes = [models.Index(fields=["user", "entry"], name="entry_author_by_user")]

    def __str__(self) -> str:
        return public_name(self.user)
