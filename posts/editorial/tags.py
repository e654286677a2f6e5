"""Tag management: renames and merges that keep old tag addresses and the search index right."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from taggit.models import Tag, TaggedItem

from posts import search
from posts.links import tag_path
from posts.models import Entry, Redirect


def redirect_tag(old_slug: str, new_slug: str) -> None:
    """Send the old tag address (and any redirect that led to it) to the new one."""
    old, new = tag_path(old_slug), tag_path(new_slug)
    if old == new:
        return
    Redirect.objects.filter(target=old).update(target=new)
    Redirect.objects.filter(old_path=new).delete()  # the new address is a live page now
    Redirect.objects.update_or_create(old_path=old, defaults={"target": new, "entry": None})


def reindex_entries(entry_ids) -> None:
    """Store the tag names of these entries again and update their search rows."""
    search.reindex(sorted(entry_ids))


def tagged_entry_ids(tags) -> set[int]:
    """Return the ids of the entries carrying any of these tags."""
    entry_type = ContentType.objects.get_for_model(Entry)
    return set(
        TaggedItem.objects.filter(tag__in=tags, content_type=entry_type).values_list(
            "object_id", flat=True
        )
    )


@transaction.atomic
def tag_renamed(tag: Tag, old_name: str, old_slug: str) -> None:
    """After a tag's name or slug changed: redirect its old address, refresh its entries."""
    if tag.slug != old_slug:
        redirect_tag(old_slug, tag.slug)
    if tag.name != old_name:
        reindex_entries(tagged_entry_ids([tag]))


@transaction.atomic
def merge_tags(keep: Tag, others) -> int:
    """Move every entry of the other tags to `keep`, delete them, redirect them; return count."""
    others = [tag for tag in others if tag.pk != keep.pk]
    if not others:
        return 0
    affected = tagged_entry_ids([keep, *others])
    items = TaggedItem.objects.filter(tag__in=others)
    already = set(TaggedItem.objects.filter(tag=keep).values_list("content_type_id", "object_id"))
    # Bulk updates send no m2m_changed: the search helpers are called below instead.
    for item in items:
        if (item.content_type_id, item.object_id) in already:
            item.delete()
        else:
            already.add((item.content_type_id, item.object_id))
            TaggedItem.objects.filter(pk=item.pk).update(tag=keep)
    for tag in others:
        slug = tag.slug
        tag.delete()
        redirect_tag(slug, keep.slug)
    reindex_entries(affected)
    return len(others)


@transaction.atomic
def delete_tags(tags) -> int:
    """Delete tags and take their names out of their entries' search text; return count."""
    tags = list(tags)
    affected = tagged_entry_ids(tags)
    # The cascade to TaggedItem sends no m2m_changed either.
    for tag in tags:
        tag.delete()
    reindex_entries(affected)
    return len(tags)
