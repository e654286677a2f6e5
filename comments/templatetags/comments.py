"""The entry page's comments: {% comments_head entry %} in the head, {% comments_section entry %}
after the entry. Two queries whatever the number of comments; no script, no cookie, and
nothing that differs between readers or between renders of the same content."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from comments.forms import CommentForm
from comments.models import Comment, comments_open
from comments.page import approved_comments, switched_on

register = template.Library()


@register.inclusion_tag("comments/head.html")
def comments_head(entry) -> dict:
    return {
        "feed": reverse("comments:entry-feed", kwargs={"entry_id": entry.pk}),
        "webmention": reverse("comments:webmention"),
        "entry": entry,
    }


@lru_cache(maxsize=8)
def blank_fields(most: int, language: str) -> SafeString:
    """Return the empty form's fields, the same on every entry: rendered once per process
    (Django's widgets render a template each; this was a sixth of an entry page's time)."""
    return render_to_string("comments/includes/form_fields.html", {"form": CommentForm()})


@register.inclusion_tag("comments/section.html")
def comments_section(entry) -> dict:
    is_open = comments_open(entry, switched_on(entry))
    threads, reactions, replies = [], [], {}
    for comment in approved_comments(entry):
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
    fields = blank_fields(settings.COMMENTS_MAX_LENGTH, get_language()) if is_open else ""
    return {
        "entry": entry,
        "threads": threads,
        "reactions": reactions,
        "count": len(threads) + sum(len(r) for r in replies.values()),
        "form": is_open,
        "blank_fields": fields,
        "action": reverse("comments:post", kwargs={"entry_id": entry.pk}),
        "feed": reverse("comments:entry-feed", kwargs={"entry_id": entry.pk}),
    }
