"""HTTP Signatures as the social web sends them (draft-cavage-http-signatures, rsa-sha256,
with a SHA-256 Digest of the body): making them for our requests, checking them on others';
and checking RFC 9421 HTTP Message Signatures (rsa-v1_5-sha256, with an RFC 9530
Content-Digest of the body) where a server offers them.

Knows the cryptography library and HTTP headers only: no model, no view, no network.
"""

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

import http_sf
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


# RFC 9421 HTTP Message Signatures.

# The derived components we compute from the request (RFC 9421, 2.2); fields are the rest.
DERIVED = ("@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query")
DIGESTS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass
class MessageSignature:
    """One signature of a Signature-Input / Signature pair (RFC 9421), by its label."""

    label: str
    key_id: str
    components: list[str]
    params: dict
    signature_params: str  # the Signature-Input member as serialised: the base's last line
    signature: bytes


def parse_message_signatures(headers: dict[str, str]) -> list[MessageSignature]:
    """Return the RFC 9421 signatures of a request ([] if it has no Signature-Input), or raise
    SignatureError if they are malformed, lack a keyid, or name components we cannot check.

    headers: the request's headers with lower-case names.
    """
    given = headers.get("signature-input", "")
    if not given:
        return []
    if len(given) > 4096 or len(headers.get("signature", "")) > 4096:
        raise SignatureError("the Signature-Input or Signature header is too long")
    try:
        inputs = http_sf.parse(given.encode(), tltype="dictionary")
        values = http_sf.parse(headers.get("signature", "").encode(), tltype="dictionary")
    except (http_sf.StructuredFieldError, UnicodeEncodeError, ValueError) as err:
        raise SignatureError("the Signature-Input or Signature header is malformed") from err
    found = []
    for label, member in inputs.items():
        covered, params = member
        value = values.get(label, (None, {}))[0]
        if not isinstance(covered, list) or not isinstance(value, bytes):
            raise SignatureError(f"signature {label} has no covered components or no value")
        names = []
        for name, component_params in covered:
            if not isinstance(name, str) or component_params:
                raise SignatureError(f"signature {label} covers a component not supported here")
            if name.startswith("@") and name not in DERIVED:
                raise SignatureError(f"signature {label} covers {name}, not supported here")
            names.append(name)
        key_id = params.get("keyid")
        if not isinstance(key_id, str) or not key_id:
            raise SignatureError(f"signature {label} has no keyid")
        serialised = http_sf.ser({label: member})[len(label) + 1 :]
        found.append(MessageSignature(label, key_id, names, params, serialised, value))
    if not found:
        raise SignatureError("the Signature-Input header names no signature")
    return found


def content_digest_matches(header: str, body: bytes) -> bool:
    """Return True if the Content-Digest header (RFC 9530) has a SHA-256 or SHA-512 digest,
    and every such digest it has is the body's."""
    try:
        given = http_sf.parse(header.encode(), tltype="dictionary")
    except (http_sf.StructuredFieldError, UnicodeEncodeError, ValueError):
        return False
    known = {name: value[0] for name, value in given.items() if name in DIGESTS}
    return bool(known) and all(
        isinstance(value, bytes) and value == DIGESTS[name](body).digest()
        for name, value in known.items()
    )


def _component_value(name: str, method: str, target_uri: str, headers: dict[str, str]) -> str:
    target = urlsplit(target_uri)
    scheme = target.scheme.lower()
    authority = (target.hostname or "").lower()
    if target.port and target.port != DEFAULT_PORTS.get(scheme):
        authority += f":{target.port}"
    path = target.path or "/"
    query = f"?{target.query}"
    derived = {
        "@method": method.upper(),
        "@target-uri": target_uri,
        "@authority": authority,
        "@scheme": scheme,
        "@request-target": path + (query if target.query else ""),
        "@path": path,
        "@query": query,
    }
    if name in derived:
        return derived[name]
    if name not in headers:
        raise SignatureError(f"the signed field {name} is missing from the request")
    return headers[name].strip()


def signature_base(
    method: str, target_uri: str, headers: dict[str, str], parsed: MessageSignature
) -> bytes:
    """Return the bytes an RFC 9421 signature signs (its "signature base", 2.5)."""
    lines = [
        f'"{name}": {_component_value(name, method, target_uri, headers)}'
        for name in parsed.components
    ]
    lines.append(f'"@signature-params": {parsed.signature_params}')
    base = "\n".join(lines)
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in base.replace("\n", "")):
        raise SignatureError("a signed value holds a control character")
    try:
        return base.encode("ascii")
    except UnicodeEncodeError as err:
        raise SignatureError("a signed value is not ASCII") from err


def check_message(
    method: str,
    target_uri: str,
    headers: dict[str, str],
    body: bytes,
    public_pem: str,
    parsed: MessageSignature,
    max_age: int,
    now: datetime | None = None,
) -> None:
    """Raise SignatureError unless the RFC 9421 signature is by the key public_pem
    (rsa-v1_5-sha256), created within max_age seconds, over the method and the target and
    (for a POST) a Content-Digest that matches the body.

    headers: the request's headers with lower-case names.
    """
    algorithm = parsed.params.get("alg", "rsa-v1_5-sha256")
    if algorithm != "rsa-v1_5-sha256":
        raise SignatureError(f"algorithm {algorithm} is not supported")
    covered = set(parsed.components)
    required = {"@method"} | ({"content-digest"} if method.upper() == "POST" else set())
    if missing := required - covered:
        raise SignatureError(f"the signature does not cover {', '.join(sorted(missing))}")
    if "@target-uri" not in covered and not {"@authority", "@path"} <= covered:
        raise SignatureError("the signature does not cover @target-uri (or @authority and @path)")
    now_s = (now or datetime.now(UTC)).timestamp()
    created = parsed.params.get("created")
    if not isinstance(created, int) or isinstance(created, bool) or abs(now_s - created) > max_age:
        raise SignatureError("the signature's created time is missing or too far from now")
    expires = parsed.params.get("expires")
    if expires is not None and (not isinstance(expires, int) or expires < now_s):
        raise SignatureError("the signature has expired")
    if "content-digest" in covered and not content_digest_matches(
        headers.get("content-digest", ""), body
    ):
        raise SignatureError("the Content-Digest does not match the body")
    base = signature_base(method, target_uri, headers, parsed)
    try:
        key = _public_key(public_pem)
        if not isinstance(key, rsa.RSAPublicKey):
            raise SignatureError("only RSA keys are supported")
        key.verify(parsed.signature, base, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError) as err:
        raise SignatureError("the signature does not match") from err
