"""One delivery: a message stored as a row, then signed with the site's key and sent by the
deliver task.

A failure is retried with back-off for SOCIAL_RETRY_HOURS, after which the delivery is given up
and its server marked dead: later deliveries there are skipped until the server talks to us
again. Imports the models, the signatures and the fetch guard; nothing that builds messages.
"""

import json
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import default_task_backend, task

from outbound.fetch import FetchRefused, fetch
from social import documents
from social.models import Block, Delivery, Server
from social.remote import host_header, request_target, server_for
from social.signatures import sign

FIRST_WAIT = 30  # seconds; each retry waits four times longer, at most MAX_WAIT
MAX_WAIT = 6 * 3600


def can_defer() -> bool:
    """Return True if the task backend can hold a task back until a given time."""
    return default_task_backend.supports_defer


def queue(payload: dict, inbox: str, local: str = "") -> Delivery | None:
    """Store one delivery of payload to inbox, signed by our actor local; send it after commit."""
    server = server_for(inbox)
    if Block.objects.filter(domain=server.host.split(":")[0]).exists():
        return None
    delivery = Delivery.objects.create(
        server=server, inbox=inbox, actor_path=local, payload=payload
    )
    transaction.on_commit(partial(deliver.enqueue, delivery.pk))
    return delivery


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


@task()
def deliver(delivery_id: int) -> None:
    """Send one delivery; on failure, try again after its back-off where the backend can wait."""
    wait = attempt(delivery_id)
    if wait is not None and can_defer():
        deliver.using(run_after=timezone.now() + wait).enqueue(delivery_id)
