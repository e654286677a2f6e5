"""What other servers post to the inbox: checked (signature, owner, blocks), then applied.

check_request() decides whether a POST may be read at all; apply() does what the activity
says. Nothing is stored before the signature (draft-cavage or RFC 9421), the body's digest,
the signature's time and the actor check out.
"""

import hashlib
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from comments import moderation, spam
from comments.models import Comment
from posts.models import Entry
from social import documents, outgoing
from social.models import (
    Block,
    Follower,
    Following,
    Reaction,
    ReceivedPost,
    RemoteActor,
    Reply,
)
from social.remote import ActorUnavailable, actor_for_key, store_actor
from social.signatures import (
    MessageSignature,
    Signature,
    SignatureError,
    check,
    check_message,
    parse,
    parse_message_signatures,
)

log = logging.getLogger(__name__)


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
    from posts.ratelimit import take_turn

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


def local_actor(value) -> str | None:
    """Return the path of our actor this id names ("" for the blog), or None if not ours."""
    uri = object_id(value)
    if uri == documents.actor_id():
        return ""
    prefix = documents.actor_id("__slug__").split("__slug__")[0]
    if uri.startswith(prefix):
        slug = uri[len(prefix) :].strip("/")
        if documents.author_profile(slug) is not None:
            return slug
    return None


def entry_for(value) -> Entry | None:
    """Return the published entry at this address of ours, if there is one."""
    uri = object_id(value)
    base = settings.BLOGSITE_SITE_URL.rstrip("/")
    if not uri.startswith(base + "/"):
        return None
    try:
        match = resolve(urlsplit(uri).path)
    except Resolver404:
        return None
    if match.view_name != "posts:entry":
        return None
    return Entry.objects.published().filter(slug=match.kwargs["slug"]).first()


def replied_comment(value) -> Comment | None:
    """Return the reply from the social web with this id, if we hold it on a published entry."""
    uri = object_id(value)
    if not uri:
        return None
    reply = (
        Reply.objects.select_related("comment__entry")
        .filter(object_id=uri, comment__entry__in=Entry.objects.published())
        .first()
    )
    return reply.comment if reply is not None else None


def apply(checked: Checked) -> str:
    """Do what the activity says; return a word for the log and the tests."""
    activity, actor = checked.activity, checked.actor
    kind = activity.get("type")
    handler = HANDLERS.get(kind if isinstance(kind, str) else "")
    if handler is None:
        return "ignored"
    try:
        with transaction.atomic():
            return handler(actor, activity)
    except IntegrityError:
        # An id this activity reuses from another one (a Like's id given to an Announce):
        # the first one stays, this one is dropped.
        return "conflict"


def _follow(actor: RemoteActor, activity: dict) -> str:
    local = local_actor(activity.get("object"))
    follow_id = object_id(activity)
    if local is None or not follow_id:
        return "not ours"
    state = Follower.State.PENDING if settings.SOCIAL_MANUAL_APPROVAL else Follower.State.ACCEPTED
    follower, created = Follower.objects.get_or_create(
        actor=actor, local=local, defaults={"follow_id": follow_id[:1000], "state": state}
    )
    if not created:
        follower.follow_id = follow_id[:1000]
        follower.save(update_fields=["follow_id"])
    if follower.state == Follower.State.ACCEPTED:
        outgoing.send_accept(follower)
    return "followed"


def _undo(actor: RemoteActor, activity: dict) -> str:
    inner = activity.get("object")
    inner_id = object_id(inner)
    inner_type = inner.get("type") if isinstance(inner, dict) else None
    if inner_type == "Follow" or Follower.objects.filter(actor=actor, follow_id=inner_id).exists():
        local = local_actor(inner.get("object")) if isinstance(inner, dict) else None
        follows = Follower.objects.filter(actor=actor)
        if local is not None:
            follows = follows.filter(local=local)
        else:
            follows = follows.filter(follow_id=inner_id)
        follows.delete()
        return "unfollowed"
    Reaction.objects.filter(actor=actor, activity_id=inner_id).delete()
    return "undone"


def _react(kind: str):
    def handle(actor: RemoteActor, activity: dict) -> str:
        entry = entry_for(activity.get("object"))
        activity_id = object_id(activity)
        if entry is None or not activity_id:
            return "not ours"
        Reaction.objects.update_or_create(
            entry=entry, actor=actor, kind=kind, defaults={"activity_id": activity_id[:1000]}
        )
        return kind

    return handle


def note_text(note: dict) -> str:
    """Return the reply's words as the comments' Markdown subset takes them (no HTML)."""
    from bs4 import BeautifulSoup

    content = note.get("content")
    if not isinstance(content, str):
        content = ""
    document = BeautifulSoup(content[:100_000], "html.parser")
    for br in document.find_all("br"):
        br.replace_with("\n")
    paragraphs = [p.get_text() for p in document.find_all("p")] or [document.get_text()]
    text = "\n\n".join(part.strip() for part in paragraphs if part.strip())
    warning = note.get("summary")
    if isinstance(warning, str) and warning.strip():
        text = f"Content warning: {warning.strip()[:300]}\n\n{text}"
    return text[: settings.COMMENTS_MAX_LENGTH]


def _create(actor: RemoteActor, activity: dict) -> str:
    note = activity.get("object")
    if not isinstance(note, dict) or not object_id(note):
        return "ignored"
    if object_id(note.get("attributedTo")) != actor.uri:
        return "not the actor's"
    entry, parent = entry_for(note.get("inReplyTo")), None
    if entry is None:
        # A reply to a reply we hold joins that one's entry, threaded under it.
        parent = replied_comment(note.get("inReplyTo"))
        entry = parent.entry if parent is not None else None
    if entry is None:
        return _keep_post(actor, note)
    if Reply.objects.filter(object_id=object_id(note)).exists():
        return "known"
    body = note_text(note)
    name = actor.name or actor.handle or actor.uri
    doubtful = spam.bad_patterns(body, name)
    comment = Comment.objects.create(
        entry=entry,
        parent=parent,
        kind=Comment.Kind.REPLY,
        status=Comment.Status.SPAM if doubtful else Comment.Status.PENDING,
        name=name[:100],
        website=actor.url[:500],
        photo=actor.icon[:500],
        body=body,
        source=object_id(note)[:1000],
    )
    Reply.objects.create(comment=comment, actor=actor, object_id=object_id(note)[:1000])
    moderation.received(comment)
    if actor.icon:
        outgoing.copy_avatar_later(comment.pk)
    return "reply received"


def _update(actor: RemoteActor, activity: dict) -> str:
    thing = activity.get("object")
    if not isinstance(thing, dict):
        return "ignored"
    if object_id(thing) == actor.uri:
        try:
            store_actor(thing, expected_id=actor.uri)
        except ActorUnavailable:
            return "ignored"
        return "actor updated"
    reply = Reply.objects.filter(object_id=object_id(thing), actor=actor).first()
    if reply is None:
        if ReceivedPost.objects.filter(object_id=object_id(thing), actor=actor).exists():
            return _keep_post(actor, thing)
        return "unknown"
    comment = reply.comment
    comment.body = note_text(thing)
    comment.save()
    if comment.status == Comment.Status.APPROVED:
        moderation.pages_changed([comment.entry_id])
    return "reply updated"


def _delete(actor: RemoteActor, activity: dict) -> str:
    gone = object_id(activity.get("object"))
    if gone == actor.uri:
        comments = Comment.objects.filter(social__actor=actor)
        moderation.delete(comments)
        actor.delete()  # its follows, reactions and replies go with it
        return "actor deleted"
    comments = Comment.objects.filter(social__actor=actor, social__object_id=gone)
    if moderation.delete(comments):
        return "reply deleted"
    if ReceivedPost.objects.filter(actor=actor, object_id=gone).delete()[0]:
        return "post deleted"
    return "unknown"


def _accept(actor: RemoteActor, activity: dict) -> str:
    """An account we asked to follow said yes."""
    follow_id = object_id(activity.get("object"))
    found = Following.objects.filter(actor=actor, follow_id=follow_id).update(accepted=True)
    return "following" if found else "unknown"


POST_TYPES = {"Article", "Note", "Page"}


def _keep_post(actor: RemoteActor, post: dict) -> str:
    """Keep a post of an account this blog follows; others' posts are not ours to keep."""
    from posts.rendering.sanitize import sanitize_html

    if post.get("type") not in POST_TYPES or not Following.objects.filter(actor=actor).exists():
        return "not followed"
    if urlsplit(object_id(post)).netloc != urlsplit(actor.uri).netloc:
        return "not the actor's server"
    content = post.get("content") if isinstance(post.get("content"), str) else ""
    name = post.get("name") if isinstance(post.get("name"), str) else ""
    url = post.get("url") if isinstance(post.get("url"), str) else ""
    ReceivedPost.objects.update_or_create(
        object_id=object_id(post)[:1000],
        defaults={
            "actor": actor,
            "kind": post["type"],
            "name": name[:300],
            "content_html": sanitize_html(content[:200_000]),
            "url": url[:1000] if urlsplit(url).scheme in ("http", "https") else "",
            "updated_at": timezone.now(),
        },
    )
    return "post kept"


HANDLERS = {
    "Accept": _accept,
    "Follow": _follow,
    "Undo": _undo,
    "Like": _react(Reaction.Kind.LIKE),
    "Announce": _react(Reaction.Kind.ANNOUNCE),
    "Create": _create,
    "Update": _update,
    "Delete": _delete,
}


def revive(actor: RemoteActor) -> None:
    """A server that talks to us is alive: deliveries to it start again."""
    server = actor.server
    if server.dead_since is not None or server.failures:
        server.dead_since = None
        server.failures = 0
        server.first_failure_at = None
        server.last_success_at = timezone.now()
        server.save(update_fields=["dead_since", "failures", "first_failure_at", "last_success_at"])
