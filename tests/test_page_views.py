"""The public side of pages and the archive page: who sees what, at what cost in queries."""

from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from posts.models import Entry, Page
from tests.factories import EntryFactory, PageFactory

pytestmark = pytest.mark.django_db


def test_a_published_page_shows_at_its_address_with_its_way_down(client):
    projects = PageFactory(slug="projects", title="Projects")
    page = PageFactory(slug="unikernels", parent=projects, title="Unikernels", body="Small *VMs*.")
    child = PageFactory(slug="in-production", parent=page, title="In production")
    PageFactory(slug="hidden", parent=page, title="Hidden child", status=Page.Status.DRAFT)
    response = client.get("/projects/unikernels/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Unikernels</h1>" in html and "<em>VMs</em>" in html
    assert 'href="/projects/"' in html  # breadcrumbs
    assert child.get_absolute_url() in html  # "In this section"
    assert "Hidden child" not in html
    assert '<meta property="og:type" content="website">' in html
    assert 'name="robots"' not in html


def test_a_draft_page_is_a_404_to_readers_and_a_private_preview_to_editors(
    client, editor_client, author_client
):
    PageFactory(slug="soon", title="Coming soon", status=Page.Status.DRAFT)
    PageFactory(slug="later", published_at=timezone.now() + timedelta(days=1))
    assert client.get("/soon/").status_code == 404
    assert client.get("/later/").status_code == 404
    preview = editor_client.get("/soon/")
    assert preview.status_code == 200
    assert "this page is a draft" in preview.content.decode()
    assert preview["Cache-Control"] == "private, no-store"
    assert preview["X-Robots-Tag"] == "noindex"
    assert author_client.get("/soon/").status_code == 200  # Authors may edit pages too


def test_an_unknown_address_is_a_404_and_a_post_to_it_too(client):
    PageFactory(slug="about")
    assert client.get("/nowhere/").status_code == 404
    assert client.get("/about/nested/").status_code == 404
    assert client.post("/nowhere/").status_code == 404
    assert client.post("/about/").status_code == 405


def test_a_moved_page_answers_its_old_address_with_a_301(client):
    page = PageFactory(slug="about")
    page.slug = "about-us"
    page.save()
    response = client.get("/about/")
    assert response.status_code == 301
    assert response["Location"] == "/about-us/"
    assert client.get("/about").status_code == 301  # no slash: found as well


def test_a_moved_draft_page_gives_its_new_address_away_to_nobody(client):
    page = PageFactory(slug="plans", status=Page.Status.DRAFT)
    page.slug = "secret-plans"
    page.save()
    assert client.get("/plans/").status_code == 404


def test_pages_stay_out_of_the_stream_feeds_and_tag_pages(client):
    PageFactory(slug="about", title="About this site")
    EntryFactory(title="An entry", tags=["python"])
    for url in ("/", "/feed/", "/feed/rss/", "/tags/python/", "/tags/python/feed/"):
        assert "About this site" not in client.get(url).content.decode(), url


@pytest.mark.parametrize("count", [1, 10])
def test_a_page_costs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    top = PageFactory(slug="top")
    page = PageFactory(slug="page", parent=top)
    for number in range(count):
        PageFactory(slug=f"child-{number}", parent=page)
    # The page (cover and social image joined), the published pages above it, its children.
    with django_assert_num_queries(3):
        assert client.get("/top/page/").status_code == 200


def make_entries_in_months(count: int) -> None:
    zone = timezone.get_current_timezone()
    for number in range(count):
        year, month = 2020 + number // 6, 1 + (number * 2) % 12
        EntryFactory(published_at=datetime(year, month, 15, 12, tzinfo=zone))


def test_the_archive_lists_years_and_months_with_counts_and_links(client):
    zone = timezone.get_current_timezone()
    for day in (3, 20):
        EntryFactory(published_at=datetime(2023, 5, day, 12, tzinfo=zone))
    EntryFactory(published_at=datetime(2024, 1, 2, 12, tzinfo=zone))
    EntryFactory(published_at=datetime(2024, 2, 2, 12, tzinfo=zone), status=Entry.Status.DRAFT)
    response = client.get(reverse("posts:archive"))
    assert response.status_code == 200
    years = response.context["years"]
    assert [(y["year"], y["count"]) for y in years] == [(2024, 1), (2023, 2)]
    assert [(m["date"].month, m["count"]) for m in years[1]["months"]] == [(5, 2)]
    html = response.content.decode()
    assert 'href="/2023/"' in html and 'href="/2023/05/"' in html and 'href="/2024/01/"' in html
    assert "/2024/02/" not in html  # only a draft there


def test_the_archive_of_an_empty_site_says_so(client):
    assert "No entries yet." in client.get(reverse("posts:archive")).content.decode()


def test_every_page_links_the_archive(client):
    html = client.get("/").content.decode()
    assert f'href="{reverse("posts:archive")}"' in html


@pytest.mark.parametrize("count", [1, 10])
def test_the_archive_costs_one_query(client, django_assert_num_queries, count):
    make_entries_in_months(count)
    with django_assert_num_queries(1):
        assert client.get(reverse("posts:archive")).status_code == 200


def test_year_pages_link_the_years_before_and_after(client):
    zone = timezone.get_current_timezone()
    for year in (2019, 2021, 2024):
        EntryFactory(published_at=datetime(year, 6, 1, 12, tzinfo=zone))
    html = client.get("/2021/").content.decode()
    assert 'rel="prev" href="/2019/"' in html
    assert 'rel="next" href="/2024/"' in html
    assert 'href="/archive/"' in html
    html = client.get("/2019/").content.decode()
    assert 'rel="prev"' not in html and 'rel="next" href="/2021/"' in html


def test_month_pages_link_the_months_before_and_after(client):
    zone = timezone.get_current_timezone()
    for month in (1, 4, 9):
        EntryFactory(published_at=datetime(2022, month, 10, 12, tzinfo=zone))
    html = client.get("/2022/04/").content.decode()
    assert 'rel="prev" href="/2022/01/"' in html and 'rel="next" href="/2022/09/"' in html


def test_pages_and_the_archive_are_served_from_the_page_cache(client, settings):
    settings.BLOGSITE_PAGE_CACHE = True
    cache.clear()
    PageFactory(slug="about")
    EntryFactory()
    for url in ("/about/", reverse("posts:archive")):
        assert client.get(url)["X-Cache"] == "miss", url
        assert client.get(url)["X-Cache"] == "hit", url
    cache.clear()


def test_search_finds_published_pages_first_and_never_drafts(client):
    PageFactory(slug="about", title="About the unikernel lab", body="We build small systems.")
    PageFactory(slug="draft", title="Unikernel secrets", status=Page.Status.DRAFT)
    EntryFactory(title="A unikernel entry")
    html = client.get(reverse("posts:search"), {"q": "unikernel"}).content.decode()
    assert 'href="/about/"' in html
    assert "Unikernel secrets" not in html
    assert html.index('href="/about/"') < html.index("A unikernel entry")


def test_the_sitemap_lists_published_pages_and_the_archive(client):
    page = PageFactory(slug="about")
    PageFactory(slug="draft", status=Page.Status.DRAFT)
    xml = client.get("/sitemap-pages.xml").content.decode()
    assert f"<loc>http://testserver{page.get_absolute_url()}</loc>" in xml
    assert "<loc>http://testserver/archive/</loc>" in xml
    assert "/draft/" not in xml
    assert "/sitemap-pages.xml" in client.get("/sitemap.xml").content.decode()
