"""Which entry each post of an import updates, and the slug each post takes.

A post updates the entry an earlier import of its source made; a slug another entry or post
holds is never taken from it: the post gets the next free one ("-2", "-3"…), and a note.
"""

from django.db.models import Prefetch

from posts.importers.records import Post, Report
from posts.importers.store import RENDERED
from posts.models import Entry, next_free_slug


def match_entries(posts: list[Post], report: Report) -> dict[str, Entry]:
    """Find the entry each post updates; return them by slug (posts take their slugs).

    A post updates the entry an import of the same source made (same import_key), or,
    from our own export, the entry with its slug that no import made. Any other entry
    holding its slug is someone else's: the post gets a free slug instead.
    """
    # The rendered text is made again for an entry that changes: it is not read. Tags
    # come as a plain list: through taggit's manager, prefetching built a query for
    # every entry, two thirds of a re-import's time in this process.
    entries = Entry.objects.defer(*RENDERED, "tag_names")
    entries = entries.prefetch_related(Prefetch("tags", to_attr="tag_list"))
    keys = [post.key for post in posts if post.key]
    by_key = {}
    for start in range(0, len(keys), 500):
        for entry in entries.filter(import_key__in=keys[start : start + 500]):
            by_key[entry.import_key] = entry
    # A slug names one entry: those found by their key are not read again.
    by_slug = {entry.slug: entry for entry in by_key.values()}
    slugs = [post.slug for post in posts if post.slug not in by_slug]
    for start in range(0, len(slugs), 500):
        for entry in entries.filter(slug__in=slugs[start : start + 500]):
            by_slug[entry.slug] = entry
    found: dict[str, Entry] = {}
    claimed = {entry.slug for entry in by_key.values()}
    for post in posts:
        entry = by_key.get(post.key) if post.key else None
        if entry is not None and entry.slug in found:
            entry = None  # two posts of one source under one key: the second is new
        if entry is None:
            holder = by_slug.get(post.slug)
            if holder is not None and holder.import_key == post.key and post.slug not in claimed:
                entry = holder  # our export of an entry written here (no key on either side)
            elif holder is not None or post.slug in claimed:
                taken = post.slug
                post.slug = _free_slug(post.slug, claimed)
                report.notes[
                    f"slug {taken!r} belongs to another entry: {post.origin} gets {post.slug!r}"
                ] += 1
        if entry is not None:
            post.slug = entry.slug
            found[entry.slug] = entry
        claimed.add(post.slug)
    return found


def _free_slug(slug: str, claimed: set[str]) -> str:
    """Return slug-2, slug-3… : the first that no entry and no post of this import holds."""
    stored = Entry.objects.filter(slug__startswith=slug[:190]).values_list("slug", flat=True)
    return next_free_slug(slug, claimed | set(stored))


def distinct_slugs(posts: list[Post], report: Report) -> None:
    """Two posts of one import with one slug (a title used twice): the later gets "-2"."""
    taken = {post.slug for post in posts}
    seen: set[str] = set()
    for post in posts:
        if post.slug in seen:
            free = next_free_slug(post.slug, taken)
            report.notes[f"slug {post.slug!r} used twice; {post.origin} gets {free!r}"] += 1
            post.slug = free
            taken.add(free)
        seen.add(post.slug)
