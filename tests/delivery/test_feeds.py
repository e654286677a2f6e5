import html
from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from posts.models import Entry
from tests.factories import EntryFactory, ImageFactory

pytestmark = pytest.mark.django_db

FEEDS = [
    reverse("posts:feed"),
    reverse("posts:feed-rss"),
    reverse("posts:tag-feed", kwargs={"slug": "python"}),
    reverse("posts:tag-feed-rss", kwargs={"slug": "python"}),
]


@pytest.fixture
def entries():
    now = timezone.now()
    made = [
        EntryFactory(title=f"Post {i}", published_at=now - timedelta(hours=i), tags=["python", "x"])
        for i in range(22)
    ]
    EntryFactory(title="A draft", status=Entry.Status.DRAFT, tags=["python"])
    EntryFactory(title="Not yet", published_at=now + timedelta(hours=1), tags=["python"])
    return made


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_parses_cleanly_with_the_20_newest_published_entries(client, entries, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    titles = [item.title for item in feed.entries]
    assert titles == [f"Post {i}" for i in range(20)]
    first = feed.entries[0]
    assert first.link == "http://testserver" + entries[0].get_absolute_url()
    assert first.author == entries[0].author.get_full_name()
    assert {tag.term for tag in first.tags} == {"python", "x"}
    assert first.id.startswith("tag:testserver,") and first.id.endswith(f":entry-{entries[0].pk}")
    assert first.published_parsed is not None


def test_feed_items_carry_the_full_html_with_absolute_addresses(client):
    cover = ImageFactory()
    picture = ImageFactory()
    entry = EntryFactory(
        body=f"See [the other post](/2020/01/other/).\n\n![]({picture.file.url})", cover=cover
    )
    raw = client.get(reverse("posts:feed")).content.decode()
    content = html.unescape(raw)  # the Atom content is escaped HTML
    assert 'href="http://testserver/2020/01/other/"' in content
    assert 'src="http://testserver/media/' in content
    assert 'srcset="http://testserver/media/' in content
    assert entry.title == feedparser.parse(raw).entries[0].title


def test_the_entry_id_survives_a_new_title_and_slug(client):
    entry = EntryFactory(title="First title")
    before = feedparser.parse(client.get(reverse("posts:feed")).content).entries[0].id
    entry.title, entry.slug = "Second title", "second-title"
    entry.save()
    after = feedparser.parse(client.get(reverse("posts:feed")).content).entries[0]
    assert after.id == before and after.title == "Second title"


def test_pages_advertise_the_feeds(client):
    EntryFactory(tags=["python"])
    index = client.get("/").content.decode()
    assert f'type="application/atom+xml" title="blogsite (Atom)" href="{FEEDS[0]}"' in index
    assert f'href="{FEEDS[1]}"' in index
    tag_page = client.get(reverse("posts:tag", kwargs={"slug": "python"})).content.decode()
    assert f'href="{FEEDS[2]}"' in tag_page and f'href="{FEEDS[3]}"' in tag_page


def test_an_empty_blog_still_has_valid_feeds(client):
    for url in FEEDS[:2]:
        feed = feedparser.parse(client.get(url).content)
        assert feed.bozo == 0 and feed.entries == []


def test_a_request_leaves_nothing_on_the_shared_feed_object(client, settings):
    # urls.py serves every request with one Feed instance; per-request state on it would let
    # two requests served at once (threads) write each other's host into their feeds.
    from django.urls import resolve

    settings.ALLOWED_HOSTS = ["one.example"]
    EntryFactory()
    shared = resolve(reverse("posts:feed")).func
    assert client.get(reverse("posts:feed"), headers={"host": "one.example"}).status_code == 200
    assert not hasattr(shared, "base")


@pytest.mark.parametrize("url", [reverse("posts:feed"), reverse("posts:feed-rss")])
def test_an_entry_first_published_elsewhere_names_the_original(client, url):
    original = "https://elsewhere.example.org/2024/first"
    moved = EntryFactory(title="Moved", canonical_url=original)
    EntryFactory(title="Ours", published_at=timezone.now() - timedelta(days=2))
    feed = feedparser.parse(client.get(url).content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    items = {item.title: item for item in feed.entries}
    assert items["Moved"].link == "http://testserver" + moved.get_absolute_url()
    canonical = [link.href for link in items["Moved"].links if link.rel == "canonical"]
    assert canonical == [original]
    assert not [link for link in items["Ours"].links if link.rel == "canonical"]


def test_atom_gives_a_short_summary_and_the_whole_entry_as_html_content(client):
    body = (
        "First paragraph, the summary.\n\n## Later\n\nMore <b>text</b> & `code`, " + "word " * 200
    )
    entry = EntryFactory(body=body, excerpt="")
    raw = client.get(reverse("posts:feed")).content.decode()
    item = feedparser.parse(raw).entries[0]
    assert item.summary == entry.summary == "First paragraph, the summary."
    assert [c.type for c in item.content] == ["text/html"]
    assert item.content[0].value.startswith("<p>First paragraph, the summary.</p>")
    assert "<h2" in item.content[0].value and "<code>code</code>" in item.content[0].value
    assert raw.count("<content ") == 1 and '<content type="html">' in raw
    # RSS keeps the whole entry in its <description>, as RSS readers expect.
    rss = feedparser.parse(client.get(reverse("posts:feed-rss")).content).entries[0]
    assert "<h2" in rss.summary


@pytest.mark.parametrize("url", [reverse("posts:feed"), reverse("posts:feed-rss")])
def test_an_entrys_description_and_social_image_reach_the_feeds(
    client, url, django_assert_num_queries
):
    social = ImageFactory(alt_text="For sharing")
    EntryFactory(
        title="Shared", excerpt="The listing's excerpt.", seo_title="A title for search engines",
        meta_description="Written for link previews.", social_image=social,
    )  # fmt: skip
    EntryFactory(title="Plain", excerpt="Only an excerpt.")
    with django_assert_num_queries(3):  # entries with their pictures, tags, bylines
        raw = client.get(url).content
    feed = feedparser.parse(raw)
    assert feed.bozo == 0, feed.get("bozo_exception")
    items = {item.title: item for item in feed.entries}
    # The item keeps the entry's title: a feed is not a search result.
    assert set(items) == {"Shared", "Plain"}
    thumbnail = items["Shared"].media_thumbnail[0]
    assert thumbnail["url"].startswith("http://testserver/media/")
    assert int(thumbnail["width"]) > 0 and int(thumbnail["height"]) > 0
    assert "media_thumbnail" not in items["Plain"]
    if url == reverse("posts:feed"):
        assert items["Shared"].summary == "Written for link previews."
        assert items["Plain"].summary == "Only an excerpt."
