import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from posts.models import Redirect
from posts.models.redirect import normalize_path
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_an_old_permalink_answers_301_to_the_entry_with_or_without_its_slash(client):
    entry = EntryFactory(slug="hello")
    Redirect.objects.create(old_path="/2013/01/01/hello/", entry=entry)
    for path in ("/2013/01/01/hello/", "/2013/01/01/hello"):
        response = client.get(path)
        assert response.status_code == 301
        assert response["Location"] == entry.get_absolute_url()


def test_the_redirect_follows_the_entry_when_its_slug_changes(client):
    entry = EntryFactory(slug="hello")
    Redirect.objects.create(old_path="/hello.html", entry=entry)
    entry.slug = "hello-again"
    entry.save()
    assert client.get("/hello.html")["Location"] == entry.get_absolute_url()
    assert "hello-again" in entry.get_absolute_url()


def test_a_wordpress_query_address_redirects_even_with_the_front_page_cached(client):
    entry = EntryFactory()
    Redirect.objects.create(old_path="/?p=12", entry=entry)
    with override_settings(BLOGSITE_PAGE_CACHE=True):
        cache.clear()
        assert client.get(reverse("posts:index")).status_code == 200
        assert client.get(reverse("posts:index")).headers["X-Cache"] == "hit"
        response = client.get("/", {"p": "12"})
        assert response.status_code == 301
        assert response["Location"] == entry.get_absolute_url()
        # An unknown ID is the front page, as WordPress would show.
        assert client.get("/", {"p": "999"}).status_code == 200


def test_a_target_redirect_leads_to_its_address_and_live_pages_win(client):
    entry = EntryFactory(tags=["python"])
    Redirect.objects.create(old_path="/category/python/", target="/tags/python/")
    # A redirect never hides a page that exists.
    Redirect.objects.create(old_path=entry.get_absolute_url(), target="/elsewhere/")
    assert client.get("/category/python/")["Location"] == "/tags/python/"
    assert client.get(entry.get_absolute_url()).status_code == 200


def test_unknown_addresses_are_still_404_and_posts_are_not_redirected(client):
    Redirect.objects.create(old_path="/old/", target="/new/")
    assert client.get("/nothing-here/").status_code == 404
    assert client.post("/old/").status_code == 404


def test_lookups_cost_one_query_and_only_on_a_404(client, django_assert_num_queries):
    entry = EntryFactory()
    Redirect.objects.create(old_path="/old/", entry=entry)
    # Each: the page that might have had the address (posts:page answers any free one),
    # then the redirect.
    with django_assert_num_queries(2):
        client.get("/old/")
    with django_assert_num_queries(2):
        client.get("/nothing/")
    with django_assert_num_queries(1):  # no route: the redirect only
        client.get("/nothing.html")


def test_a_nul_byte_in_an_unknown_address_is_a_404(client):
    assert client.get("/tags/%00/").status_code == 404
    assert client.get("/", {"p": "1\x00"}).status_code == 200


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/tags/x/", True),
        ("https://example.org/a", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.example/x", False),
        ("relative/path", False),
        ("/\\evil.example", False),
    ],
)
def test_only_paths_and_web_addresses_are_redirect_targets(client, target, safe):
    from django.core.exceptions import ValidationError

    redirect = Redirect(old_path="/old/", target=target)
    if safe:
        redirect.full_clean()
    else:
        with pytest.raises(ValidationError):
            redirect.full_clean()
    redirect.save()  # as if written past the form: the middleware still refuses it
    response = client.get("/old/")
    assert response.status_code == (301 if safe else 404)


def test_a_draft_or_scheduled_entrys_address_is_not_given_away(client):
    from datetime import timedelta

    from django.utils import timezone

    from posts.models import Entry

    draft = EntryFactory(status=Entry.Status.DRAFT)
    later = EntryFactory(published_at=timezone.now() + timedelta(days=2))
    Redirect.objects.create(old_path="/?p=1", entry=draft)
    Redirect.objects.create(old_path="/later/", entry=later)
    assert client.get("/", {"p": "1"}).status_code == 200
    assert client.get("/later/").status_code == 404


def test_an_unknown_address_is_a_503_not_a_404_while_the_database_is_away(client, monkeypatch):
    from django.db import OperationalError

    from posts.delivery import redirects

    def database_away(paths):
        raise OperationalError("connection refused")

    monkeypatch.setattr(redirects, "find", database_away)
    response = client.get("/2013/01/an-old-permalink.html")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_percent_encoded_old_addresses_are_stored_decoded_and_found(client):
    entry = EntryFactory()
    old = normalize_path("https://old.example.org/archives/%c3%bcber-caf%c3%a9/")
    assert old == "/archives/über-café/"
    Redirect.objects.create(old_path=old, entry=entry)
    for path in ("/archives/%c3%bcber-caf%c3%a9/", "/archives/%C3%BCber-caf%C3%A9/"):
        assert client.get(path)["Location"] == entry.get_absolute_url()
