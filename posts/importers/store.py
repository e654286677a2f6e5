"""Writing a batch with bulk queries: entries, their tag and picture rows, their redirects.

The ORM's bulk_create and bulk_update spent longer building statements than the database spent
running them: new and changed entries go in with one executemany each, as plain rows.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import CharField, TextField
from django.utils import timezone
from taggit.models import TaggedItem

from posts import search
from posts.importers.records import Post, Report
from posts.models import Entry, EntryAuthor, EntryImage, Redirect
from posts.models.redirect import is_safe_target, is_storable_path, normalize_path

# Fields compared to decide whether an entry changed: what a reader or an author could see.
COMPARED = (
    "title", "body", "excerpt", "status", "published_at", "author_id", "cover_id",
    "series_id", "series_part",
)  # fmt: skip
RENDERED = ("body_html", "body_text", "summary")


def write_entries(
    new: list[Entry], changed: list[Entry], tags_of: dict, shown: dict, bylines_of: dict
) -> None:
    """Store a batch's new and changed entries, their bylines, tags, pictures and search text.

    bylines_of: slug -> the entry's authors (users) in byline order.
    """
    _create_entries(new)
    _update_entries(changed, [*COMPARED, *RENDERED, "tag_names", "created_at", "updated_at"])
    written = [*new, *changed]
    entry_type = ContentType.objects.get_for_model(Entry)
    if changed:  # a new entry has no tag or picture rows to replace
        ids = [entry.pk for entry in changed]
        TaggedItem.objects.filter(content_type=entry_type, object_id__in=ids).delete()
        EntryImage.objects.filter(entry_id__in=ids).delete()
        EntryAuthor.objects.filter(entry_id__in=ids).delete()
    _insert(
        EntryAuthor,
        ["entry", "user", "position"],
        [
            (e.pk, user.pk, position)
            for e in written
            for position, user in enumerate(bylines_of[e.slug])
        ],
    )
    _insert(
        TaggedItem,
        ["content_type", "object_id", "tag"],
        [(entry_type.pk, e.pk, tag.pk) for e in written for tag in tags_of[e.slug]],
    )
    _insert(
        EntryImage,
        ["entry", "image"],
        [(e.pk, image.pk) for e in written for image in shown[e.slug]],
    )
    search.index_entries(written)


def store_redirects(
    posts: list[Post], redirects: dict[str, str], by_slug, report: Report, dry_run: bool
) -> None:
    """Keep the posts' old addresses and a redirects file's as Redirects (a dry run counts them)."""
    wanted: dict[str, tuple[Entry | None, str]] = {}
    for post in posts:
        for old in post.old_paths:
            old = normalize_path(old)
            if not is_storable_path(old):
                report.notes[f"old address {old[:60]!r} not kept: spaces or controls"] += 1
                continue
            wanted.setdefault(old, (by_slug.get(post.slug), ""))
    for old, target in redirects.items():
        if not is_safe_target(target):
            report.notes[f"redirect to {target[:60]!r} not imported: not a web address"] += 1
            continue
        old = normalize_path(old)
        if is_storable_path(old):
            wanted.setdefault(old, (None, target))
    stored = {r.old_path: r for r in Redirect.objects.filter(old_path__in=list(wanted))}
    create, update = [], []
    for old, (entry, target) in wanted.items():
        redirect = stored.get(old)
        if redirect is not None and (redirect.entry_id or redirect.page_id) and entry is None:
            continue  # a redirects file's line never takes an old address from its entry or page
        if redirect is None:
            report.redirects_new += 1
            create.append((old, entry and entry.pk, target))
        elif (redirect.entry_id, redirect.target) != (entry and entry.pk, target):
            redirect.entry, redirect.target = entry, target
            update.append(redirect)
    if not dry_run:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        _insert(
            Redirect,
            ["old_path", "entry", "target", "created_at"],
            [(*row, now) for row in create],
        )
        Redirect.objects.bulk_update(update, ["entry", "target"], batch_size=1000)


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert plain rows in one executemany: link tables need no model instances."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})", rows
        )


def _create_entries(entries: list[Entry]) -> None:
    """Insert new entries with one executemany and give them their ids, as bulk_create does.

    Through bulk_create, building the INSERT statements took longer than SQLite took to run
    them (0.9 s of 1.4 s for 5,000 entries, profiled).
    """
    if not entries:
        return
    fields = [field for field in Entry._meta.concrete_fields if not field.primary_key]
    _insert(Entry, [field.name for field in fields], _values(entries, fields))
    # No RETURNING with executemany: the slugs, unique, give the new rows' ids.
    slugs = [entry.slug for entry in entries]
    ids = {}
    for start in range(0, len(slugs), 500):
        ids.update(
            Entry.objects.filter(slug__in=slugs[start : start + 500]).values_list("slug", "pk")
        )
    for entry in entries:
        entry.pk = ids[entry.slug]
        entry._state.adding, entry._state.db = False, connection.alias


def _update_entries(entries: list[Entry], names: list[str]) -> None:
    """Store these fields of changed entries with one executemany, as bulk_update does.

    bulk_update's CASE WHEN statements took 11 of 30 s (profiled) to re-import 2,000
    changed posts.
    """
    if not entries:
        return
    fields = [Entry._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(Entry._meta.db_table)} SET {columns} "
            f"WHERE {quote(Entry._meta.pk.column)} = %s",
            _values(entries, [*fields, Entry._meta.pk]),
        )


def _values(entries: list[Entry], fields: list) -> list[tuple]:
    """Return the entries' values of these fields as query parameters, as the ORM makes them."""
    # Text goes in as it is; anything else (times, foreign keys) through its field.
    prepare = [
        None if isinstance(field, CharField | TextField) else field.get_db_prep_save
        for field in fields
    ]
    return [
        tuple(
            getattr(entry, field.attname)
            if to_db is None
            else to_db(getattr(entry, field.attname), connection)
            for field, to_db in zip(fields, prepare, strict=True)
        )
        for entry in entries
    ]
