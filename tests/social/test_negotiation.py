"""An entry's address: an Article for the social web, the page for browsers, and the page
cache never giving one the other's answer (through the test client and the WSGI hit path)."""

import pytest
from bovine.parse import Object
from django.core.cache import cache

from tests.delivery.test_cache_hit import call
from tests.factories import EntryFactory, ImageFactory

pytestmark = pytest.mark.django_db

ACTIVITY = "application/activity+json"
LD_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def entry(db):
    cover = ImageFactory(alt_text="A heron on one leg")
    return EntryFactory(
        title="Herons",
        body="A *heron* stood [here](/about/).\n\n![a pond](https://elsewhere.example/p.png)",
        excerpt="About herons.",
        cover=cover,
        tags=["birds", "ponds"],
    )


@pytest.mark.parametrize("accept", [ACTIVITY, LD_PROFILE])
def test_the_entry_as_an_article(client, entry, accept):
    response = client.get(entry.get_absolute_url(), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == ACTIVITY
    assert "Accept" in response["Vary"]
    article = response.json()
    url = "http://testserver" + entry.get_absolute_url()
    assert article["type"] == "Article"
    assert article["id"] == article["url"] == url
    assert article["name"] == "Herons"
    assert article["summary"] == "About herons."
    assert "<em>heron</em>" in article["content"]
    assert 'href="http://testserver/about/"' in article["content"]  # absolute for others
    assert article["published"].endswith("Z")
    assert article["attributedTo"] == "http://testserver/social/actor/"
    assert {tag["name"] for tag in article["tag"]} == {"#birds", "#ponds"}
    assert all(tag["type"] == "Hashtag" for tag in article["tag"])
    cover = article["attachment"][0]
    assert cover["type"] == "Image" and cover["name"] == "A heron on one leg"
    assert cover["url"].startswith("http://testserver/media/")
    parsed = Object(article)
    assert parsed.attributed_to_id == "http://testserver/social/actor/"


def test_hostile_body_html_stays_sanitised_in_the_article(client):
    entry = EntryFactory(body='<script>alert(1)</script><img src=x onerror="alert(2)">Hello')
    content = client.get(entry.get_absolute_url(), HTTP_ACCEPT=ACTIVITY).json()["content"]
    assert "<script" not in content and "onerror" not in content


def test_browsers_get_the_page_with_vary(client, entry):
    response = client.get(entry.get_absolute_url(), HTTP_ACCEPT=BROWSER)
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_drafts_and_unknown_entries_are_not_articles(client):
    draft = EntryFactory(status="draft")
    response = client.get(draft.get_absolute_url(), HTTP_ACCEPT=ACTIVITY)
    assert response.status_code == 404
    assert client.get("/2020/01/nothing/", HTTP_ACCEPT=ACTIVITY).status_code == 404


@pytest.fixture
def page_cache_on(settings):
    settings.BLOGSITE_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


def test_cached_html_is_never_given_to_a_fetcher(client, entry, page_cache_on):
    path = entry.get_absolute_url()
    first = client.get(path, HTTP_ACCEPT=BROWSER)
    assert first["X-Cache"] == "miss" and first["Vary"] == "Accept"
    assert client.get(path, HTTP_ACCEPT=BROWSER)["X-Cache"] == "hit"
    fetched = client.get(path, HTTP_ACCEPT=ACTIVITY)
    assert fetched["Content-Type"] == ACTIVITY
    assert fetched.json()["type"] == "Article"
    # Through the WSGI hit path too, ahead of Django's handler.
    status, headers, body = call(path, ACCEPT=ACTIVITY)
    assert status == "200 OK"
    assert headers["Content-Type"] == ACTIVITY and b'"Article"' in body
    _status, headers, body = call(path, ACCEPT=BROWSER)
    assert headers["X-Cache"] == "hit" and headers["Vary"] == "Accept"
    assert body.lstrip().startswith(b"<!DOCTYPE html>")


def test_json_is_never_stored_for_a_browser(client, entry, page_cache_on):
    path = entry.get_absolute_url()
    for _ in range(2):
        fetched = client.get(path, HTTP_ACCEPT=LD_PROFILE)
        assert fetched["Content-Type"] == ACTIVITY and "X-Cache" not in fetched
        status, headers, body = call(path, ACCEPT=ACTIVITY)
        assert status == "200 OK" and b'"Article"' in body
        assert "X-Cache" not in headers
    page = client.get(path, HTTP_ACCEPT=BROWSER)
    assert page["X-Cache"] == "miss"
    assert page["Content-Type"].startswith("text/html")
    _status, headers, _body = call(path)
    assert headers["X-Cache"] == "hit" and headers["Content-Type"].startswith("text/html")
