"""Revisions: every change to an entry's (or page's) text kept (who, when, what), compared and
restored. A page has no tags: its revisions keep an empty tag line."""

import difflib
import itertools

from django.conf import settings
from django.db import transaction
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from taggit.utils import edit_string_for_tags, parse_tags

from posts.models import Entry, Page, Revision

DIFF_CONTEXT_LINES = 3


def tags_text(entry: Entry) -> str:
    """Return an entry's tag names as one comma-separated string, sorted."""
    return edit_string_for_tags(entry.tags.all())


def _owner(entry: Entry | Page) -> dict:
    """Return the Revision field naming this entry or page."""
    return {"page": entry} if isinstance(entry, Page) else {"entry": entry}


def entry_snapshot(entry: Entry | Page) -> dict:
    """Return what a revision would keep of an entry (or a page) as it is now."""
    return {
        "title": entry.title,
        "body": entry.body,
        "excerpt": entry.excerpt,
        "tags": tags_text(entry) if isinstance(entry, Entry) else "",
        "cover_id": entry.cover_id,
    }


def record_revision(
    entry: Entry | Page, author=None, *, previous: dict | None = None
) -> Revision | None:
    """Keep the entry's current text as a revision if it differs from the last one; prune.

    previous is the entry's state before this save, when the caller knows it: an entry with
    no revisions yet then gets that state kept first, so the change itself can be compared.
    """
    current = entry_snapshot(entry)
    latest = entry.revisions.order_by("-created_at", "-pk").first()
    if latest is not None and latest.snapshot() == current:
        return None
    with transaction.atomic():
        if latest is None and previous is not None:
            if previous == current:
                return None
            Revision.objects.create(
                **_owner(entry), author=None, created_at=entry.created_at, **previous
            )
        revision = Revision.objects.create(**_owner(entry), author=author, **current)
        prune_entry(entry, settings.BLOGSITE_REVISIONS_KEEP)
    return revision


def prune_entry(entry: Entry | Page, keep: int) -> int:
    """Delete all but the newest `keep` revisions of an entry; return how many went."""
    stale = list(entry.revisions.order_by("-created_at", "-pk").values_list("pk", flat=True)[keep:])
    if stale:
        Revision.objects.filter(pk__in=stale).delete()
    return len(stale)


def prune_revisions(keep: int, *, dry_run: bool = False) -> int:
    """Delete all but the newest `keep` revisions of every entry; return how many (would) go."""
    total = 0
    owners = itertools.chain(
        Entry.objects.filter(revisions__isnull=False).distinct().only("pk").iterator(),
        Page.objects.filter(revisions__isnull=False).distinct().only("pk").iterator(),
    )
    for entry in owners:
        if dry_run:
            total += max(0, entry.revisions.count() - keep)
        else:
            total += prune_entry(entry, keep)
    return total


@transaction.atomic
def restore_revision(revision: Revision, author=None) -> Revision | None:
    """Put a revision's text back into its entry, which keeps that as a new revision."""
    entry = revision.owner
    entry.title = revision.title
    entry.body = revision.body
    entry.excerpt = revision.excerpt
    entry.cover_id = revision.cover_id
    entry.save()
    if isinstance(entry, Entry):
        entry.tags.set(parse_tags(revision.tags))
    return record_revision(entry, author)


def changed_fields(older: dict, newer: dict) -> list[str]:
    """Return the names of the kept fields that differ between two snapshots."""
    return [name.removesuffix("_id") for name in Revision.FIELDS if older[name] != newer[name]]


def diff_html(older: str, newer: str) -> SafeString:
    """Return a line diff of two texts as table rows; every line of text is escaped."""
    lines = difflib.unified_diff(
        older.splitlines(), newer.splitlines(), lineterm="", n=DIFF_CONTEXT_LINES
    )
    rows = []
    # The first two lines name the files ("--- ", "+++ "); a line of text may start so too.
    for line in itertools.islice(lines, 2, None):
        if line.startswith("@@"):
            rows.append(("diff-hunk", "", line))
        elif line.startswith("+"):
            rows.append(("diff-add", "+", line[1:]))
        elif line.startswith("-"):
            rows.append(("diff-del", "−", line[1:]))
        else:
            rows.append(("diff-same", "", line[1:]))
    if not rows:
        return format_html('<p class="diff-none">{}</p>', "No difference.")
    return format_html(
        '<table class="diff"><tbody>{}</tbody></table>',
        format_html_join(
            "",
            '<tr class="{}"><td class="diff-mark">{}</td><td><pre>{}</pre></td></tr>',
            rows,
        ),
    )
