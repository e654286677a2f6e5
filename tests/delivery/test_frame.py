"""The frame every page shares: the site's settings and menu, read once per content version."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from posts.delivery.cache import content_version
from posts.delivery.frame import Link, read_frame, site_frame
from posts.models import Entry, MenuItem, Page, SiteSettings, SocialLink
from tests.factories import EntryFactory, ImageFactory, PageFactory

pytestmark = pytest.mark.django_db


def test_a_site_never_edited_shows_the_environment_values(settings):
    settings.BLOGSITE_TITLE = "From the environment"
    settings.BLOGSITE_TAGLINE = "Its tagline"
    frame = read_frame()
    assert (frame.title, frame.tagline, frame.menu) == ("From the environment", "Its tagline", ())
    SiteSettings.objects.create(footer_text="Footer only")
    frame = read_frame()
    assert frame.title == "From the environment" and frame.footer_text == "Footer only"


def test_the_menu_keeps_the_editors_order_and_hides_what_readers_may_not_see():
    site = SiteSettings.objects.create(title="My blog", tagline="Notes")
    about = PageFactory(slug="about", title="About me")
    draft = PageFactory(slug="plans", title="Plans", status=Page.Status.DRAFT)
    later = PageFactory(slug="later", published_at=timezone.now() + timedelta(days=1))
    EntryFactory(tags=["python"])
    EntryFactory(tags=["secret"], status=Entry.Status.DRAFT)
    from taggit.models import Tag

    python, secret = Tag.objects.get(name="python"), Tag.objects.get(name="secret")
    MenuItem.objects.create(
        site=site, kind="link", label="Code", url="https://example.org/", order=30
    )
    MenuItem.objects.create(site=site, kind="page", page=about, order=10)
    MenuItem.objects.create(site=site, kind="tag", tag=python, label="Python posts", order=20)
    MenuItem.objects.create(site=site, kind="page", page=draft, order=5)
    MenuItem.objects.create(site=site, kind="page", page=later, order=6)
    MenuItem.objects.create(site=site, kind="tag", tag=secret, order=7)
    MenuItem.objects.create(site=site, kind="link", label="Archive", url="/archive/", order=40)
    assert read_frame().menu == (
        Link("About me", "/about/"),
        Link("Python posts", "/tags/python/"),
        Link("Code", "https://example.org/", external=True),
        Link("Archive", "/archive/"),
    )


def test_social_links_and_the_default_picture_come_with_the_frame():
    picture = ImageFactory()
    site = SiteSettings.objects.create(default_social_image=picture)
    SocialLink.objects.create(site=site, label="GitHub", url="https://github.com/x", order=2)
    SocialLink.objects.create(site=site, label="Mastodon", url="https://m.example/@x", order=1)
    frame = read_frame()
    assert [link.label for link in frame.social_links] == ["Mastodon", "GitHub"]
    assert frame.social_image == picture


@pytest.mark.parametrize("count", [1, 10])
def test_reading_the_frame_costs_three_queries_whatever_the_menu_holds(
    django_assert_num_queries, count
):
    site = SiteSettings.objects.create()
    for number in range(count):
        page = PageFactory(slug=f"p{number}")
        MenuItem.objects.create(site=site, kind="page", page=page, order=number)
        SocialLink.objects.create(site=site, label=f"L{number}", url="https://example.org/")
    with django_assert_num_queries(3):  # settings and picture, their links, the menu
        frame = read_frame()
    assert len(frame.menu) == count


# Real commits: each save's version bump runs as it would on the site.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [1, 10])
def test_a_page_with_a_menu_costs_no_more_queries_than_without(
    client, django_assert_num_queries, django_assert_max_num_queries, count
):
    EntryFactory()
    # Django keeps content types for the process; a flushed test database forgets them.
    ContentType.objects.get_for_model(Entry)
    client.get("/")  # the frame of a site with no settings, read once
    with django_assert_max_num_queries(10) as without_menu:
        client.get("/")
    with transaction.atomic():
        site = SiteSettings.objects.create(title="Menu site")
        for number in range(count):
            page = PageFactory(slug=f"p{number}", title=f"Menu page {number}")
            MenuItem.objects.create(site=site, kind="page", page=page, order=number)
    # The first page after the change reads the frame once (and when it may keep it);
    # every later page reads none.
    with django_assert_num_queries(len(without_menu) + 4):
        html = client.get("/").content.decode()
    assert "Menu page 0" in html and f"Menu page {count - 1}" in html
    with django_assert_num_queries(len(without_menu)):
        assert f"Menu page {count - 1}" in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_shows_on_the_next_page_even_from_the_page_cache(client, settings):
    settings.BLOGSITE_PAGE_CACHE = True
    cache.clear()
    EntryFactory()
    site = SiteSettings.objects.create(title="Before")
    assert client.get("/")["X-Cache"] == "miss"
    assert client.get("/")["X-Cache"] == "hit"
    token = content_version()[0]
    site.title = "After"
    site.save()
    assert content_version()[0] != token
    response = client.get("/")
    assert response["X-Cache"] == "miss"
    assert "After" in response.content.decode() and "Before" not in response.content.decode()
    assert site_frame().title == "After"
    cache.clear()


def test_a_menu_item_without_its_target_is_refused():
    site = SiteSettings.objects.create()
    for fields, field in (
        ({"kind": "page"}, "page"),
        ({"kind": "tag"}, "tag"),
        ({"kind": "link", "label": "X"}, "url"),
        ({"kind": "link", "label": "X", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "link", "label": "X", "url": "//evil.example/"}, "url"),
        ({"kind": "link", "url": "https://example.org/"}, "label"),
    ):
        item = MenuItem(site=site, **fields)
        with pytest.raises(Exception) as refused:
            item.full_clean()
        assert field in refused.value.message_dict, fields


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_page_joins_the_menu_at_its_time(client, settings):
    import time_machine

    if not settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        pytest.skip("a moved clock does not move Redis's own expiry; the file-cache pass tests it")
    settings.BLOGSITE_PAGE_CACHE = True
    cache.clear()
    EntryFactory()
    site = SiteSettings.objects.create()
    soon = PageFactory(
        slug="soon", title="Launch notes", published_at=timezone.now() + timedelta(minutes=5)
    )
    MenuItem.objects.create(site=site, kind="page", page=soon)
    assert "Launch notes" not in client.get("/").content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        assert "Launch notes" in client.get("/").content.decode()
    cache.clear()
