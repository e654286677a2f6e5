"""Other servers' actors: fetched through the outgoing-request guard, kept, refreshed.

A key id names a key inside an actor document (https://server/users/ada#main-key). It is
fetched (a signed GET, as servers in "secure mode" ask) and its actor kept with the key; a
kept actor is used until SOCIAL_ACTOR_REFRESH_HOURS have passed, or sooner when a signature
fails with the kept key (the key may have changed).
"""

import json
import logging
from datetime import timedelta
from urllib.parse import urldefrag, urlsplit

from django.conf import settings
from django.utils import timezone

from outbound.fetch import FetchRefused, fetch
from social import documents
from social.models import RemoteActor, Server
from social.signatures import sign

log = logging.getLogger(__name__)

ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MAX_BYTES = 256 * 1024


class ActorUnavailable(Exception):
    """The actor (or its key) could not be fetched or read."""


def host_header(url: str) -> str:
    """Return the Host header outbound.fetch sends for url (signatures cover it)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host, port = parts.hostname or "", parts.port
    if port is None or port == (443 if scheme == "https" else 80):
        return host
    return f"{host}:{port}"


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def signed_fetch_json(url: str) -> dict:
    """GET a JSON-LD document, signed by the blog's actor; raise ActorUnavailable."""
    key = documents.site_key()
    headers = sign(
        "GET", host_header(url), request_target(url), documents.key_id(), key.private_pem,
        accept=ACCEPT,
    )  # fmt: skip
    try:
        fetched = fetch(url, headers=headers, max_bytes=MAX_BYTES)
    except FetchRefused as err:
        raise ActorUnavailable(str(err)) from err
    if fetched.status != 200 or fetched.truncated:
        raise ActorUnavailable(f"{url} answered {fetched.status}")
    try:
        document = json.loads(fetched.body)
    except ValueError as err:
        raise ActorUnavailable(f"{url} is not JSON") from err
    if not isinstance(document, dict):
        raise ActorUnavailable(f"{url} is not a JSON object")
    return document


def server_for(url: str) -> Server:
    host = (urlsplit(url).hostname or "").lower()
    port = urlsplit(url).port
    name = f"{host}:{port}" if port else host
    return Server.objects.get_or_create(host=name)[0]


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _http_url(value) -> str:
    if isinstance(value, dict):
        value = value.get("url") or value.get("href")
    if isinstance(value, list) and value:
        return _http_url(value[0])
    if isinstance(value, str) and urlsplit(value).scheme in ("http", "https"):
        return value[:1000]
    return ""


def store_actor(
    document: dict, expected_id: str | None = None, fetched_from: str | None = None
) -> RemoteActor:
    """Keep an actor document; raise ActorUnavailable if it lacks what we need, or (when
    fetched_from is given) names an actor of another server than the one that served it."""
    uri = document.get("id")
    key = document.get("publicKey")
    if isinstance(key, list):
        key = next((k for k in key if isinstance(k, dict)), None)
    inbox = _http_url(document.get("inbox"))
    if not isinstance(uri, str) or not isinstance(key, dict) or not inbox:
        raise ActorUnavailable("the actor document lacks an id, an inbox or a key")
    if expected_id and uri != expected_id:
        raise ActorUnavailable("the actor document names another actor")
    # A server speaks only for its own actors: a document from evil.example that claims an
    # id on social.example must not replace that actor's key.
    if fetched_from and _origin(fetched_from) != _origin(uri):
        raise ActorUnavailable("the actor document names an actor of another server")
    if key.get("owner", uri) != uri or not isinstance(key.get("publicKeyPem"), str):
        raise ActorUnavailable("the key is not the actor's")
    if urlsplit(inbox).hostname != urlsplit(uri).hostname:
        raise ActorUnavailable("the inbox is on another host than the actor")
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    shared = _http_url(endpoints.get("sharedInbox"))
    if shared and urlsplit(shared).hostname != urlsplit(uri).hostname:
        shared = ""
    fields = {
        "server": server_for(uri),
        "key_id": _text(key.get("id"), 1000) or uri,
        "public_key_pem": key["publicKeyPem"][:8000],
        "inbox": inbox,
        "shared_inbox": shared,
        "name": _text(document.get("name"), 200),
        "username": _text(document.get("preferredUsername"), 200),
        "url": _http_url(document.get("url")) or uri,
        "icon": _http_url(document.get("icon")),
        "fetched_at": timezone.now(),
    }
    return RemoteActor.objects.update_or_create(uri=uri[:1000], defaults=fields)[0]


def actor_for_key(key_id: str, refresh: bool = False) -> RemoteActor:
    """Return the actor that owns key_id, kept or fetched; raise ActorUnavailable."""
    fresh_after = timezone.now() - timedelta(hours=settings.SOCIAL_ACTOR_REFRESH_HOURS)
    kept = RemoteActor.objects.filter(key_id=key_id).select_related("server").first()
    if kept is not None and not refresh and kept.fetched_at > fresh_after:
        return kept
    url = urldefrag(key_id)[0]
    try:
        document = signed_fetch_json(url)
    except ActorUnavailable:
        if kept is not None and not refresh:
            return kept  # gone (a Delete of the actor) or down: the kept key still signs
        raise
    if document.get("type") in ("Key", "CryptographicKey") and isinstance(
        document.get("owner"), str
    ):
        # A key published apart from its actor: fetch the owner, who must name this key.
        url = document["owner"]
        document = signed_fetch_json(url)
    found = store_actor(document, fetched_from=url)
    if found.key_id != key_id:
        raise ActorUnavailable("the actor does not own this key")
    return found


def actor_by_id(uri: str) -> RemoteActor:
    """Return the actor with this id, kept or fetched; raise ActorUnavailable."""
    kept = RemoteActor.objects.filter(uri=uri).select_related("server").first()
    if kept is not None:
        return kept
    return store_actor(signed_fetch_json(uri), expected_id=uri, fetched_from=uri)


def resolve_handle(handle: str) -> str:
    """Return the actor id of @name@host (by WebFinger) or of an actor's address."""
    if handle.startswith(("http://", "https://")):
        return handle
    name, _, host = handle.removeprefix("acct:").lstrip("@").partition("@")
    if not name or not host:
        raise ActorUnavailable("a handle is @name@host")
    # https everywhere but on the hosts a local test may use (BLOGSITE_FETCH_ALLOW_HOSTS).
    local = host.split(":")[0].lower() in {h.lower() for h in settings.BLOGSITE_FETCH_ALLOW_HOSTS}
    scheme = "http" if local else "https"
    url = f"{scheme}://{host}/.well-known/webfinger?resource=acct:{name}@{host}"
    try:
        fetched = fetch(url, headers={"Accept": "application/jrd+json"}, max_bytes=MAX_BYTES)
        links = json.loads(fetched.body).get("links", [])
    except (FetchRefused, ValueError, AttributeError) as err:
        raise ActorUnavailable(f"{handle} could not be looked up") from err
    for link in links if isinstance(links, list) else []:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and "json" in str(link.get("type", ""))
            and isinstance(link.get("href"), str)
        ):
            return link["href"]
    raise ActorUnavailable(f"{handle} has no ActivityPub actor")
