"""What other servers post to the inbox, once social.inbox_checks let it in: apply() does
what the activity says (follow, undo, like, boost, reply, update, delete, accept).
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from comments import moderation, spam
from comments.models import Comment
from posts.models import Entry
from social import documents, outgoing, tasks
from social.inbox_checks import Checked, object_id
from social.models import (
    Follower,
    Following,
    Reaction,
    ReceivedPost,
    RemoteActor,
    Reply,
)
from social.remote import ActorUnavailable, store_actor

log = logging.getLogger(__name__)


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
        tasks.copy_avatar_later(comment.pk)
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
