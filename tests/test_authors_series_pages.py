"""The public pages of authors and series, and what the entry page says of both."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from posts.models import Entry
from tests.factories import (
    AuthorProfileFactory,
    EntryFactory,
    ImageFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def author_url(profile) -> str:
    return reverse("posts:author", kwargs={"slug": profile.slug})


def series_url(series) -> str:
    return reverse("posts:series", kwargs={"slug": series.slug})


def co_written(*users, **fields) -> Entry:
    entry = EntryFactory(author=users[0], **fields)
    entry.set_authors(users)
    return entry


@pytest.fixture
def ada():
    return AuthorProfileFactory(
        display_name="Ada Lovelace",
        slug="ada",
        bio="Wrote *the first* program.\n\n<script>alert(1)</script>",
        website="https://ada.example/",
        mastodon="https://social.example/@ada",
        avatar=ImageFactory(alt_text="Ada's portrait"),
    )


@pytest.fixture
def charles():
    return AuthorProfileFactory(display_name="Charles Babbage", slug="charles")


# The entry page: its byline, JSON-LD and series navigation.


def test_the_entry_page_names_and_links_every_author_in_order(client, ada, charles):
    entry = co_written(charles.user, ada.user, title="Engines")
    html = client.get(entry.get_absolute_url()).content.decode()
    assert (
        f'by <a href="{author_url(charles)}" rel="author">Charles Babbage</a> and '
        f'<a href="{author_url(ada)}" rel="author">Ada Lovelace</a>'
    ) in html


def test_three_authors_read_a_b_and_c(client, ada, charles):
    grace = UserFactory(first_name="Grace", last_name="Hopper")  # no profile: no link
    entry = co_written(ada.user, grace, charles.user)
    html = client.get(entry.get_absolute_url()).content.decode()
    assert (
        f'by <a href="{author_url(ada)}" rel="author">Ada Lovelace</a>, Grace Hopper and '
        f'<a href="{author_url(charles)}" rel="author">Charles Babbage</a>'
    ) in html


def test_json_ld_carries_each_author_as_a_person_with_url(client, ada, charles):
    entry = co_written(ada.user, charles.user)
    html = client.get(entry.get_absolute_url()).content.decode()
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["author"] == [
        {"@type": "Person", "name": "Ada Lovelace", "url": "http://testserver/authors/ada/"},
        {"@type": "Person", "name": "Charles Babbage", "url": "http://testserver/authors/charles/"},
    ]


@pytest.mark.parametrize(
    ("username", "first", "last", "display", "shown"),
    [
        ("ada@example.org", "", "", "", "An author"),
        ("ada@example.org", "Ada", "Lovelace", "", "Ada Lovelace"),
        ("ada@example.org", "", "", "   ", "An author"),
        ("adal", "", "", "", "adal"),
        ("x@y.org", "x@y.org", "", "", "An author"),
    ],
)
def test_a_byline_never_shows_an_email_address(client, username, first, last, display, shown):
    user = UserFactory(username=username, first_name=first, last_name=last, email="a@b.org")
    if display:
        AuthorProfileFactory(user=user, display_name=display)
    entry = EntryFactory(author=user)
    html = client.get(entry.get_absolute_url()).content.decode()
    assert "@" not in html.split('class="byline"')[1].split("</p>")[0]
    assert f"by {shown}" in html or f'rel="author">{shown}</a>' in html


def test_the_uncached_entry_page_costs_the_same_with_three_authors_as_with_one(
    client, django_assert_num_queries, ada, charles
):
    grace = AuthorProfileFactory(display_name="Grace Hopper")
    one = EntryFactory(author=ada.user, tags=["t"])
    three = co_written(ada.user, charles.user, grace.user, tags=["t"])
    # The entry page's 7 (tests/test_views.py), whatever the number of authors.
    with django_assert_num_queries(7) as single:
        assert client.get(one.get_absolute_url()).status_code == 200
    with django_assert_num_queries(len(single.captured_queries)):
        assert client.get(three.get_absolute_url()).status_code == 200


def test_an_entry_shows_its_place_in_the_series_and_links_published_parts_only(client):
    series = SeriesFactory(title="Unikernels in production")
    now = timezone.now()
    first = EntryFactory(title="Why", series=series, series_part=1, published_at=now - timedelta(3))
    EntryFactory(title="Secret part", series=series, series_part=2, status=Entry.Status.DRAFT)
    second = EntryFactory(
        title="How", series=series, series_part=3, published_at=now - timedelta(2)
    )
    EntryFactory(
        title="Future part", series=series, series_part=4, published_at=now + timedelta(days=1)
    )
    third = EntryFactory(
        title="Then", series=series, series_part=5, published_at=now - timedelta(1)
    )

    html = client.get(second.get_absolute_url()).content.decode()
    assert f'<a href="{series_url(series)}">Unikernels in production</a>, part 2 of 3' in html
    assert f'href="{first.get_absolute_url()}"><span>Previous part</span> Why' in html
    assert f'href="{third.get_absolute_url()}"><span>Next part</span> Then' in html
    assert "Secret part" not in html and "Future part" not in html

    html = client.get(first.get_absolute_url()).content.decode()
    assert "part 1 of 3" in html and "Previous part" not in html


def test_a_draft_in_a_series_previewed_by_staff_has_no_series_box(staff_client):
    series = SeriesFactory()
    EntryFactory(series=series, series_part=1)
    draft = EntryFactory(series=series, series_part=2, status=Entry.Status.DRAFT)
    html = staff_client.get(draft.get_absolute_url()).content.decode()
    assert 'class="series-nav"' not in html


def test_the_series_box_costs_one_query(client, django_assert_num_queries):
    series = SeriesFactory()
    plain = EntryFactory(tags=["t"])
    parts = [EntryFactory(series=series, series_part=n, tags=["t"]) for n in range(1, 11)]
    with django_assert_num_queries(7):
        client.get(plain.get_absolute_url())
    with django_assert_num_queries(8):
        client.get(parts[4].get_absolute_url())


# Author pages.


def test_the_author_page_shows_the_profile_and_published_entries(client, ada, charles):
    own = EntryFactory(author=ada.user, title="Notes on the engine")
    shared = co_written(charles.user, ada.user, title="Written together")
    EntryFactory(author=ada.user, title="Unfinished thought", status=Entry.Status.DRAFT)
    EntryFactory(author=charles.user, title="Only Charles")
    response = client.get(author_url(ada))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Ada Lovelace</h1>" in html
    assert "<em>the first</em>" in html and "<script>alert" not in html  # the bio, rendered
    assert 'href="https://ada.example/" rel="me noopener">Website</a>' in html
    assert 'href="https://social.example/@ada" rel="me noopener">Mastodon</a>' in html
    assert "<picture" in html and "srcset" in html  # the avatar, with renditions
    assert own.title in html and shared.title in html
    assert "Unfinished thought" not in html and "Only Charles" not in html
    assert f'href="{reverse("posts:author-feed", kwargs={"slug": "ada"})}"' in html


def test_an_author_with_only_drafts_or_scheduled_entries_is_unknown(client, ada, charles):
    EntryFactory(author=ada.user, status=Entry.Status.DRAFT)
    EntryFactory(author=ada.user, published_at=timezone.now() + timedelta(days=2))
    EntryFactory(author=charles.user)
    assert client.get(author_url(ada)).status_code == 404
    assert client.get(reverse("posts:author-feed", kwargs={"slug": "ada"})).status_code == 404
    listing = client.get(reverse("posts:authors")).content.decode()
    assert "Ada Lovelace" not in listing and "Charles Babbage" in listing


def test_a_co_author_of_a_draft_only_is_unknown_too(client, ada, charles):
    EntryFactory(author=charles.user)
    co_written(charles.user, ada.user, status=Entry.Status.DRAFT, published_at=None)
    assert client.get(author_url(ada)).status_code == 404
    sitemap = client.get("/sitemap-authors.xml").content.decode()
    assert "/authors/charles/" in sitemap and "/authors/ada/" not in sitemap


def test_the_author_list_counts_published_entries(client, ada, charles):
    EntryFactory.create_batch(2, author=ada.user)
    co_written(charles.user, ada.user)
    EntryFactory(author=ada.user, status=Entry.Status.DRAFT)
    html = client.get(reverse("posts:authors")).content.decode()
    assert "3 entries" in html and "1 entry" in html
    assert html.index("Ada Lovelace") < html.index("Charles Babbage")


def test_an_unknown_author_or_a_hostile_slug_is_a_404(client):
    assert client.get("/authors/nobody/").status_code == 404
    assert client.get("/authors/%00/").status_code == 404
    assert client.get("/authors/a/feed/").status_code == 404


def test_the_author_page_is_paginated(client, settings, ada):
    now = timezone.now()
    for n in range(settings.BLOGSITE_PAGE_SIZE + 2):
        EntryFactory(author=ada.user, title=f"Entry {n}", published_at=now - timedelta(hours=n))
    first = client.get(author_url(ada))
    second = client.get(author_url(ada) + "?page=2")
    assert len(first.context["entries"]) == settings.BLOGSITE_PAGE_SIZE
    assert [e.title for e in second.context["entries"]] == [
        f"Entry {settings.BLOGSITE_PAGE_SIZE}",
        f"Entry {settings.BLOGSITE_PAGE_SIZE + 1}",
    ]


# Series pages.


def test_the_series_page_lists_published_parts_in_order(client):
    series = SeriesFactory(title="Unikernels", description="Five parts about **unikernels**.")
    now = timezone.now()
    EntryFactory(title="Part two", series=series, series_part=2, published_at=now)
    EntryFactory(title="Part one", series=series, series_part=1, published_at=now)
    EntryFactory(title="Draft part", series=series, series_part=3, status=Entry.Status.DRAFT)
    html = client.get(series_url(series)).content.decode()
    assert "<strong>unikernels</strong>" in html
    assert html.index("Part one") < html.index("Part two")
    assert "Draft part" not in html
    assert '<ol class="series-parts" start="1">' in html


def test_a_series_with_only_drafts_is_unknown(client):
    hidden = SeriesFactory(title="Hidden plans")
    EntryFactory(series=hidden, status=Entry.Status.DRAFT)
    shown = SeriesFactory(title="Out there")
    EntryFactory(series=shown)
    assert client.get(series_url(hidden)).status_code == 404
    assert client.get(reverse("posts:series-feed", kwargs={"slug": hidden.slug})).status_code == 404
    listing = client.get(reverse("posts:series-list")).content.decode()
    assert "Hidden plans" not in listing and "Out there" in listing
    sitemap = client.get("/sitemap-series.xml").content.decode()
    assert series_url(shown) in sitemap and series_url(hidden) not in sitemap


# Constant queries on every new public page.


def make_pages(count: int):
    ada = AuthorProfileFactory(display_name="Ada", avatar=ImageFactory())
    charles = AuthorProfileFactory(display_name="Charles")
    series = SeriesFactory()
    now = timezone.now()
    for n in range(count):
        entry = EntryFactory(
            author=ada.user,
            published_at=now - timedelta(minutes=n),
            tags=["a", f"t{n}"],
            cover=ImageFactory(),
            series=series,
            series_part=n,
        )
        entry.set_authors([ada.user, charles.user])
    return [
        reverse("posts:authors"),
        author_url(ada),
        reverse("posts:author-feed", kwargs={"slug": ada.slug}),
        reverse("posts:series-list"),
        series_url(series),
        reverse("posts:series-feed", kwargs={"slug": series.slug}),
    ]


@pytest.mark.parametrize("count", [1, 10])
def test_each_new_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    pages = make_pages(count)
    # authors: one. author: the profile, the entries (one past the page), their tags,
    # their bylines. author feed: the profile, entries, tags, bylines. series list: one.
    # series: the series, then as the author page. series feed: the series, then as above.
    for url, queries in zip(pages, [1, 4, 4, 1, 4, 4], strict=True):
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200, url


# Caching and previews.


@pytest.mark.django_db(transaction=True)
def test_a_profile_or_series_change_makes_cached_pages_stale(client, settings):
    # Real commits: the cache's version is bumped once a transaction commits.
    settings.BLOGSITE_PAGE_CACHE = True
    ada = AuthorProfileFactory(display_name="Ada Lovelace")
    series = SeriesFactory(title="Before")
    entry = EntryFactory(author=ada.user, series=series, series_part=1)
    assert "Ada Lovelace" in client.get(entry.get_absolute_url()).content.decode()
    assert client.get(entry.get_absolute_url()).headers["X-Cache"] == "hit"
    ada.display_name = "Augusta Ada King"
    ada.save()
    series.title = "After"
    series.save()
    response = client.get(entry.get_absolute_url())
    html = response.content.decode()
    assert response.headers["X-Cache"] == "miss"
    assert "Augusta Ada King" in html, html[html.find("byline") :][:400]
    assert "After</a>, part 1 of 1" in html


def test_a_co_author_previews_the_draft_they_co_write(client, ada, charles):
    from django.contrib.auth.models import Group

    from posts.editorial.roles import AUTHOR, setup_roles

    setup_roles()
    for user in (ada.user, charles.user):
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=AUTHOR))
    draft = co_written(ada.user, charles.user, status=Entry.Status.DRAFT, published_at=None)
    client.force_login(charles.user)
    assert client.get(draft.get_absolute_url()).status_code == 200
    client.force_login(UserFactory(is_staff=True))
    assert client.get(draft.get_absolute_url()).status_code == 404
