"""Atom and RSS feeds of the 20 newest published entries: the site, each tag, author, series."""

import copy
import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from taggit.models import Tag

from posts.delivery.frame import site_frame
from posts.delivery.visibility import public_tags
from posts.models import AuthorProfile, Entry, Series
from posts.rendering.pictures import share_image

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


MEDIA_RSS = "http://search.yahoo.com/mrss/"


def add_thumbnail(handler, item) -> None:
    """Write the entry's social image as Media RSS's <media:thumbnail>, where it has one:
    the picture feed readers show beside the item, as link previews do."""
    if item.get("thumbnail"):
        url, width, height = item["thumbnail"]
        attributes = {"url": url, "width": str(width), "height": str(height)}
        handler.addQuickElement("media:thumbnail", "", attributes)


class CanonicalAtomFeed(Atom1Feed):
    """Atom: a short <summary>, the whole entry in <content type="html">, and a rel="canonical"
    link on an entry first published elsewhere."""

    def root_attributes(self) -> dict:
        return {**super().root_attributes(), "xmlns:media": MEDIA_RSS}

    def add_item_elements(self, handler, item) -> None:
        # The item's description is the whole HTML (RSS's <description> carries it); Atom
        # keeps that for <content> and gives <summary> the entry's short summary.
        content = item["description"]
        super().add_item_elements(handler, {**item, "description": escape(item["summary"])})
        handler.addQuickElement("content", content, {"type": "html"})
        if item.get("canonical_url"):
            handler.addQuickElement("link", "", {"rel": "canonical", "href": item["canonical_url"]})
        add_thumbnail(handler, item)
        # The first author is Django's own <author>; each co-author gets one of theirs.
        for name, uri in item.get("coauthors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if uri:
                handler.addQuickElement("uri", uri)
            handler.endElement("author")


class CanonicalRssFeed(Rss201rev2Feed):
    """RSS 2.0, with the same link as an atom:link (RSS has no element of its own for it)."""

    def rss_attributes(self) -> dict:
        return {**super().rss_attributes(), "xmlns:media": MEDIA_RSS}

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        add_thumbnail(handler, item)
        if item.get("canonical_url"):
            attributes = {"rel": "canonical", "href": item["canonical_url"]}
            handler.addQuickElement("atom:link", "", attributes)
        for name, _uri in item.get("coauthors", ()):
            attributes = {"xmlns:dc": "http://purl.org/dc/elements/1.1/"}
            handler.addQuickElement("dc:creator", name, attributes)


class EntryFeed(Feed):
    feed_type = CanonicalAtomFeed
    description_template = None

    def __call__(self, request, *args, **kwargs):
        # urls.py holds one instance for every request: the request's own address goes on a
        # copy, so that two requests served at once never mix their hosts.
        feed = copy.copy(self)
        feed.base = f"{request.scheme}://{request.get_host()}"
        return Feed.__call__(feed, request, *args, **kwargs)

    def title(self) -> str:
        return site_frame().title

    def subtitle(self) -> str:
        return site_frame().tagline

    description = subtitle

    def link(self) -> str:
        return reverse("posts:index")

    def entries(self):
        # Lists leave the bodies out; a feed carries body_html in full.
        entries = Entry.objects.published().for_listing().select_related("social_image")
        return entries.defer(None).defer("body", "body_text")

    def items(self):
        return self.entries()[:FEED_SIZE]

    def item_title(self, entry: Entry) -> str:
        return entry.title

    def item_description(self, entry: Entry) -> str:
        return absolute_urls(entry.body_html, self.base)

    def item_author_name(self, entry: Entry) -> str:
        return entry.byline_list[0].name

    def item_author_link(self, entry: Entry) -> str | None:
        url = entry.byline_list[0].url
        return self.base + url if url else None

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

    def item_extra_kwargs(self, entry: Entry) -> dict:
        # The item's link stays this site's page, where the feed's reader reads it in full;
        # the original's address goes beside it.
        coauthors = [
            (person.name, self.base + person.url if person.url else "")
            for person in entry.byline_list[1:]
        ]
        # The search and sharing fields where they are set: the description written for link
        # previews is Atom's <summary>, the social image a thumbnail. The item's title stays
        # the entry's: the search title is for search results, and a feed is read as the blog.
        thumbnail = None
        if entry.social_image:
            url, width, height = share_image(entry.social_image)
            thumbnail = (self.base + url if url.startswith("/") else url, width, height)
        return {
            "canonical_url": entry.canonical_url,
            "coauthors": coauthors,
            "summary": entry.meta_description or entry.summary,
            "thumbnail": thumbnail,
        }


class EntryRssFeed(EntryFeed):
    feed_type = CanonicalRssFeed


class TagFeed(EntryFeed):
    def get_object(self, request, slug: str) -> Tag:
        return get_object_or_404(public_tags(), slug=slug)

    def title(self, tag: Tag) -> str:
        return f"{site_frame().title}: {tag.name}"

    def link(self, tag: Tag) -> str:
        return reverse("posts:tag", kwargs={"slug": tag.slug})

    def items(self, tag: Tag):
        return self.entries().filter(tags=tag)[:FEED_SIZE]


class TagRssFeed(TagFeed):
    feed_type = CanonicalRssFeed


class AuthorFeed(EntryFeed):
    """An author's newest published entries, co-written ones included (Atom)."""

    def get_object(self, request, slug: str) -> AuthorProfile:
        return get_object_or_404(AuthorProfile.objects.public().select_related("user"), slug=slug)

    def title(self, profile: AuthorProfile) -> str:
        return f"{site_frame().title}: {profile.name}"

    def link(self, profile: AuthorProfile) -> str:
        return profile.get_absolute_url()

    def items(self, profile: AuthorProfile):
        return self.entries().filter(bylines__user=profile.user_id)[:FEED_SIZE]


class SeriesFeed(EntryFeed):
    """A series' published parts, newest first as feeds are (Atom)."""

    def get_object(self, request, slug: str) -> Series:
        return get_object_or_404(Series.objects.public(), slug=slug)

    def title(self, series: Series) -> str:
        return f"{site_frame().title}: {series.title}"

    def link(self, series: Series) -> str:
        return series.get_absolute_url()

    def items(self, series: Series):
        return self.entries().filter(series=series)[:FEED_SIZE]
