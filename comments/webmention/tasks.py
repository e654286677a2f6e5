"""Webmentions' background work: verifying what others send, and sending ours.

Each task takes URLs or an id and is idempotent: a mention verified twice is stored once,
and a link already told of is not told again.
"""

from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from comments.webmention.receive import verify
from comments.webmention.send import send_for_entry


@task()
def verify_mention(source: str, target: str) -> str:
    return verify(source, target)


@task()
def send_mentions(entry_id: int) -> int:
    return len(send_for_entry(entry_id))


def enqueue_sending(entry_id: int, when=None) -> None:
    """After commit, send an entry's Webmentions now, or when its scheduled time comes."""
    if when is not None and when > timezone.now() and default_task_backend.supports_defer:
        transaction.on_commit(partial(send_mentions.using(run_after=when).enqueue, entry_id))
    else:
        transaction.on_commit(partial(send_mentions.enqueue, entry_id))
