"""The other side of the social web, played by bovine (a library written elsewhere): a
server on 127.0.0.1 that serves its actors' documents, keeps what its inbox receives, and
signs what it sends with bovine's own HTTP Signature code."""

import asyncio
import concurrent.futures
import contextlib
import json
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

# bovine keeps the JSON-LD contexts it fetched in a SQLite file in the working directory,
# made when it is first imported: made in a scratch directory instead, never in the checkout.
with contextlib.chdir(tempfile.mkdtemp(prefix="bovine-")):
    import bovine.jsonld

from bovine.crypto import generate_rsa_public_private_key
from bovine.crypto.http_signature import build_signature
from bovine.crypto.signature_checker import SignatureChecker
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret
from bovine.utils import get_gmt_now
from django.core.cache import cache

from social.signatures import digest

# The security vocabulary's terms our documents use, so that bovine's JSON-LD processing
# needs no network (the tests run offline): a subset of https://w3id.org/security/v1.
SECURITY_TERMS = {
    "sec": "https://w3id.org/security#",
    "publicKey": {"@id": "sec:publicKey", "@type": "@id"},
    "publicKeyPem": "sec:publicKeyPem",
    "owner": {"@id": "sec:owner", "@type": "@id"},
}
bovine.jsonld.jsonld_cache.cache["https://w3id.org/security/v1"] = SECURITY_TERMS

ACTIVITY_JSON = "application/activity+json"


class RemoteServer:
    """A small fediverse server: actors at /users/<name>, one shared inbox at /inbox."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.documents: dict[str, dict] = {}
        self.status: dict[str, int] = {}
        self.files: dict[str, bytes] = {}  # pictures, by path
        self.received: list[dict] = []  # {"path", "headers", "body"}
        self.inbox_status = 202
        self.fetches: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self, status: int, body: bytes, kind: str = ACTIVITY_JSON) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                server.fetches.append(self.path)
                path = urlsplit(self.path).path
                if path in server.files:
                    self._answer(200, server.files[path], "image/png")
                elif path in server.status:
                    self._answer(server.status[path], b"{}")
                elif path in server.documents:
                    self._answer(200, json.dumps(server.documents[path]).encode())
                else:
                    self._answer(404, b"{}")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                server.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                self._answer(server.inbox_status, b"")

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "RemoteServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_actor(self, name: str, **extra) -> "RemoteActorKeys":
        public, private = generate_rsa_public_private_key()
        uri = f"{self.base}/users/{name}"
        document = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri,
            "type": "Person",
            "preferredUsername": name,
            "name": name.title(),
            "url": f"{self.base}/@{name}",
            "icon": {"type": "Image", "mediaType": "image/png", "url": f"{self.base}/{name}.png"},
            "inbox": f"{uri}/inbox",
            "outbox": f"{uri}/outbox",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": public},
            **extra,
        }
        self.documents[f"/users/{name}"] = document
        return RemoteActorKeys(uri, CryptographicSecret.from_pem(f"{uri}#main-key", private))

    def activities(self) -> list[dict]:
        return [json.loads(item["body"]) for item in self.received]


class RemoteActorKeys:
    def __init__(self, uri: str, secret: CryptographicSecret) -> None:
        self.uri = uri
        self.secret = secret

    def signed_headers(self, host: str, path: str, body: bytes, date: str | None = None) -> dict:
        """Sign a POST as Mastodon does, with bovine: (request-target) host date digest
        content-type, rsa-sha256."""
        fields = (
            build_signature(host, "post", path)
            .with_field("date", date or get_gmt_now())
            .with_field("digest", digest(body))
            .with_field("content-type", ACTIVITY_JSON)
        )
        return {**fields.headers, "signature": fields.sign_for_http_draft(self.secret)}


def run_coroutine(coroutine):
    """Run bovine's or aiohttp's coroutine to its end, in a thread with a loop of its own.

    Playwright's sync API leaves an event loop running on the main thread after the browser
    tests, where asyncio.run() refuses to start.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def verify_with_bovine(received: dict, public_key: dict) -> str | None:
    """Check a request our site sent with bovine's own checker; return the signer's id."""

    async def retrieve(key_id: str):
        assert key_id == public_key["id"]
        return CryptographicIdentifier.from_public_key(public_key)

    checker = SignatureChecker(retrieve)

    async def body():
        return received["body"]

    return run_coroutine(
        checker.validate_signature("post", received["path"], received["headers"], body)
    )


@pytest.fixture(autouse=True)
def social_settings(settings):
    settings.BLOGSITE_SITE_URL = "http://testserver"
    settings.BLOGSITE_FETCH_ALLOW_HOSTS = ["127.0.0.1"]
    settings.SOCIAL_DOMAIN = ""
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def remote():
    with RemoteServer() as server:
        yield server


@pytest.fixture
def post_signed(client, django_capture_on_commit_callbacks):
    """POST an activity to our inbox signed by a bovine key; on-commit tasks run."""

    def post(keys: RemoteActorKeys, activity, *, body: bytes | None = None, **header_changes):
        body = json.dumps(activity).encode() if body is None else body
        headers = keys.signed_headers("testserver", "/social/inbox/", body)
        headers.update(header_changes)
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        extra.pop("HTTP_CONTENT_TYPE", None)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/social/inbox/", body, content_type=headers.get("content-type", ACTIVITY_JSON),
                **extra,
            )  # fmt: skip

    return post
