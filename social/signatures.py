"""HTTP Signatures as the social web sends them (draft-cavage-http-signatures, rsa-sha256,
with a SHA-256 Digest of the body): making them for our requests, checking them on others'.

Knows the cryptography library and HTTP headers only: no model, no view, no network.
"""

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils.http import http_date, parse_http_date_safe

SIGNED_FOR_POST = ("(request-target)", "host", "date", "digest", "content-type")
SIGNED_FOR_GET = ("(request-target)", "host", "date", "accept")
PARAMETER = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class SignatureError(Exception):
    """The request's signature is missing, malformed, stale or wrong."""


def new_key_pair() -> tuple[str, str]:
    """Return (public PEM, private PEM) of a new 2048-bit RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public.decode(), private.decode()


def digest(body: bytes) -> str:
    """Return the Digest header value of body."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def _signing_string(names, method: str, path: str, headers: dict[str, str]) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        else:
            lines.append(f"{name}: {headers[name]}")
    return "\n".join(lines)


def sign(
    method: str,
    host: str,
    path: str,
    key_id: str,
    private_pem: str,
    body: bytes | None = None,
    content_type: str = "application/activity+json",
    accept: str = "application/activity+json",
) -> dict[str, str]:
    """Return the headers (Host, Date, Digest, Signature…) that sign this request."""
    headers = {"host": host, "date": http_date()}
    if body is not None:
        headers["digest"] = digest(body)
        headers["content-type"] = content_type
        names = SIGNED_FOR_POST
    else:
        headers["accept"] = accept
        names = SIGNED_FOR_GET
    signed = _private_key(private_pem).sign(
        _signing_string(names, method, path, headers).encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signed).decode()}"'
    )
    return {name.title(): value for name, value in headers.items()}


@lru_cache(maxsize=4)
def _private_key(private_pem: str):
    # Loading checks the key's consistency, a tenth of a second for RSA-2048: once a process.
    return serialization.load_pem_private_key(private_pem.encode(), password=None)


@lru_cache(maxsize=256)
def _public_key(public_pem: str):
    return serialization.load_pem_public_key(public_pem.encode())


@dataclass
class Signature:
    key_id: str
    algorithm: str
    headers: list[str]
    signature: bytes


def parse(header: str) -> Signature:
    """Return the parts of a Signature header, or raise SignatureError."""
    if not header or len(header) > 4096:
        raise SignatureError("no Signature header")
    found = dict(PARAMETER.findall(header))
    try:
        signature = base64.b64decode(found["signature"], validate=True)
        key_id = found["keyId"]
    except (KeyError, ValueError) as err:
        raise SignatureError("the Signature header lacks a keyId or a signature") from err
    names = found.get("headers", "date").lower().split()
    return Signature(key_id, found.get("algorithm", "hs2019").lower(), names, signature)


def check(
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    public_pem: str,
    parsed: Signature,
    max_age: int,
    now: datetime | None = None,
) -> None:
    """Raise SignatureError unless the request is signed by the key public_pem, recently,
    over its target, host, date and (for a POST) a Digest that matches the body.

    headers: the request's headers with lower-case names.
    """
    if parsed.algorithm not in ("rsa-sha256", "hs2019"):
        raise SignatureError(f"algorithm {parsed.algorithm} is not supported")
    required = {"(request-target)", "host", "date"} | ({"digest"} if method == "POST" else set())
    if missing := required - set(parsed.headers):
        raise SignatureError(f"the signature does not cover {', '.join(sorted(missing))}")
    if any(name != "(request-target)" and name not in headers for name in parsed.headers):
        raise SignatureError("a signed header is missing from the request")
    when = parse_http_date_safe(headers.get("date", ""))
    now = now or datetime.now(UTC)
    if when is None or abs(now.timestamp() - when) > max_age:
        raise SignatureError("the Date is missing or too far from now")
    if method == "POST":
        given = {
            part.split("=", 1)[0].strip().lower(): part.split("=", 1)[1].strip()
            for part in headers["digest"].split(",")
            if "=" in part
        }
        if given.get("sha-256") != digest(body).split("=", 1)[1]:
            raise SignatureError("the Digest does not match the body")
    try:
        key = _public_key(public_pem)
        if not isinstance(key, rsa.RSAPublicKey):
            raise SignatureError("only RSA keys are supported")
        key.verify(
            parsed.signature,
            _signing_string(parsed.headers, method, path, headers).encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, ValueError) as err:
        raise SignatureError("the signature does not match") from err
