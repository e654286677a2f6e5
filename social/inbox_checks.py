"""Whether a POST to the inbox may be read at all: the signature (draft-cavage or RFC 9421),
the body's digest, the signature's time, the signer owning the activity, replays, blocks and
the per-server rate. Nothing is stored before these pass.

check_request() returns the checked actor and activity for social.inbox.apply(), or raises
Refused with the status to answer.
"""

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

from posts.ratelimit import take_turn
from social.models import Block, RemoteActor
from social.remote import ActorUnavailable, actor_for_key
from social.signatures import (
    MessageSignature,
    Signature,
    SignatureError,
    check,
    check_message,
    parse,
    parse_message_signatures,
)


class Refused(Exception):
    """The request is refused with this status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Checked:
    actor: RemoteActor
    activity: dict


def object_id(value) -> str:
    """Return the id of an object given by id or embedded, or "" if there is none."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def key_host(key_id: str) -> str:
    try:
        return (urlsplit(key_id).hostname or "").lower()
    except ValueError:
        return ""


def offered_signatures(headers: dict[str, str]) -> list[Signature | MessageSignature]:
    """Return the request's signatures, RFC 9421 ones first, then a draft-cavage one (in
    Signature, or in Authorization beside an RFC 9421 Signature); raise Refused if none."""
    try:
        standard = parse_message_signatures(headers)
    except SignatureError as err:
        raise Refused(401, str(err)) from err
    if standard:
        authorization = headers.get("authorization", "")
        scheme, _, cavage = authorization.partition(" ")
        if scheme.lower() != "signature":
            return standard
        try:
            return [*standard, parse(cavage)]
        except SignatureError:
            return standard
    try:
        return [parse(headers.get("signature", ""))]
    except SignatureError as err:
        raise Refused(401, str(err)) from err


def check_request(
    method: str, target_uri: str, headers: dict[str, str], body: bytes, activity
) -> Checked:
    """Return the signer and the activity, or raise Refused (401 for anything unsigned).

    A request may carry an RFC 9421 signature and a draft-cavage one: either is enough.
    target_uri: the absolute address the request was sent to.
    """
    refused = None
    for signature in offered_signatures(headers):
        try:
            return _check_signed(method, target_uri, headers, body, activity, signature)
        except Refused as err:
            if err.status != 401:
                raise
            refused = refused or err
    raise refused


def _check_signed(
    method: str,
    target_uri: str,
    headers: dict[str, str],
    body: bytes,
    activity,
    parsed: Signature | MessageSignature,
) -> Checked:
    host = key_host(parsed.key_id)
    if not host:
        raise Refused(401, "the keyId is not an address")
    if Block.objects.filter(domain=host).exists():
        raise Refused(403, "this server is blocked here")
    wait = take_turn("social-inbox", host, settings.SOCIAL_INBOX_PER_MINUTE, 60)
    if wait:
        raise Refused(429, f"too many activities from {host}; try again in {wait} seconds")
    max_age = settings.SOCIAL_SIGNATURE_MAX_AGE

    def verify(actor: RemoteActor) -> None:
        if isinstance(parsed, MessageSignature):
            check_message(method, target_uri, headers, body, actor.public_key_pem, parsed, max_age)
        else:
            path = urlsplit(target_uri).path
            check(method, path, headers, body, actor.public_key_pem, parsed, max_age)

    try:
        actor = actor_for_key(parsed.key_id)
    except ActorUnavailable as err:
        if _deletes_an_unknown_actor(activity):
            # Servers tell everyone they know of a deleted account, whose key is gone with
            # it: there is nothing here to delete, and nothing is stored.
            raise Refused(202, "nothing is known of this actor here") from err
        raise Refused(401, f"the key could not be fetched: {err}") from err
    try:
        verify(actor)
    except SignatureError as err:
        if "match" not in str(err) or "Digest" in str(err):
            raise Refused(401, str(err)) from err
        # The key may have changed since we kept it: fetch it once more.
        try:
            actor = actor_for_key(parsed.key_id, refresh=True)
            verify(actor)
        except (ActorUnavailable, SignatureError) as again:
            raise Refused(401, str(again)) from again
    if not isinstance(activity, dict):
        raise Refused(400, "the body is not a JSON object")
    if object_id(activity.get("actor")) != actor.uri:
        raise Refused(401, "the activity's actor is not the key's owner")
    # A signature is good once: the same one again within its window is a replay.
    seen = "social-signature:" + hashlib.sha256(parsed.signature).hexdigest()
    if not cache.add(seen, 1, timeout=2 * max_age):
        raise Refused(401, "this signature was used already")
    if Block.blocks(actor.uri):
        raise Refused(403, "this actor is blocked here")
    return Checked(actor, activity)


def _deletes_an_unknown_actor(activity) -> bool:
    if not isinstance(activity, dict) or activity.get("type") != "Delete":
        return False
    actor = object_id(activity.get("actor"))
    return (
        bool(actor)
        and object_id(activity.get("object")) == actor
        and not RemoteActor.objects.filter(uri=actor).exists()
    )
