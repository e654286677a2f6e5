"""Atom feeds of approved comments: one per entry, one for the whole site."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from comments.models import Comment
from posts.models import Entry

FEED_SIZE = 50


class SiteCommentsFeed(Feed):
    feed_type = Atom1Feed
    title = "Comments"
    subtitle = "The latest approved comments on every entry."

    def link(self) -> str:
        return reverse("posts:index")

    def items(self):
        return (
            Comment.objects.approved()
            .filter(entry__in=Entry.objects.published())
            .select_related("entry")
            .order_by("-approved_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item: Comment) -> str:
        return f"{item.name} on {item.entry.title}"

    def item_description(self, item: Comment) -> str:
        return item.body_html

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Comment):
        return item.approved_at or item.created_at

    def item_author_name(self, item: Comment) -> str:
        return item.name


class EntryCommentsFeed(SiteCommentsFeed):
    def get_object(self, request, entry_id: int) -> Entry:
        return get_object_or_404(Entry.objects.published(), pk=entry_id)

    def title(self, entry: Entry) -> str:
        return f"Comments on {entry.title}"

    def subtitle(self, entry: Entry) -> str:
        return f"Approved comments on “{entry.title}”."

    def link(self, entry: Entry) -> str:
        return entry.get_absolute_url()

    def items(self, entry: Entry):
        return (
            Comment.objects.approved()
            .filter(entry=entry)
            .select_related("entry")
            .order_by("-approved_at", "-pk")[:FEED_SIZE]
        )
