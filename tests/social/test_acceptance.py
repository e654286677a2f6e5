"""Interoperability over real HTTP, with bovine as the other server: it signs a Follow with
its own client code (aiohttp) to our inbox on a live server, checks the signature of our
Accept and of the Create(Article) delivered to its inbox, and parses our actor and Article."""

import json
from datetime import timedelta

import aiohttp
import pytest
from bovine.clients.signed_http import legacy_digest_method_uppercase as mastodon_digest
from bovine.clients.signed_http_methods import signed_post
from bovine.crypto.signature_checker import SignatureChecker
from bovine.crypto.types import CryptographicIdentifier
from bovine.parse import Actor, Object
from django.utils import timezone

from social.models import Follower
from tests.factories import EntryFactory
from tests.social.conftest import RemoteServer, run_coroutine

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server, settings):
    settings.BLOGSITE_SITE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["*"]
    return live_server.url


async def fetch_json(url: str) -> dict:
    async with aiohttp.ClientSession() as session:
        response = await session.get(url, headers={"Accept": "application/activity+json"})
        assert response.status == 200
        return json.loads(await response.text())


def bovine_checks(received: dict) -> str | None:
    """Verify a request we sent as bovine would: the key fetched over HTTP by its keyId."""

    async def retrieve(key_id: str):
        document = await fetch_json(key_id)
        return CryptographicIdentifier.from_public_key(document["publicKey"])

    async def body():
        return received["body"]

    checker = SignatureChecker(retrieve)
    return run_coroutine(
        checker.validate_signature("post", received["path"], received["headers"], body)
    )


def test_bovine_follows_and_checks_what_we_send(site):
    with RemoteServer() as remote:
        keys = remote.add_actor("ada")
        blog = f"{site}/social/actor/"
        actor = Actor(run_coroutine(fetch_json(blog)))
        assert actor.id == blog
        assert actor.publicKeyPem(f"{blog}#main-key").startswith("-----BEGIN PUBLIC KEY")

        follow = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{keys.uri}#follow-1",
            "type": "Follow",
            "actor": keys.uri,
            "object": blog,
        }

        async def send():
            async with aiohttp.ClientSession() as session:
                response = await signed_post(
                    session, keys.secret, actor.data["inbox"], json.dumps(follow),
                    digest_method=mastodon_digest,
                )  # fmt: skip
                return response.status

        assert run_coroutine(send()) == 202
        assert Follower.objects.get().state == "accepted"
        [accept] = remote.received
        assert json.loads(accept["body"])["type"] == "Accept"
        assert bovine_checks(accept) == blog

        entry = EntryFactory(
            title="Herons at dusk",
            tags=["birds"],
            published_at=timezone.now() - timedelta(minutes=1),
        )
        create = remote.received[1]
        assert create["path"] == "/inbox"
        assert bovine_checks(create) == blog
        activity = json.loads(create["body"])
        assert activity["type"] == "Create"
        article = Object(run_coroutine(fetch_json(site + entry.get_absolute_url())))
        assert article.data["type"] == "Article"
        assert article.data["name"] == "Herons at dusk"
        assert article.attributed_to_id == blog
        assert article.identifier == activity["object"]["id"]


def test_bovine_signed_follow_with_a_wrong_body_is_refused(site):
    with RemoteServer() as remote:
        keys = remote.add_actor("ada")

        async def send():
            async with aiohttp.ClientSession() as session:
                # bovine signs a digest of one body; a different one is sent.
                def wrong_digest(body: bytes):
                    return mastodon_digest(body + b" ")

                response = await signed_post(
                    session, keys.secret, f"{site}/social/inbox/",
                    json.dumps({"id": "x", "type": "Follow", "actor": keys.uri}),
                    digest_method=wrong_digest,
                )  # fmt: skip
                return response.status

        assert run_coroutine(send()) == 401
        assert not Follower.objects.exists()
