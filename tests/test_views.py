from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from posts.models import AuthorProfile, Entry, EntryAuthor
from tests.factories import EntryFactory, ImageFactory

pytestmark = pytest.mark.django_db


def month_url(entry: Entry) -> str:
    when = timezone.localtime(entry.published_at)
    return reverse("posts:archive-month", kwargs={"year": when.year, "month": when.month})


def test_index_lists_published_entries_newest_first(client):
    old = EntryFactory(title="Older one", published_at=timezone.now() - timedelta(days=5))
    new = EntryFactory(title="Newer one", tags=["python"], cover=ImageFactory())
    EntryFactory(title="Secret draft", status=Entry.Status.DRAFT)
    EntryFactory(title="Not yet", published_at=timezone.now() + timedelta(days=1))
    response = client.get(reverse("posts:index"))
    assert response.status_code == 200
    assert list(response.context["entries"]) == [new, old]
    html = response.content.decode()
    assert "Secret draft" not in html and "Not yet" not in html
    assert new.get_absolute_url() in html
    assert reverse("posts:tag", kwargs={"slug": "python"}) in html
    webp = next(r for r in new.cover.renditions if r["format"] == "WEBP")
    assert f'srcset="{new.cover.file.storage.url(webp["name"])} 64w"' in html
    assert new.author.get_full_name() in html
    assert "Some Markdown text." in html  # the summary


def test_index_paginates_by_ten_and_out_of_range_pages_are_404(client):
    EntryFactory.create_batch(11)
    first = client.get(reverse("posts:index"))
    assert len(first.context["entries"]) == 10
    assert 'href="?page=2"' in first.content.decode()
    assert len(client.get(reverse("posts:index"), {"page": 2}).context["entries"]) == 1
    assert client.get(reverse("posts:index"), {"page": 3}).status_code == 404
    assert client.get(reverse("posts:index"), {"page": "x"}).status_code == 404


def test_entry_page_shows_the_rendered_body(client):
    entry = EntryFactory(body="## Heading\n\n```python\nprint(1)\n```", tags=["code"])
    response = client.get(entry.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Heading</h2>" in html
    assert '<span class="nb">print</span>' in html
    assert f"<title>{entry.title} · " in html


def test_entry_with_unicode_slug_is_reachable(client):
    entry = EntryFactory(title="Ölmühle am Fluß")
    assert client.get(entry.get_absolute_url()).status_code == 200


def test_entry_at_a_wrong_month_redirects_permanently_to_its_address(client):
    entry = EntryFactory(published_at=timezone.make_aware(timezone.datetime(2023, 5, 2, 12)))
    response = client.get("/2021/01/" + entry.slug + "/")
    assert response.status_code == 301
    assert response["Location"] == entry.get_absolute_url()


def test_drafts_and_scheduled_entries_are_404_for_readers_and_previews_for_staff(
    client, staff_client
):
    draft = EntryFactory(status=Entry.Status.DRAFT, published_at=None)
    scheduled = EntryFactory(published_at=timezone.now() + timedelta(days=2))
    for entry in (draft, scheduled):
        assert client.get(entry.get_absolute_url()).status_code == 404
        preview = staff_client.get(entry.get_absolute_url())
        assert preview.status_code == 200
        assert "Preview:" in preview.content.decode()
        assert '<meta name="robots" content="noindex">' in preview.content.decode()
        assert "no-store" in preview["Cache-Control"]


def test_tag_page_lists_only_published_entries_with_that_tag(client):
    tagged = EntryFactory(tags=["Mirage OS"])
    EntryFactory(tags=["other"])
    EntryFactory(tags=["Mirage OS"], status=Entry.Status.DRAFT)
    response = client.get(reverse("posts:tag", kwargs={"slug": "mirage-os"}))
    assert response.status_code == 200
    assert list(response.context["entries"]) == [tagged]
    assert "Entries tagged “Mirage OS”" in response.content.decode()
    assert client.get(reverse("posts:tag", kwargs={"slug": "nope"})).status_code == 404


def test_year_and_month_archives(client):
    march = EntryFactory(published_at=timezone.make_aware(timezone.datetime(2024, 3, 9, 12)))
    july = EntryFactory(published_at=timezone.make_aware(timezone.datetime(2024, 7, 1, 12)))
    EntryFactory(published_at=timezone.make_aware(timezone.datetime(2023, 7, 1, 12)))
    year = client.get(reverse("posts:archive-year", kwargs={"year": 2024}))
    assert list(year.context["entries"]) == [july, march]
    assert month_url(march) in year.content.decode()
    month = client.get(month_url(march))
    assert list(month.context["entries"]) == [march]
    html = month.content.decode()
    assert '<a rel="next" href="/2024/07/">' in html and '<a rel="prev" href="/2023/07/">' in html
    assert client.get(reverse("posts:archive-year", kwargs={"year": 2019})).status_code == 404
    assert client.get("/2024/02/").status_code == 404


def test_a_year_lists_its_months_with_entries_in_the_sites_time_zone(client, settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override("Europe/Paris"):
        # 23:30 UTC on 31 December is already January in Paris.
        EntryFactory(published_at=timezone.make_aware(timezone.datetime(2023, 12, 31, 23, 30), UTC))
        EntryFactory(published_at=timezone.make_aware(timezone.datetime(2024, 5, 31, 12)))
        EntryFactory(published_at=timezone.make_aware(timezone.datetime(2024, 6, 1, 12)))
        EntryFactory(
            status=Entry.Status.DRAFT,
            published_at=timezone.make_aware(timezone.datetime(2024, 9, 1, 12)),
        )
        year = client.get(reverse("posts:archive-year", kwargs={"year": 2024}))
    assert [month.month for month in year.context["date_list"]] == [1, 5, 6]


def test_archive_queries_bound_the_period_before_now(client):
    """SQLite ends an index range at the first upper bound on the column it is given: a
    month or year page must name its own end before published()'s "until now"."""
    entry = EntryFactory(published_at=timezone.make_aware(timezone.datetime(2024, 3, 9, 12)))
    EntryFactory(published_at=timezone.make_aware(timezone.datetime(2023, 7, 1, 12)))
    pages = [reverse("posts:archive-year", kwargs={"year": 2024}), month_url(entry)]
    with CaptureQueriesContext(connection) as queries:
        for url in pages:
            assert client.get(url).status_code == 200
    checked = 0
    for query in queries.captured_queries:
        for where in query["sql"].split("WHERE")[1:]:
            period, now = where.find('"published_at" < '), where.find('"published_at" <= ')
            if period != -1 and now != -1:
                assert period < now, query["sql"]
                checked += 1
    assert checked >= 4  # year: entries and months; month: entries and the older month


TAG_ADDRESSES = ["posts:tag", "posts:tag-feed", "posts:tag-feed-rss"]


@pytest.mark.parametrize("name", TAG_ADDRESSES)
def test_a_tag_only_unpublished_entries_carry_is_as_unknown_as_no_tag(client, name):
    # Guessing a topic's name must not confirm it before an entry about it is out.
    EntryFactory(tags=["Secret merger"], status=Entry.Status.DRAFT)
    EntryFactory(tags=["Secret merger"], published_at=timezone.now() + timedelta(days=2))
    EntryFactory(tags=["Public"])
    for slug in ("secret-merger", "never-made"):
        response = client.get(reverse(name, kwargs={"slug": slug}))
        assert response.status_code == 404, slug
        assert "Secret merger" not in response.content.decode()
    assert client.get(reverse(name, kwargs={"slug": "public"})).status_code == 200


def test_the_tag_list_names_only_tags_of_published_entries(client):
    EntryFactory(tags=["Secret merger", "Shared"], status=Entry.Status.DRAFT)
    EntryFactory(tags=["Scheduled topic"], published_at=timezone.now() + timedelta(days=2))
    EntryFactory(tags=["Shared"])
    response = client.get(reverse("posts:tags"))
    html = response.content.decode()
    assert "Secret merger" not in html and "Scheduled topic" not in html
    assert [(tag.name, tag.count) for tag in response.context["tags"]] == [("Shared", 1)]


@pytest.mark.parametrize(
    "path",
    [
        "/no/such/page/",
        "/2024/13/",
        "/0000/",
        "/9999/",
        "/9999/12/",
        "/2024/03/missing/",
        "/tags/nope/feed/",
        "/tags/%00/",
        "/?page=-1",
        "/?page=99999999999999999999",
    ],
)
def test_unknown_urls_get_the_sites_own_404(client, path):
    EntryFactory()
    response = client.get(path)
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


def test_public_pages_set_no_cookies(client):
    entry = EntryFactory(tags=["x"])
    for url in ("/", entry.get_absolute_url(), "/tags/x/", month_url(entry)):
        response = client.get(url)
        assert response.status_code == 200
        assert not response.cookies, url


def list_pages(entries: list[Entry]) -> list[str]:
    entry = entries[0]
    when = timezone.localtime(entry.published_at)
    return [
        reverse("posts:index"),
        reverse("posts:tag", kwargs={"slug": "common"}),
        reverse("posts:archive-year", kwargs={"year": when.year}),
        month_url(entry),
        entry.get_absolute_url(),
        reverse("posts:tags"),
        reverse("posts:search") + "?q=number",
        reverse("posts:feed"),
        reverse("posts:tag-feed-rss", kwargs={"slug": "common"}),
        reverse("sitemap"),
    ]


def make_entries(count: int) -> list[Entry]:
    now = timezone.now()
    return [
        EntryFactory(
            published_at=now - timedelta(minutes=i),
            tags=["common", f"own-{i}", "third"],
            cover=ImageFactory(),
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [1, 30])
def test_each_public_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    pages = list_pages(make_entries(count))
    # index: entries (with author and cover joined, one past the page), tags, bylines
    # (authors with their profiles); never a count. tag: the tag, then as the index. entry:
    # the entry, its byline, its tags, the older and newer entries together, related
    # entries, then (comments/) the entry's comment switch and its approved comments.
    # year: the months with entries, then as the index, then the nearest older and newer
    # years with entries. month: as the index, then the nearest older and newer months with
    # entries. tags page: one. search: count, hits, their entries (joined to the hits on
    # PostgreSQL), their tags, their bylines, the matching pages. feeds: entries, tags and
    # bylines (and the tag). sitemap index: each paged section's count (pages, authors and
    # series too), the archives' bounds (tests/delivery/test_sitemaps.py has the sections'
    # pages).
    search = 6 if connection.vendor == "sqlite" else 5
    expected = [3, 4, 6, 5, 7, 1, search, 3, 4, 8]
    for url, queries in zip(pages, expected, strict=True):
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url


def test_lists_of_entries_without_byline_rows_still_cost_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    # Entries written in bulk (a script, bench/'s generator before it wrote bylines) have
    # no byline rows: cards then name the entry's author, whose profile comes with the list.
    entries = make_entries(12)
    EntryAuthor.objects.filter(entry__in=entries).delete()
    profile = AuthorProfile.objects.create(
        user=entries[0].author, display_name="Ada the Writer", slug="ada"
    )
    for url, queries in [("/", 3), ("/tags/common/", 4)]:
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert profile.display_name in response.content.decode()


def test_a_tag_whose_name_slugifies_to_nothing_gets_a_page_of_its_own(client):
    entry = EntryFactory(tags=["!!!", "🎉"])
    slugs = sorted(tag.slug for tag in entry.tags.all())
    assert slugs == [f"tag-{tag.pk}" for tag in sorted(entry.tags.all(), key=lambda t: t.slug)]
    assert client.get(reverse("posts:index")).status_code == 200
    for slug in slugs:
        response = client.get(reverse("posts:tag", kwargs={"slug": slug}))
        assert response.status_code == 200 and entry.title in response.content.decode()


def test_a_nul_byte_in_the_path_is_the_sites_own_404(client):
    # PostgreSQL refuses NUL in text: without the check, lookups with one were 500s there.
    response = client.get("/2013/01/old%00permalink.html")
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


@pytest.mark.parametrize("query", ["?p=%00", "?page_id=1%00", "?q=a%00b"])
def test_a_nul_byte_in_the_query_string_is_ignored_like_any_junk(client, query):
    EntryFactory(title="Front page")
    response = client.get("/" + query)
    assert response.status_code == 200
    assert "Front page" in response.content.decode()
