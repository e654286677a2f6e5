"""WebFinger, NodeInfo and the actor documents, as another server finds the blog."""

import pytest
from bovine.parse import Actor

from social.models import SiteKey
from tests.factories import AuthorProfileFactory, EntryFactory

pytestmark = pytest.mark.django_db


def test_webfinger_finds_the_blog(client):
    response = client.get("/.well-known/webfinger", {"resource": "acct:blog@testserver"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    found = response.json()
    assert found["subject"] == "acct:blog@testserver"
    self_link = next(link for link in found["links"] if link["rel"] == "self")
    assert self_link == {
        "rel": "self",
        "type": "application/activity+json",
        "href": "http://testserver/social/actor/",
    }


def test_webfinger_takes_the_actor_address_and_a_configured_name(client, settings):
    settings.SOCIAL_USERNAME = "notes"
    assert (
        client.get("/.well-known/webfinger", {"resource": "acct:notes@testserver"}).status_code
        == 200
    )
    by_address = client.get(
        "/.well-known/webfinger", {"resource": "http://testserver/social/actor/"}
    )
    assert by_address.json()["subject"] == "acct:notes@testserver"


@pytest.mark.parametrize(
    "query, status",
    [
        ({}, 400),
        ({"resource": ""}, 400),
        ({"resource": "acct:blog@elsewhere.example"}, 404),
        ({"resource": "acct:nobody@testserver"}, 404),
        ({"resource": "acct:@"}, 404),
        ({"resource": "https://elsewhere.example/actor"}, 404),
    ],
)
def test_webfinger_says_what_is_wrong(client, query, status):
    response = client.get("/.well-known/webfinger", query)
    assert response.status_code == status
    assert response.json()["error"]


def test_authors_are_found_only_when_the_setting_allows(client, settings):
    AuthorProfileFactory(slug="ada")
    EntryFactory(author=AuthorProfileFactory._meta.model.objects.get(slug="ada").user)
    resource = {"resource": "acct:ada@testserver"}
    assert client.get("/.well-known/webfinger", resource).status_code == 404
    assert client.get("/social/authors/ada/").status_code == 404
    settings.SOCIAL_AUTHOR_ACTORS = True
    found = client.get("/.well-known/webfinger", resource).json()
    assert found["links"][0]["href"] == "http://testserver/social/authors/ada/"
    person = client.get("/social/authors/ada/").json()
    assert person["type"] == "Person"
    assert person["preferredUsername"] == "ada"


def test_nodeinfo(client):
    EntryFactory()
    links = client.get("/.well-known/nodeinfo").json()["links"]
    assert links[0]["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1"
    document = client.get(links[0]["href"].removeprefix("http://testserver")).json()
    assert document["version"] == "2.1"
    assert document["protocols"] == ["activitypub"]
    assert document["usage"]["localPosts"] == 1
    assert document["openRegistrations"] is False


def test_the_actor_is_a_service_with_a_key_made_once(client):
    response = client.get("/social/actor/")
    assert response["Content-Type"] == "application/activity+json"
    actor = response.json()
    assert actor["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert actor["type"] == "Service"
    assert actor["preferredUsername"] == "blog"
    for name in ("inbox", "outbox", "followers", "url", "icon", "name", "summary"):
        assert actor[name], name
    assert actor["publicKey"]["owner"] == actor["id"]
    assert actor["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    again = client.get("/social/actor/").json()
    assert again["publicKey"] == actor["publicKey"]
    assert SiteKey.objects.count() == 1


def test_bovine_reads_our_actor(client):
    document = client.get("/social/actor/").json()
    parsed = Actor(document)
    assert parsed.id == "http://testserver/social/actor/"
    assert parsed.publicKeyPem("http://testserver/social/actor/#main-key").startswith("-----BEGIN")


def test_other_methods_are_refused(client):
    assert client.post("/social/actor/").status_code == 405
    assert client.get("/social/inbox/").status_code == 405
