"""The entry page's comments: {% comments_head entry %} in the head, {% comments_section entry %}
after the entry. Two queries whatever the number of comments; no script, no cookie, and
nothing that differs between readers or between renders of the same content."""

from django import template
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import Comment, Discussion, comments_open

register = template.Library()


@register.inclusion_tag("comments/head.html")
def comments_head(entry) -> dict:
    return {
        "feed": reverse("comments:entry-feed", kwargs={"entry_id": entry.pk}),
        "webmention": reverse("comments:webmention"),
        "entry": entry,
    }


@register.inclusion_tag("comments/section.html")
def comments_section(entry) -> dict:
    switch = Discussion.objects.filter(entry=entry).values_list("open", flat=True)
    is_open = comments_open(entry, switch[0] if switch else True)
    threads, reactions, replies = [], [], {}
    for comment in Comment.objects.approved().filter(entry=entry).order_by("created_at", "pk"):
        if comment.kind in (Comment.Kind.LIKE, Comment.Kind.REPOST):
            reactions.append(comment)
        elif comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
        else:
            threads.append(comment)
    for comment in threads:
        comment.thread_replies = replies.get(comment.pk, [])
    # No stamp here: the page is the same for every reader and every rebuild; the preview
    # step gives one (comments/views.py).
    form = CommentForm() if is_open else None
    return {
        "entry": entry,
        "threads": threads,
        "reactions": reactions,
        "count": len(threads) + sum(len(r) for r in replies.values()),
        "form": form,
        "action": reverse("comments:post", kwargs={"entry_id": entry.pk}),
        "feed": reverse("comments:entry-feed", kwargs={"entry_id": entry.pk}),
    }
