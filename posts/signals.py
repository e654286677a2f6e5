"""Keeping the search index and the page cache in step with entries, pictures and tags."""

import re

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from posts import search
from posts.cache import bump_content_version
from posts.models import Entry, Image, Redirect, post_rerender

TAG_SLUG = re.compile(r"[-\w]+")  # what the tag page's address accepts


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
@receiver(m2m_changed, sender=Entry.tags.through)
def content_changed(sender, **kwargs) -> None:
    """Any change a reader could see makes every cached page stale, after the commit."""
    if not kwargs.get("raw"):
        bump_content_version()
