"""Sitemaps: an index, sections split into pages, fixed queries, and all of it cached."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from posts.models import AuthorProfile, Entry, Redirect, Series
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sitemap_paths(client) -> list[str]:
    """Return the addresses the index at /sitemap.xml lists, as local paths."""
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    return [local(loc.text) for loc in root.findall("s:sitemap/s:loc", NS)]


def page_locations(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml"
    return [node.text for node in ET.fromstring(response.content).findall("s:url/s:loc", NS)]


def make_entries(count: int) -> list[Entry]:
    now = timezone.now()
    return [
        EntryFactory(published_at=now - timedelta(days=40 * i), tags=[f"tag-{i}", "common"])
        for i in range(count)
    ]


def test_the_index_splits_each_section_into_pages_of_the_limit(client, settings):
    settings.BLOGSITE_SITEMAP_LIMIT = 2
    entries = make_entries(5)
    series = Series.objects.create(title="Parts", slug="parts")
    for entry in entries:
        AuthorProfile.objects.create(user=entry.author, slug=f"writer-{entry.pk}")
        Entry.objects.filter(pk=entry.pk).update(series=series)
    EntryFactory(status=Entry.Status.DRAFT, tags=["secret"])
    paths = sitemap_paths(client)
    assert [path for path in paths if "entries" in path] == [
        "/sitemap-entries.xml",
        "/sitemap-entries-2.xml",
        "/sitemap-entries-3.xml",
    ]
    pages = [page_locations(client, path) for path in paths]
    assert all(1 <= len(page) <= 2 for page in pages)
    found = [location for page in pages for location in page]
    assert len(found) == len(set(found))  # no address on two pages
    for entry in entries:
        assert "http://testserver" + entry.get_absolute_url() in found
    assert "http://testserver/tags/secret/" not in found
    # ?p=N on a section's first address is the same page, as Django's sitemaps have it.
    assert page_locations(client, "/sitemap-entries.xml?p=2") == page_locations(
        client, "/sitemap-entries-2.xml"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap-entries-4.xml",
        "/sitemap-entries.xml?p=4",
        "/sitemap-entries.xml?p=abc",
        "/sitemap-entries-0.xml",
        "/sitemap-nothing.xml",
    ],
)
def test_a_page_past_the_end_or_of_no_section_is_a_404(client, settings, path):
    settings.BLOGSITE_SITEMAP_LIMIT = 2
    make_entries(5)
    assert client.get(path).status_code == 404


def test_tags_of_drafts_and_scheduled_entries_are_left_out(client):
    EntryFactory(status=Entry.Status.DRAFT, tags=["secret"])
    EntryFactory(published_at=timezone.now() + timedelta(days=1), tags=["later"])
    EntryFactory(tags=["shown"])
    assert page_locations(client, "/sitemap-tags.xml") == ["http://testserver/tags/shown/"]


@pytest.mark.parametrize("count", [3, 12])
def test_every_sitemap_page_costs_a_fixed_number_of_queries(
    client, settings, django_assert_num_queries, count
):
    settings.BLOGSITE_SITEMAP_LIMIT = 2
    make_entries(count)
    # The index: each paged section's count (archives: its bounds and months), no lastmod.
    with django_assert_num_queries(8):
        paths = sitemap_paths(client)
    # A section's page: its rows, picked by offset without a count (archives: bounds and
    # months; the front page: the date of its latest change).
    expected = {
        "index": 1, "entries": 1, "pages": 1, "tags": 1, "authors": 1, "series": 1, "archives": 3
    }  # fmt: skip
    for path in (paths[0], paths[1], paths[-1], *[p for p in paths if "entries" in p][-1:]):
        section = path.removeprefix("/sitemap-").split(".")[0].rstrip("-0123456789")
        with django_assert_num_queries(expected[section]):
            page_locations(client, path)


def test_sitemap_pages_with_p_are_served_from_the_page_cache(
    client, settings, django_assert_num_queries
):
    # ?p= was taken for WordPress's ?p=ID and sent every sitemap request past the cache:
    # a few requests at once to a large sitemap held everyone else up for seconds.
    settings.BLOGSITE_PAGE_CACHE = True
    settings.BLOGSITE_SITEMAP_LIMIT = 2
    cache.clear()
    make_entries(5)
    for path in ("/sitemap.xml?p=1", "/sitemap-entries.xml?p=1", "/sitemap-entries.xml?p=2"):
        first = client.get(path)
        assert first.status_code == 200 and first["X-Cache"] == "miss", path
        with django_assert_num_queries(0):
            second = client.get(path)
        assert second["X-Cache"] == "hit" and second.content == first.content, path
    # Each page is a page of its own in the cache, not page 1 again.
    assert (
        client.get("/sitemap-entries.xml?p=2").content
        != client.get("/sitemap-entries.xml?p=1").content
    )
    cache.clear()


def test_wordpress_p_elsewhere_still_redirects(client, settings):
    settings.BLOGSITE_PAGE_CACHE = True
    cache.clear()
    entry = EntryFactory()
    Redirect.objects.create(old_path="/?p=2", entry=entry)
    Redirect.objects.create(old_path="/sitemap-entries.xml?p=1", target="/elsewhere/")
    response = client.get("/", {"p": "2"})
    assert response.status_code == 301 and response["Location"] == entry.get_absolute_url()
    # On a sitemap, p is the sitemap's page: never an old address.
    assert client.get("/sitemap-entries.xml", {"p": "1"}).status_code == 200
    cache.clear()


def test_robots_txt_names_the_index(client):
    EntryFactory()
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert sitemap_paths(client)  # what it names is a sitemap index with sitemaps in it


@pytest.mark.parametrize("oldest_year", [2019, 1700])
def test_archives_list_every_period_with_entries_whatever_their_span(
    client, django_assert_num_queries, oldest_year
):
    # 1700: an import with a wrong year; one probe per month would not fit in a query.
    old = EntryFactory(published_at=timezone.make_aware(timezone.datetime(oldest_year, 2, 3)))
    EntryFactory(published_at=timezone.make_aware(timezone.datetime(2024, 12, 31, 23)))
    EntryFactory(status=Entry.Status.DRAFT, published_at=old.published_at.replace(year=2022))
    with django_assert_num_queries(3):
        found = page_locations(client, "/sitemap-archives.xml")
    base = "http://testserver"
    assert found == [
        f"{base}/2024/",
        f"{base}/{oldest_year}/",
        f"{base}/2024/12/",
        f"{base}/{oldest_year}/02/",
    ]
