"""Keeping the search index and the page cache in step with entries, pages, pictures, tags
and the site's settings and menu.

Also the signals posts sends for other apps to act on: `entry_imported` hands an imported
entry's comments to whichever app keeps comments (posts never imports it).
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver
from taggit.models import Tag

from posts import search
from posts.delivery.cache import bump_content_version
from posts.models import (
    AuthorProfile,
    Entry,
    EntryAuthor,
    Image,
    MenuItem,
    Page,
    Redirect,
    Series,
    SiteSettings,
    SocialLink,
    post_rerender,
)

TAG_SLUG = re.compile(r"[-\w]+")  # what the tag page's address accepts


@dataclass(frozen=True)
class ImportedComment:
    """A comment as an import source holds it: plain values, its body in Markdown."""

    key: str  # stable within the entry: "wordpress:<comment id>"
    parent_key: str  # "" for a comment that answers the entry itself
    kind: str  # "comment" or "mention" (a pingback or trackback)
    approved: bool
    name: str
    email: str
    website: str
    body: str
    created_at: datetime | None


# Sent by the importers (sender=Entry) with entry_id and comments (a list of ImportedComment),
# inside the import's transaction, after the entry is written; never in a dry run. A receiver
# returns (added, already_there): the importer counts them in its report.
entry_imported = Signal()


@receiver(post_rerender, sender=Entry)
@receiver(post_save, sender=Entry)
def index_saved_entry(sender, instance: Entry, raw: bool = False, **kwargs) -> None:
    if not raw:
        search.index_entry(instance)


@receiver(post_delete, sender=Entry)
def unindex_deleted_entry(sender, instance: Entry, **kwargs) -> None:
    search.unindex_entry(instance.pk)


@receiver(m2m_changed, sender=Entry.tags.through)
def reindex_on_tag_change(sender, instance, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Entry):
        search.store_tag_names(instance)
        search.index_entry(instance)


@receiver(post_save, sender=Tag)
def give_every_tag_an_address(sender, instance: Tag, raw: bool = False, **kwargs) -> None:
    """A name with no letters or digits ("!!!", "🎉") slugifies to nothing: no page, and
    every page linking the tag would fail. Such a tag gets "tag-<id>" instead."""
    if raw or TAG_SLUG.fullmatch(instance.slug or ""):
        return
    slug, suffix = f"tag-{instance.pk}", 1
    while Tag.objects.filter(slug=slug).exclude(pk=instance.pk).exists():
        suffix += 1
        slug = f"tag-{instance.pk}-{suffix}"
    instance.slug = slug
    Tag.objects.filter(pk=instance.pk).update(slug=slug)


@receiver(post_rerender, sender=Entry)
@receiver(post_save, sender=Entry)
@receiver(post_delete, sender=Entry)
@receiver(post_save, sender=Image)
@receiver(post_delete, sender=Image)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(post_save, sender=Redirect)
@receiver(post_delete, sender=Redirect)
@receiver(post_rerender, sender=Page)
@receiver(post_save, sender=Page)
@receiver(post_delete, sender=Page)
@receiver(post_save, sender=SiteSettings)
@receiver(post_delete, sender=SiteSettings)
@receiver(post_save, sender=MenuItem)
@receiver(post_delete, sender=MenuItem)
@receiver(post_save, sender=SocialLink)
@receiver(post_delete, sender=SocialLink)
@receiver(m2m_changed, sender=Entry.tags.through)
@receiver(post_save, sender=AuthorProfile)
@receiver(post_delete, sender=AuthorProfile)
@receiver(post_save, sender=EntryAuthor)
@receiver(post_delete, sender=EntryAuthor)
@receiver(post_save, sender=Series)
@receiver(post_delete, sender=Series)
def content_changed(sender, **kwargs) -> None:
    """Any change a reader could see makes every cached page stale, after the commit."""
    if not kwargs.get("raw"):
        bump_content_version()
