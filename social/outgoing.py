"""What this site sends: Accepts, and an entry's Create, Update, Announce and Delete to the
followers' servers (one delivery per inbox, the shared one where a server has one).

Every delivery is a row, sent by a task, signed with the site's key; a failure is retried
with back-off for SOCIAL_RETRY_HOURS, after which the delivery is given up and its server
marked dead: later deliveries there are skipped until the server talks to us again.
"""

import json
import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from outbound.fetch import FetchRefused, fetch
from posts.models import Entry
from social import documents
from social.models import (
    Block,
    Delivery,
    FederatedEntry,
    Follower,
    Following,
    SentNote,
    Server,
)
from social.remote import host_header, request_target, server_for
from social.signatures import sign

log = logging.getLogger(__name__)

FIRST_WAIT = 30  # seconds; each retry waits four times longer, at most MAX_WAIT
MAX_WAIT = 6 * 3600


def _enqueue(task_name: str, *args, run_after=None) -> None:
    from social import tasks

    a_task = getattr(tasks, task_name)
    if run_after is not None:
        if not tasks.can_defer():
            return  # the immediate backend cannot wait: due work is picked up by retry_due
        a_task = a_task.using(run_after=run_after)
    transaction.on_commit(partial(a_task.enqueue, *args))


def queue(payload: dict, inbox: str, local: str = "") -> Delivery | None:
    """Store one delivery of payload to inbox, signed by our actor local; send it after commit."""
    server = server_for(inbox)
    if Block.objects.filter(domain=server.host.split(":")[0]).exists():
        return None
    delivery = Delivery.objects.create(
        server=server, inbox=inbox, actor_path=local, payload=payload
    )
    _enqueue("deliver", delivery.pk)
    return delivery


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


def copy_avatar_later(comment_id: int) -> None:
    _enqueue("copy_avatar", comment_id)


def backoff(attempts: int) -> timedelta:
    """Return how long to wait after this many failed attempts."""
    return timedelta(seconds=min(MAX_WAIT, FIRST_WAIT * 4 ** max(0, attempts - 1)))


def attempt(delivery_id: int) -> timedelta | None:
    """Send one delivery if due; return how long to wait before trying again, or None."""
    delivery = Delivery.objects.select_related("server").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return None
    now = timezone.now()
    if delivery.next_attempt_at > now:
        return delivery.next_attempt_at - now
    server = delivery.server
    if server.dead_since is not None:
        delivery.status = Delivery.Status.SKIPPED
        delivery.last_result = "server marked dead"
        delivery.save(update_fields=["status", "last_result"])
        return None
    body = json.dumps(delivery.payload).encode()
    key = documents.site_key()
    headers = sign(
        "POST", host_header(delivery.inbox), request_target(delivery.inbox),
        documents.key_id(delivery.actor_path), key.private_pem, body=body,
    )  # fmt: skip
    try:
        answer = fetch(delivery.inbox, method="POST", body=body, headers=headers, max_bytes=4096)
        ok, result = 200 <= answer.status < 300, f"answered {answer.status}"
    except FetchRefused as err:
        ok, result = False, str(err)[:300]
    delivery.attempts += 1
    delivery.last_result = result
    if ok:
        delivery.status = Delivery.Status.SENT
        delivery.save(update_fields=["attempts", "last_result", "status"])
        Server.objects.filter(pk=server.pk).update(
            failures=0, first_failure_at=None, dead_since=None, last_success_at=now
        )
        return None
    Server.objects.filter(pk=server.pk).update(
        failures=server.failures + 1, first_failure_at=server.first_failure_at or now
    )
    wait = backoff(delivery.attempts)
    if now + wait > delivery.created_at + timedelta(hours=settings.SOCIAL_RETRY_HOURS):
        delivery.status = Delivery.Status.FAILED
        delivery.save(update_fields=["attempts", "last_result", "status"])
        # Dead only if nothing reached it since this delivery was made.
        Server.objects.filter(
            Q(last_success_at__isnull=True) | Q(last_success_at__lt=delivery.created_at),
            pk=server.pk,
        ).update(dead_since=now)
        return None
    delivery.next_attempt_at = now + wait
    delivery.save(update_fields=["attempts", "last_result", "next_attempt_at"])
    return wait


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
        if visible:
            document = documents.article(entry)
            digest = documents.content_hash(document)
            authors = documents.authors_local(entry)
            stamp = int(timezone.now().timestamp())
            if record is None or record.state == FederatedEntry.State.DELETED:
                recent = timezone.now() - timedelta(hours=settings.SOCIAL_RECENT_HOURS)
                if record is None and entry.published_at < recent:
                    return "too old"
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
                    entry_id=entry_id,
                    defaults={
                        "object_id": document["id"], "content_hash": digest,
                        "state": FederatedEntry.State.PUBLISHED,
                        "inboxes": sorted(set(inboxes) | set(_inboxes(authors))),
                        "updated_at": timezone.now(),
                    },
                )  # fmt: skip
                return "created"
            if record.content_hash == digest:
                return "unchanged"
            document["updated"] = documents._iso(timezone.now())
            inboxes = sorted(set(_inboxes(["", *authors])) | set(record.inboxes))
            update = documents.wrap("Update", "", document, f"{document['id']}#update-{stamp}")
            for inbox in inboxes:
                queue(update, inbox)
            record.content_hash, record.inboxes = digest, inboxes
            record.object_id, record.updated_at = document["id"], timezone.now()
            record.save()
            return "updated"
        if record is None or record.state == FederatedEntry.State.DELETED:
            return "nothing to say"
        tombstone = {"id": record.object_id, "type": "Tombstone"}
        delete = documents.wrap("Delete", "", tombstone, f"{record.object_id}#delete")
        inboxes = sorted(set(_inboxes([""])) | set(record.inboxes))
        for inbox in inboxes:
            queue(delete, inbox)
        record.state, record.updated_at = FederatedEntry.State.DELETED, timezone.now()
        record.save()
        return "deleted"


def federate_later(entry: Entry) -> None:
    """After commit, federate the entry now, or when its scheduled time comes."""
    told = FederatedEntry.objects.filter(entry_id=entry.pk, state=FederatedEntry.State.PUBLISHED)
    if entry.status != Entry.Status.PUBLISHED and not told.exists():
        return  # a draft nobody was told of: nothing to say
    from social.tasks import schedule_check

    schedule_check()
    when = entry.published_at
    if entry.status == Entry.Status.PUBLISHED and when is not None and when > timezone.now():
        _enqueue("federate_entry", entry.pk, run_after=when)
    else:
        _enqueue("federate_entry", entry.pk)


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
