"""What this site says: Accepts, Follows, replies, and an entry's Create, Update, Announce
and Delete to the followers' servers (one delivery per inbox, the shared one where a server
has one). Each message is handed to social.sending, which stores and sends it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from posts.models import Entry
from social import documents
from social.models import (
    Block,
    FederatedEntry,
    Follower,
    Following,
    SentNote,
)
from social.sending import queue

log = logging.getLogger(__name__)


def send_accept(follower: Follower) -> None:
    """Tell a follower their Follow was accepted."""
    accept = documents.wrap(
        "Accept",
        follower.local,
        {
            "id": follower.follow_id,
            "type": "Follow",
            "actor": follower.actor.uri,
            "object": documents.actor_id(follower.local),
        },
        f"{documents.actor_id(follower.local)}#accepts/{follower.pk}-{int(timezone.now().timestamp())}",
    )
    queue(accept, follower.actor.inbox, follower.local)


def _inboxes(locals_: list[str]) -> list[str]:
    """Return one inbox per server for the accepted followers of these actors of ours."""
    found: dict[str, str] = {}
    blocked_actors = set(Block.objects.exclude(actor_uri="").values_list("actor_uri", flat=True))
    blocked_domains = set(Block.objects.exclude(domain="").values_list("domain", flat=True))
    follows = Follower.objects.filter(local__in=locals_, state=Follower.State.ACCEPTED)
    for uri, inbox, shared, host in follows.values_list(
        "actor__uri", "actor__inbox", "actor__shared_inbox", "actor__server__host"
    ):
        if uri in blocked_actors or host.split(":")[0] in blocked_domains:
            continue
        # One shared inbox per server; actors of a server without one each get theirs.
        found.setdefault(f"{host} {shared or inbox}", shared or inbox)
    return sorted(set(found.values()))


def federate(entry_id: int) -> str:
    """Tell followers what changed about an entry since they were last told; return what."""
    entry = Entry.objects.filter(pk=entry_id).select_related("cover").first()
    visible = entry is not None and entry.is_published
    with transaction.atomic():
        record = FederatedEntry.objects.select_for_update().filter(entry_id=entry_id).first()
        told = record is not None and record.state != FederatedEntry.State.DELETED
        if visible and not told:
            return _create(entry, record)
        if visible:
            return _update(entry, record)
        if not told:
            return "nothing to say"
        return _delete(record)


def _create(entry: Entry, record: FederatedEntry | None) -> str:
    """Send a Create to the blog's followers, and an Announce to each author's."""
    document = documents.article(entry)
    recent = timezone.now() - timedelta(hours=settings.SOCIAL_RECENT_HOURS)
    if record is None and entry.published_at < recent:
        return "too old"
    stamp = int(timezone.now().timestamp())
    authors = documents.authors_local(entry)
    inboxes = _inboxes([""])
    create = documents.wrap("Create", "", document, f"{document['id']}#create-{stamp}")
    for inbox in inboxes:
        queue(create, inbox)
    for local in authors:
        announce = documents.wrap(
            "Announce", local, document["id"], f"{document['id']}#announce-{local}",
            cc=[documents.followers_id(local)],
        )  # fmt: skip
        announce["to"] = [documents.PUBLIC]
        for inbox in _inboxes([local]):
            queue(announce, inbox, local)
    FederatedEntry.objects.update_or_create(
        entry_id=entry.pk,
        defaults={
            "object_id": document["id"], "content_hash": documents.content_hash(document),
            "state": FederatedEntry.State.PUBLISHED,
            "inboxes": sorted(set(inboxes) | set(_inboxes(authors))),
            "updated_at": timezone.now(),
        },
    )  # fmt: skip
    return "created"


def _update(entry: Entry, record: FederatedEntry) -> str:
    """Send an Update to everyone told before and every follower now, if the entry changed."""
    document = documents.article(entry)
    digest = documents.content_hash(document)
    if record.content_hash == digest:
        return "unchanged"
    stamp = int(timezone.now().timestamp())
    document["updated"] = documents._iso(timezone.now())
    authors = documents.authors_local(entry)
    inboxes = sorted(set(_inboxes(["", *authors])) | set(record.inboxes))
    update = documents.wrap("Update", "", document, f"{document['id']}#update-{stamp}")
    for inbox in inboxes:
        queue(update, inbox)
    record.content_hash, record.inboxes = digest, inboxes
    record.object_id, record.updated_at = document["id"], timezone.now()
    record.save()
    return "updated"


def _delete(record: FederatedEntry) -> str:
    """Send a Delete (a Tombstone) to everyone told of an entry no longer public."""
    tombstone = {"id": record.object_id, "type": "Tombstone"}
    delete = documents.wrap("Delete", "", tombstone, f"{record.object_id}#delete")
    inboxes = sorted(set(_inboxes([""])) | set(record.inboxes))
    for inbox in inboxes:
        queue(delete, inbox)
    record.state, record.updated_at = FederatedEntry.State.DELETED, timezone.now()
    record.save()
    return "deleted"


def due_scheduled() -> list[int]:
    """Return the ids of recently published entries the followers were never told about."""
    recent = timezone.now() - timedelta(hours=settings.SOCIAL_RECENT_HOURS)
    told = FederatedEntry.objects.values_list("entry_id", flat=True)
    return list(
        Entry.objects.published()
        .filter(published_at__gte=recent)
        .exclude(pk__in=told)
        .values_list("pk", flat=True)
    )


def follow(actor_uri: str) -> Following:
    """Ask an account elsewhere to let this blog follow it (its server answers Accept)."""
    from social.remote import actor_by_id

    actor = actor_by_id(actor_uri)
    following, _ = Following.objects.get_or_create(
        actor=actor, defaults={"follow_id": f"{documents.actor_id()}#follows/{actor.pk}"}
    )
    activity = documents.wrap("Follow", "", actor.uri, following.follow_id)
    queue(activity, actor.inbox)
    return following


def reply(object_url: str, text: str) -> SentNote:
    """Answer a post elsewhere, from the blog: a public Note sent to its author's server."""
    from django.urls import reverse

    from social.remote import ActorUnavailable, actor_by_id, signed_fetch_json

    post = signed_fetch_json(object_url)
    author = post.get("attributedTo")
    author = author.get("id") if isinstance(author, dict) else author
    if not isinstance(author, str) or not isinstance(post.get("id"), str):
        raise ActorUnavailable("the post names no author")
    actor = actor_by_id(author)
    note = SentNote.objects.create(in_reply_to=post["id"], to_actor=actor.uri, text=text)
    document = note_document(note)
    address = documents.absolute(reverse("social:note", kwargs={"pk": note.pk}))
    create = documents.wrap("Create", "", document, f"{address}#create", cc=[actor.uri])
    queue(create, actor.delivery_inbox)
    return note


def note_document(note) -> dict:
    """Return a reply this blog sent, as a Note."""
    from django.urls import reverse
    from django.utils.html import escape

    address = documents.absolute(reverse("social:note", kwargs={"pk": note.pk}))
    paragraphs = "".join(f"<p>{escape(part)}</p>" for part in note.text.split("\n\n") if part)
    return {
        "@context": documents.CONTEXT,
        "id": address,
        "type": "Note",
        "attributedTo": documents.actor_id(),
        "inReplyTo": note.in_reply_to,
        "content": paragraphs,
        "published": documents._iso(note.created_at),
        "to": [documents.PUBLIC],
        "cc": [note.to_actor],
        "tag": [{"type": "Mention", "href": note.to_actor}],
    }
