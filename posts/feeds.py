"""Atom and RSS feeds of the 20 newest published entries, for the site and for each tag."""

import copy
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from posts.models import Entry

FEED_SIZE = 20
# Root-relative addresses in href, src and srcset (the media and entry links we write).
_RELATIVE_URL = re.compile(r'(\s(?:href|src)=")(/[^/"][^"]*|/)"')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


def absolute_urls(html: str, base: str) -> str:
    """Return HTML with root-relative links and image sources made absolute, as feeds need."""
    html = _RELATIVE_URL.sub(lambda m: f'{m.group(1)}{base}{m.group(2)}"', html)

    def fix_srcset(match: re.Match) -> str:
        parts = [
            base + part.strip() if part.strip().startswith("/") else part.strip()
            for part in match.group(2).split(",")
        ]
        return f'{match.group(1)}{", ".join(parts)}"'

    return _SRCSET.sub(fix_srcset, html)


class EntryFeed(Feed):
    feed_type = Atom1Feed
    description_template = None

    def __call__(self, request, *args, **kwargs):
        # urls.py holds one instance for every request: the request's own address goes on a
        # copy, so that two requests served at once never mix their hosts.
        feed = copy.copy(self)
        feed.base = f"{request.scheme}://{request.get_host()}"
        return Feed.__call__(feed, request, *args, **kwargs)

    def title(self) -> str:
        return settings.BLOGSITE_TITLE

    def subtitle(self) -> str:
        return settings.BLOGSITE_TAGLINE

    description = subtitle

    def link(self) -> str:
        return reverse("posts:index")

    def entries(self):
        # Lists leave the bodies out; a feed carries body_html in full.
        return Entry.objects.published().for_listing().defer(None).defer("body", "body_text")

    def items(self):
        return self.entries()[:FEED_SIZE]

    def item_title(self, entry: Entry) -> str:
        return entry.title

    def item_description(self, entry: Entry) -> str:
        return absolute_urls(entry.body_html, self.base)

    def item_author_name(self, entry: Entry) -> str:
        return entry.author.get_full_name() or entry.author.get_username()

    def item_categories(self, entry: Entry) -> list[str]:
        return [tag.name for tag in entry.tag_list]

    def item_pubdate(self, entry: Entry):
        return entry.published_at

    def item_updateddate(self, entry: Entry):
        return max(entry.updated_at, entry.published_at)

    def item_guid(self, entry: Entry) -> str:
        # Stable whatever happens to the title, slug or date: the entry's number and birthday.
        return f"tag:{self.base.split('://', 1)[1]},{entry.created_at:%Y-%m-%d}:entry-{entry.pk}"

    item_guid_is_permalink = False


class EntryRssFeed(EntryFeed):
    feed_type = Rss201rev2Feed


class TagFeed(EntryFeed):
    def get_object(self, request, slug: str) -> Tag:
        return get_object_or_404(Tag, slug=slug)

    def title(self, tag: Tag) -> str:
        return f"{settings.BLOGSITE_TITLE}: {tag.name}"

    def link(self, tag: Tag) -> str:
        return reverse("posts:tag", kwargs={"slug": tag.slug})

    def items(self, tag: Tag):
        return self.entries().filter(tags=tag)[:FEED_SIZE]


class TagRssFeed(TagFeed):
    feed_type = Rss201rev2Feed
