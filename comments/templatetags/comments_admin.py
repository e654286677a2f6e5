"""`{% entry_comments_panel original %}`: on the entry's change form, the Webmentions its links
were sent and whether it takes comments, with links to the switch and to the moderation queue.

A template tag rather than an inline, so saving an entry never needs this app's form data, and
so posts never imports comments. Three queries whatever the number of mentions; nothing for a
user who may see none of it.
"""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from comments.models import Comment, Discussion, SentMention, comments_open

register = template.Library()

# The panel lists the latest ones; the full list is one link away.
SHOWN_MENTIONS = 50


@register.inclusion_tag("comments/admin/entry_panel.html", takes_context=True)
def entry_comments_panel(context, entry) -> dict:
    """Return what the panel shows this user about entry's mentions, switch and comments."""
    user = context["request"].user
    may = {
        "mentions": user.has_perm("comments.view_sentmention"),
        "switch": user.has_perm("comments.view_discussion"),
        "comments": user.has_perm("comments.view_comment"),
    }
    if entry is None or entry.pk is None or not any(may.values()):
        return {"shown": False}
    by_entry = urlencode({"entry__id__exact": entry.pk})
    panel = {"shown": True, "entry": entry, "may": may}
    if may["mentions"]:
        mentions = list(
            SentMention.objects.filter(entry_id=entry.pk).order_by("-sent_at", "target")[
                : SHOWN_MENTIONS + 1
            ]
        )
        panel["mentions"] = mentions[:SHOWN_MENTIONS]
        panel["more_mentions"] = len(mentions) > SHOWN_MENTIONS
        panel["mentions_url"] = reverse("admin:comments_sentmention_changelist") + "?" + by_entry
    if may["switch"]:
        switch = list(Discussion.objects.filter(entry_id=entry.pk).values_list("open", flat=True))
        panel["switch_open"] = switch[0] if switch else True
        panel["switch_set"] = bool(switch)
        panel["open_now"] = comments_open(entry, panel["switch_open"])
        if switch and user.has_perm("comments.change_discussion"):
            panel["switch_url"] = reverse("admin:comments_discussion_change", args=[entry.pk])
        elif not switch and user.has_perm("comments.add_discussion"):
            panel["switch_url"] = (
                reverse("admin:comments_discussion_add") + "?" + urlencode({"entry": entry.pk})
            )
    if may["comments"]:
        panel["waiting"] = Comment.objects.waiting().filter(entry_id=entry.pk).count()
        queue = reverse("admin:comments_comment_changelist")
        panel["queue_url"] = queue + "?" + by_entry
        panel["waiting_url"] = (
            queue + "?" + urlencode({"entry__id__exact": entry.pk, "status__exact": "pending"})
        )
    return panel
