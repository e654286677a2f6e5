"""Pages: addresses under parents, refused clashes with the site's routes, moves that 301."""

import pytest
from django.core.exceptions import ValidationError

from posts.models import Page, Redirect, route_clash
from tests.factories import ImageFactory, PageFactory

pytestmark = pytest.mark.django_db


def test_a_page_lives_at_its_slug_or_under_its_parent():
    projects = PageFactory(slug="projects")
    unikernels = PageFactory(slug="unikernels", parent=projects)
    assert projects.path == "/projects/"
    assert unikernels.path == "/projects/unikernels/"
    assert unikernels.get_absolute_url() == "/projects/unikernels/"


def test_the_body_is_rendered_when_saved_with_the_pictures_it_shows():
    picture = ImageFactory()
    page = PageFactory(body=f"# About\n\n![x]({picture.file.url})\n\nHello **there**.")
    assert "<strong>there</strong>" in page.body_html
    assert "Hello there." in page.body_text
    assert list(page.images.all()) == [picture]


@pytest.mark.parametrize(
    "slug", ["tags", "feed", "2024", "admin", "search", "archive", "static", "media"]
)
def test_an_address_the_site_answers_itself_is_refused(slug):
    page = Page(title="Clash", slug=slug, author=PageFactory().author)
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert "taken by the site itself" in str(refused.value.message_dict["slug"])


def test_a_child_address_that_a_route_answers_is_refused_too():
    year = PageFactory(slug="y2024")
    assert route_clash("/tags/python/") == "/tags/python/"
    assert route_clash("/2024/05/") == "/2024/05/"
    assert route_clash("/preview/some-token/") == "/preview/some-token/"
    assert route_clash(year.path + "notes/") is None
    page = Page(title="T", slug="05", parent=PageFactory(slug="x"), author=year.author)
    page.full_clean()  # /x/05/ is free: no route has it


def test_two_pages_cannot_share_an_address():
    first = PageFactory(slug="about")
    twin = Page(title="Again", slug="about", author=first.author)
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert "already has the address /about/" in str(refused.value)


def test_a_page_cannot_sit_under_itself_or_its_child():
    top = PageFactory(slug="top")
    child = PageFactory(slug="child", parent=top)
    top.parent = child
    with pytest.raises(ValidationError) as refused:
        top.full_clean()
    assert "under itself" in str(refused.value)


def test_moving_a_page_leaves_a_redirect_that_follows_it_and_its_children():
    about = PageFactory(slug="about")
    team = PageFactory(slug="team", parent=about)
    about.slug = "who"
    about.save()
    team.refresh_from_db()
    assert team.path == "/who/team/"
    old = {r.old_path: r.destination() for r in Redirect.objects.all()}
    assert old == {"/about/": "/who/", "/about/team/": "/who/team/"}
    # Moved again: the first redirect follows, with no chain of hops.
    about.slug = "us"
    about.save()
    old = {r.old_path: r.destination() for r in Redirect.objects.all()}
    assert old["/about/"] == "/us/" and old["/who/"] == "/us/"
    assert old["/about/team/"] == "/us/team/"


def test_moving_back_to_an_old_address_drops_its_redirect():
    page = PageFactory(slug="a")
    page.slug = "b"
    page.save()
    page.slug = "a"
    page.save()
    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/b/"]


def test_published_means_published_and_due():
    from datetime import timedelta

    from django.utils import timezone

    shown = PageFactory()
    PageFactory(status=Page.Status.DRAFT)
    PageFactory(published_at=timezone.now() + timedelta(days=1))
    assert list(Page.objects.published()) == [shown]
