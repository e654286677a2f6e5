"""Feeds name every author of an entry; authors and series have feeds of their own."""

import feedparser
import pytest
from django.urls import reverse

from posts.models import Entry
from tests.factories import AuthorProfileFactory, EntryFactory, SeriesFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def co_written():
    ada = AuthorProfileFactory(display_name="Ada Lovelace", slug="ada")
    grace = UserFactory(username="grace@example.org", first_name="", last_name="")
    charles = AuthorProfileFactory(display_name="Charles Babbage", slug="charles")
    entry = EntryFactory(author=ada.user, title="Engines")
    entry.set_authors([charles.user, ada.user, grace])
    return entry


def test_atom_carries_an_author_element_per_author_in_order(client, co_written):
    body = client.get(reverse("posts:feed")).content.decode()
    item = feedparser.parse(body).entries[0]
    assert [(a.get("name"), a.get("href")) for a in item.authors] == [
        ("Charles Babbage", "http://testserver/authors/charles/"),
        ("Ada Lovelace", "http://testserver/authors/ada/"),
        ("An author", None),
    ]
    assert "grace@example.org" not in body


def test_rss_names_every_author_as_a_dc_creator(client, co_written):
    body = client.get(reverse("posts:feed-rss")).content.decode()
    assert body.count("<dc:creator") == 3
    assert "grace@example.org" not in body


def test_the_author_feed_holds_their_published_entries_co_written_ones_included(client):
    ada = AuthorProfileFactory(display_name="Ada", slug="ada")
    other = AuthorProfileFactory(display_name="Other")
    EntryFactory(author=ada.user, title="Own")
    shared = EntryFactory(author=other.user, title="Shared")
    shared.set_authors([other.user, ada.user])
    EntryFactory(author=ada.user, title="Draft", status=Entry.Status.DRAFT)
    EntryFactory(author=other.user, title="Not hers")
    feed = feedparser.parse(
        client.get(reverse("posts:author-feed", kwargs={"slug": "ada"})).content
    )
    assert feed.feed.title.endswith(": Ada")
    assert sorted(item.title for item in feed.entries) == ["Own", "Shared"]


def test_the_series_feed_holds_its_published_parts(client):
    series = SeriesFactory(title="Unikernels", slug="unikernels")
    EntryFactory(title="One", series=series, series_part=1)
    EntryFactory(title="Two", series=series, series_part=2, status=Entry.Status.DRAFT)
    EntryFactory(title="Elsewhere")
    url = reverse("posts:series-feed", kwargs={"slug": "unikernels"})
    feed = feedparser.parse(client.get(url).content)
    assert feed.feed.title.endswith(": Unikernels")
    assert [item.title for item in feed.entries] == ["One"]
