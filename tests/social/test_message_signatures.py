"""RFC 9421 HTTP Message Signatures on the inbox: accepted where offered, refused (401, nothing
stored) when wrong, stale, over a changed body, over too little, or by another actor's key.

The signing side is written here, from the RFC, with the cryptography library alone: the
signature base is put together by hand, so our verifier is not checking itself.
"""

import base64
import hashlib
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from comments.models import Comment
from social.models import Follower, Reaction
from tests.social import mastodon

pytestmark = pytest.mark.django_db

BLOG = "http://testserver/social/actor/"
INBOX = "http://testserver/social/inbox/"
STANDARD = ("@method", "@target-uri", "content-digest")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Signer:
    """A remote actor whose key signs requests the RFC 9421 way."""

    def __init__(self, remote, name: str) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.uri = f"{remote.base}/users/{name}"
        self.key_id = f"{self.uri}#main-key"
        remote.add_actor(
            name,
            publicKey={"id": self.key_id, "owner": self.uri, "publicKeyPem": public.decode()},
        )

    def headers(
        self,
        body: bytes,
        *,
        components=STANDARD,
        created: int | None = None,
        key_id: str | None = None,
        key=None,
        digest: str | None = None,
        label: str = "sig1",
    ) -> dict[str, str]:
        """Return Content-Digest, Signature-Input and Signature for a POST of body."""
        digest = digest or f"sha-256=:{b64(hashlib.sha256(body).digest())}:"
        values = {
            "@method": "POST",
            "@target-uri": INBOX,
            "@authority": "testserver",
            "@path": "/social/inbox/",
            "content-digest": digest,
            "content-type": "application/activity+json",
        }
        listed = " ".join(f'"{name}"' for name in components)
        params = (
            f"({listed});created={created or int(time.time())}"
            f';keyid="{key_id or self.key_id}";alg="rsa-v1_5-sha256"'
        )
        lines = [f'"{name}": {values[name]}' for name in components]
        base = "\n".join([*lines, f'"@signature-params": {params}'])
        signed = (key or self.key).sign(base.encode(), padding.PKCS1v15(), hashes.SHA256())
        return {
            "content-digest": digest,
            "signature-input": f"{label}={params}",
            "signature": f"{label}=:{b64(signed)}:",
        }


@pytest.fixture
def ada(remote):
    return Signer(remote, "ada")


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(body: bytes, headers: dict[str, str]):
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/social/inbox/", body, content_type="application/activity+json", **extra
            )

    return send


def follow_body(actor: str) -> bytes:
    return json.dumps(mastodon.follow(actor, BLOG)).encode()


def nothing_stored() -> bool:
    return not (Follower.objects.exists() or Comment.objects.exists() or Reaction.objects.exists())


def test_a_follow_signed_the_rfc_9421_way_is_taken(ada, post):
    body = follow_body(ada.uri)
    response = post(body, ada.headers(body))
    assert response.status_code == 202
    assert Follower.objects.get().actor.uri == ada.uri


def test_authority_and_path_may_stand_for_the_target_and_sha_512_for_sha_256(ada, post):
    body = follow_body(ada.uri)
    digest = f"sha-512=:{b64(hashlib.sha512(body).digest())}:"
    components = ("@method", "@authority", "@path", "content-digest", "content-type")
    response = post(body, ada.headers(body, components=components, digest=digest))
    assert response.status_code == 202
    assert Follower.objects.exists()


def test_signed_with_another_key(ada, post):
    body = follow_body(ada.uri)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = post(body, ada.headers(body, key=other))
    assert response.status_code == 401
    assert "does not match" in response.json()["error"]
    assert nothing_stored()


def test_a_body_changed_after_signing(ada, post):
    signed_for = follow_body(ada.uri)
    sent = json.dumps(mastodon.follow(ada.uri, "http://testserver/social/other/")).encode()
    response = post(sent, ada.headers(signed_for))
    assert response.status_code == 401
    assert "Content-Digest" in response.json()["error"]
    assert nothing_stored()


def test_a_digest_recomputed_for_the_new_body_breaks_the_signature(ada, post):
    signed_for = follow_body(ada.uri)
    sent = json.dumps(mastodon.follow(ada.uri, "http://testserver/social/other/")).encode()
    headers = ada.headers(signed_for)
    headers["content-digest"] = f"sha-256=:{b64(hashlib.sha256(sent).digest())}:"
    assert post(sent, headers).status_code == 401
    assert nothing_stored()


@pytest.mark.parametrize("age", [30 * 60, -30 * 60])  # half an hour old, or from the future
def test_a_created_time_too_far_from_now(ada, post, age):
    body = follow_body(ada.uri)
    response = post(body, ada.headers(body, created=int(time.time()) - age))
    assert response.status_code == 401
    assert "created" in response.json()["error"]
    assert nothing_stored()


@pytest.mark.parametrize(
    "components",
    [
        ("@method", "content-digest"),  # no target at all
        ("@method", "@path", "content-digest"),  # the path, but on which server?
        ("@method", "@target-uri"),  # not the body's digest
        ("@target-uri", "content-digest"),  # not the method
    ],
)
def test_a_signature_over_too_little(ada, post, components):
    body = follow_body(ada.uri)
    response = post(body, ada.headers(body, components=components))
    assert response.status_code == 401
    assert "does not cover" in response.json()["error"]
    assert nothing_stored()


def test_the_key_of_one_actor_for_another_actors_activity(remote, ada, post):
    bob = Signer(remote, "bob")
    body = follow_body(ada.uri)  # Ada's Follow, signed with Bob's key under Bob's keyid
    response = post(body, bob.headers(body))
    assert response.status_code == 401
    assert "owner" in response.json()["error"]
    assert nothing_stored()


def test_a_keyid_of_another_actor_with_ones_own_key(remote, ada, post):
    bob = Signer(remote, "bob")
    body = follow_body(ada.uri)
    response = post(body, ada.headers(body, key_id=bob.key_id))  # Ada's key, Bob's keyid
    assert response.status_code == 401
    assert nothing_stored()


def test_the_same_signed_request_twice(ada, post):
    body = follow_body(ada.uri)
    headers = ada.headers(body)
    assert post(body, headers).status_code == 202
    Follower.objects.all().delete()
    assert post(body, headers).status_code == 401
    assert nothing_stored()


def test_signed_for_another_address(ada, post):
    body = follow_body(ada.uri)
    headers = ada.headers(body)
    # Signed for this inbox, replayed at an author's: the target differs.
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    from django.test import Client

    response = Client().post(
        "/social/inbox/?for=someone", body, content_type="application/activity+json", **extra
    )
    assert response.status_code == 401
    assert nothing_stored()


@pytest.mark.parametrize(
    "changes",
    [
        {"signature-input": "sig1=garbage("},
        {"signature": "sig1=not-a-byte-sequence"},
        {"signature": "sig2=:AAAA:"},  # no value for sig1
        {"signature-input": 'sig1=("@method" "@target-uri" "content-digest");created=1'},
        {"signature-input": 'sig1=("@query-param";name="a");keyid="x";created=1'},
        {"signature-input": 'sig1=("@status");keyid="x";created=1'},
    ],
)
def test_malformed_signatures_are_401_never_500(ada, post, changes):
    body = follow_body(ada.uri)
    response = post(body, {**ada.headers(body), **changes})
    assert response.status_code == 401
    assert nothing_stored()


def test_with_both_kinds_either_valid_one_is_enough(ada, post):
    from tests.social.conftest import RemoteActorKeys

    body = follow_body(ada.uri)
    headers = ada.headers(body)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    broken = ada.headers(body, key=other)  # an RFC 9421 signature that fails…
    # …beside a good draft-cavage one, in Authorization (its other place).
    from bovine.crypto.types import CryptographicSecret

    pem = ada.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    cavage = RemoteActorKeys(ada.uri, CryptographicSecret.from_pem(ada.key_id, pem))
    signed = cavage.signed_headers("testserver", "/social/inbox/", body)
    both = {**broken, "authorization": f"Signature {signed['signature']}", "date": signed["date"]}
    both["digest"] = signed["digest"]
    assert post(body, both).status_code == 202
    assert Follower.objects.exists()
    Follower.objects.all().delete()
    # A good RFC 9421 signature beside a broken draft-cavage one is enough too.
    body = json.dumps(mastodon.follow(ada.uri, BLOG, number=2)).encode()
    headers = {**ada.headers(body), "authorization": "Signature keyId=nothing"}
    assert post(body, headers).status_code == 202
    Follower.objects.all().delete()
    # Both broken: refused.
    body = json.dumps(mastodon.follow(ada.uri, BLOG, number=3)).encode()
    headers = {**ada.headers(body, key=other), "authorization": both["authorization"]}
    assert post(body, headers).status_code == 401
    assert nothing_stored()


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ("sha-256=:{256}:", True),
        ("sha-512=:{512}:", True),
        ("sha-256=:{256}:, sha-512=:{512}:", True),
        ("unixsum=:AAAA:, sha-256=:{256}:", True),  # an algorithm not known here is passed over
        ("sha-256=:{256}:, sha-512=:AAAA:", False),  # every known one must match
        ("unixsum=:AAAA:", False),  # none known here
        ("sha-256={256}", False),  # not a byte sequence
        ("", False),
    ],
)
def test_content_digests(header, matches):
    from social.signatures import content_digest_matches

    body = b'{"type": "Follow"}'
    header = header.replace("{256}", b64(hashlib.sha256(body).digest())).replace(
        "{512}", b64(hashlib.sha512(body).digest())
    )
    assert content_digest_matches(header, body) is matches
