"""What search engines and link previews read: sitemap, robots.txt, meta tags, JSON-LD."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from posts.models import Entry
from tests.factories import EntryFactory, ImageFactory, image_bytes

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_sitemap_lists_entries_with_lastmod_tags_archives_and_the_front_page(client):
    when = timezone.make_aware(timezone.datetime(2024, 3, 9, 12))
    entry = EntryFactory(published_at=when, tags=["python"])
    EntryFactory(status=Entry.Status.DRAFT, title="Draft", tags=["secret"])
    EntryFactory(published_at=timezone.now() + timedelta(days=1), title="Later")
    index = ET.fromstring(client.get(reverse("sitemap")).content)
    urls = {}
    for sitemap in index.findall("s:sitemap/s:loc", SITEMAP_NS):
        response = client.get(sitemap.text)
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        urls |= {
            node.find("s:loc", SITEMAP_NS).text: node.findtext("s:lastmod", None, SITEMAP_NS)
            for node in root.findall("s:url", SITEMAP_NS)
        }
    base = "http://testserver"
    assert set(urls) == {
        base + "/",
        base + entry.get_absolute_url(),
        base + "/tags/python/",
        base + "/archive/",  # the list of years and months, with the pages
        base + "/2024/",
        base + "/2024/03/",
    }
    assert urls[base + entry.get_absolute_url()] == entry.updated_at.date().isoformat()


def test_robots_txt_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text and "Disallow: /search/" in text


def meta(html: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    return found.group(1) if found else None


def test_an_entry_page_carries_sharing_metadata_and_json_ld(client):
    cover = ImageFactory(alt_text="A blue square")
    entry = EntryFactory(
        title="Shared widely", excerpt="A short summary.", cover=cover, tags=["a", "b"]
    )
    html = client.get(entry.get_absolute_url()).content.decode()
    url = "http://testserver" + entry.get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta name="description" content="A short summary.">' in html
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:title") == "Shared widely"
    assert meta(html, "og:url") == url
    assert meta(html, "og:image").startswith("http://testserver/media/renditions/")
    assert meta(html, "twitter:card") == "summary_large_image"
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Shared widely"
    assert data["url"] == url
    assert data["image"]["url"] == meta(html, "og:image")
    assert data["author"] == [{"@type": "Person", "name": entry.author.get_full_name()}]
    assert sorted(data["keywords"]) == ["a", "b"]


def test_json_ld_cannot_break_out_of_its_script_element(client):
    entry = EntryFactory(title="</script><script>alert(1)</script>")
    html = client.get(entry.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert "alert" in block.group(1) and "<" not in block.group(1)
    assert json.loads(block.group(1))["headline"] == entry.title


def test_list_pages_have_a_canonical_link_with_their_page_number(client):
    EntryFactory.create_batch(11)
    html = client.get("/?page=2&utm_source=x").content.decode()
    assert '<link rel="canonical" href="http://testserver/?page=2">' in html
    assert meta(html, "og:type") == "website"


def test_entry_page_shows_reading_time_neighbours_and_related_entries(client):
    now = timezone.now()
    older = EntryFactory(title="Older", published_at=now - timedelta(days=3), tags=["x"])
    entry = EntryFactory(
        title="Middle", body="word " * 700, published_at=now - timedelta(days=2), tags=["x", "y"]
    )
    newer = EntryFactory(title="Newer", published_at=now - timedelta(days=1), tags=["y"])
    best = EntryFactory(title="Shares both", published_at=now - timedelta(days=9), tags=["x", "y"])
    EntryFactory(title="Shares none", tags=["z"])
    response = client.get(entry.get_absolute_url())
    html = response.content.decode()
    assert "3 minutes read" in html  # 700 words at 230 a minute
    assert response.context["previous_entry"] == older
    assert response.context["next_entry"] == newer
    assert f'<a rel="prev" href="{older.get_absolute_url()}">' in html
    assert [e.title for e in response.context["related"]] == ["Shares both", "Newer", "Older"]
    assert best.get_absolute_url() in html


def test_neighbours_walk_every_published_entry_once_even_at_the_same_minute():
    now = timezone.now().replace(microsecond=0)
    same = now - timedelta(hours=1)
    first = EntryFactory(title="First", published_at=now - timedelta(days=1))
    tied = [EntryFactory(title=f"Tied {i}", published_at=same) for i in range(3)]
    last = EntryFactory(title="Last", published_at=now - timedelta(minutes=1))
    EntryFactory(title="Draft", status=Entry.Status.DRAFT, published_at=same)
    EntryFactory(title="Later", published_at=now + timedelta(days=1))
    walked, entry = [], first
    while entry is not None:
        walked.append(entry.title)
        entry = Entry.objects.get(pk=entry.pk).neighbours()[1]
    assert walked == ["First", *(e.title for e in tied), "Last"]
    back, entry = [], last
    while entry is not None:
        back.append(entry.title)
        entry = Entry.objects.get(pk=entry.pk).neighbours()[0]
    assert back == list(reversed(walked))
    draft = Entry.objects.get(title="Draft")
    assert draft.neighbours() == (None, None)


def test_tags_page_counts_published_entries_only(client):
    EntryFactory.create_batch(2, tags=["python"])
    EntryFactory(tags=["python", "rust"], status=Entry.Status.DRAFT)
    html = client.get(reverse("posts:tags")).content.decode()
    assert re.search(
        r'href="/tags/python/" rel="tag">python</a> <span class="count">2 entries', html
    )
    assert "rust" not in html


def test_related_entries_leave_out_drafts_scheduled_and_the_entry_itself():
    now = timezone.now()
    entry = EntryFactory(tags=["x", "y"])
    EntryFactory(title="Draft", status=Entry.Status.DRAFT, tags=["x", "y"])
    EntryFactory(title="Later", published_at=now + timedelta(days=1), tags=["x", "y"])
    shown = EntryFactory(title="Shown", tags=["y"])
    related = entry.related()
    assert [e.title for e in related] == ["Shown"]
    assert related[0].get_absolute_url() == shown.get_absolute_url()


def json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return json.loads(block.group(1))


def test_an_entrys_own_search_and_sharing_fields_lead_the_head(client):
    cover = ImageFactory(alt_text="The cover")
    social = ImageFactory(
        alt_text="A wide card", file=ContentFile(image_bytes((1300, 700)), name="card.png")
    )
    entry = EntryFactory(
        title="Shared widely",
        excerpt="A short summary.",
        cover=cover,
        seo_title="Sharing, widely: a field guide",
        meta_description="Written for search results & cards.",
        social_image=social,
        canonical_url="https://elsewhere.example.org/2024/shared-widely",
    )
    html = client.get(entry.get_absolute_url()).content.decode()
    original = "https://elsewhere.example.org/2024/shared-widely"
    assert "<title>Sharing, widely: a field guide</title>" in html
    assert '<meta name="description" content="Written for search results &amp; cards.">' in html
    assert f'<link rel="canonical" href="{original}">' in html
    title = "Sharing, widely: a field guide"
    assert meta(html, "og:title") == meta(html, "twitter:title") == title
    description = "Written for search results &amp; cards."
    assert meta(html, "og:description") == meta(html, "twitter:description") == description
    assert meta(html, "og:url") == original
    assert meta(html, "og:image:alt") == "A wide card"
    assert "/renditions/" in meta(html, "og:image") and "card" in meta(html, "og:image")
    assert meta(html, "twitter:image") == meta(html, "og:image")
    data = json_ld(html)
    assert data["headline"] == "Shared widely"  # the article's own title
    assert data["description"] == "Written for search results & cards."
    assert data["url"] == data["mainEntityOfPage"] == original
    assert data["image"]["url"] == meta(html, "og:image")
    assert (data["image"]["width"], data["image"]["height"]) == (1300, 700)


def test_without_them_the_head_is_as_it_always_was(client):
    cover = ImageFactory(alt_text="The cover")
    entry = EntryFactory(title="Plain", excerpt="A short summary.", cover=cover)
    html = client.get(entry.get_absolute_url()).content.decode()
    url = "http://testserver" + entry.get_absolute_url()
    assert "<title>Plain · blogsite</title>" in html
    assert '<meta name="description" content="A short summary.">' in html
    assert f'<link rel="canonical" href="{url}">' in html
    assert (meta(html, "og:title"), meta(html, "og:url")) == ("Plain", url)
    assert meta(html, "og:image:alt") == "The cover"
    assert json_ld(html)["url"] == url


def test_a_social_image_without_a_cover_makes_a_large_card(client):
    entry = EntryFactory(cover=None, social_image=ImageFactory(alt_text="Only for sharing"))
    html = client.get(entry.get_absolute_url()).content.decode()
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "og:image:alt") == "Only for sharing"
    assert 'class="cover"' not in html  # the page itself still shows no cover


def test_a_deleted_social_image_leaves_the_entry_with_its_cover(client):
    social = ImageFactory()
    entry = EntryFactory(social_image=social, cover=ImageFactory(alt_text="The cover"))
    social.delete()
    entry.refresh_from_db()
    assert entry.social_image is None
    html = client.get(entry.get_absolute_url()).content.decode()
    assert meta(html, "og:image:alt") == "The cover"


def test_a_social_image_costs_the_entry_page_no_query(client, django_assert_num_queries):
    # The entry (author, cover and social image joined), its byline, its tags, its
    # neighbours, related entries, then (comments/) the comment switch and the approved
    # comments: tests/test_views.py counts the same 7 for an entry without these fields.
    plain = EntryFactory(cover=ImageFactory(), tags=["a"])
    shared = EntryFactory(
        cover=ImageFactory(),
        tags=["a"],
        social_image=ImageFactory(),
        canonical_url="https://x.org/",
    )
    for entry in (plain, shared):
        with django_assert_num_queries(7):
            assert client.get(entry.get_absolute_url()).status_code == 200
