"""Comments that came with an imported entry (posts.signals.entry_imported) become Comments.

Idempotent: each carries its source's key, and a key the entry holds already is not added
again. Threading stays one level deep: a reply to a reply answers the first comment. The
body is Markdown, rendered and sanitised by Comment.save like a reader's own.
Imports posts' models and signals only.
"""

from django.dispatch import receiver

from comments.models import Comment
from posts.models import Entry
from posts.signals import ImportedComment, entry_imported


def _root(comment: ImportedComment, by_key: dict[str, ImportedComment]) -> str:
    """Return the key of the top comment this one answers ("" if it answers the entry)."""
    seen = {comment.key}
    key = comment.parent_key
    while key in by_key and by_key[key].parent_key and by_key[key].parent_key not in seen:
        seen.add(key)
        key = by_key[key].parent_key
    # A parent left out (spam, trash) or a loop: the comment answers the entry.
    return key if key in by_key and key not in seen else ""


@receiver(entry_imported, sender=Entry)
def add_imported_comments(
    sender, entry_id: int, comments: list[ImportedComment], **kwargs
) -> tuple[int, int]:
    """Store the comments the entry lacks; return (added, already there)."""
    stored = dict(
        Comment.objects.filter(entry_id=entry_id)
        .exclude(import_key="")
        .values_list("import_key", "pk")
    )
    # A pingback's page is the mention's source, shown as "mentioned this"; one per page.
    sources = set(
        Comment.objects.filter(entry_id=entry_id)
        .exclude(source="")
        .values_list("source", flat=True)
    )
    by_key = {comment.key: comment for comment in comments}
    roots = {comment.key: _root(comment, by_key) for comment in by_key.values()}
    added = known = 0
    # Top comments first, so every reply finds its parent's row.
    for comment in sorted(by_key.values(), key=lambda c: bool(roots[c.key])):
        if comment.key in stored:
            known += 1
            continue
        status = Comment.Status.APPROVED if comment.approved else Comment.Status.PENDING
        row = Comment(
            entry_id=entry_id,
            parent_id=stored.get(roots[comment.key]),
            kind=Comment.Kind.MENTION if comment.kind == "mention" else Comment.Kind.COMMENT,
            status=status,
            name=comment.name[:100],
            email=comment.email,
            website=comment.website,
            body=comment.body,
            import_key=comment.key[:200],
            notified=True,  # written years ago: nobody is to be told of it now
        )
        if row.kind == Comment.Kind.MENTION and comment.website not in sources:
            row.source = comment.website[:1000]
            sources.add(row.source)
        if comment.created_at is not None:
            row.created_at = comment.created_at
            if comment.approved:
                row.approved_at = comment.created_at
        row.save()
        stored[comment.key] = row.pk
        added += 1
    return added, known
