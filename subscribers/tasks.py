"""Background work on the task worker: confirmation mail, finding due entries, batches.

No cron: `check_mailings` runs when an entry is saved (published now, or at its scheduled
time, enqueued to run then), and with the database backend it also enqueues itself again
every BLOGSITE_MAIL_CHECK_SECONDS, so entries published by a bulk update and batches whose
worker was killed are picked up. Each task takes ids and is safe to run twice.
"""

import logging
import time
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from subscribers import delivery
from subscribers.compose import confirmation_message
from subscribers.models import Subscriber

log = logging.getLogger(__name__)


def can_defer() -> bool:
    return default_task_backend.supports_defer


def enqueue_after_commit(a_task, *args, run_after: datetime | None = None) -> None:
    """Enqueue once the current transaction commits (at once outside one)."""
    if run_after is not None and can_defer():
        a_task = a_task.using(run_after=run_after)
    elif run_after is not None and run_after > timezone.now():
        return  # the immediate backend cannot wait: the periodic check is not there either
    transaction.on_commit(partial(a_task.enqueue, *args))


@task()
def send_confirmation(subscriber_id: int, all_tags: bool = True, tag_ids: list[int] = ()) -> None:
    """Mail the double opt-in link to a pending subscriber."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, email__isnull=False).first()
    if subscriber is None:
        return
    with get_connection() as connection:
        connection.send_messages([confirmation_message(subscriber, all_tags, list(tag_ids))])


@task()
def check_mailings(again: bool = False) -> None:
    """Start the mailing of every entry now due; hand quiet mailings' rows to new batches."""
    for entry_id in delivery.due_entries().values_list("pk", flat=True):
        for first, last in delivery.start_mailing(entry_id):
            enqueue_after_commit(send_batch, entry_id, first, last)
    for mailing_id, entry_id, first, last in delivery.stale_batches():
        log.info("Mailing %s: batch %s-%s went quiet, sending its rest", mailing_id, first, last)
        enqueue_after_commit(send_batch, entry_id, first, last)
    if again:
        schedule_check()


def schedule_check() -> None:
    """Keep one periodic check waiting in the database queue (none with other backends)."""
    if not can_defer() or settings.BLOGSITE_MAIL_CHECK_SECONDS <= 0:
        return
    from django_tasks_db.models import DBTaskResult, get_date_max  # the database backend's

    # A task enqueued to run at once has the far future as its run_after: not the chain.
    waiting = DBTaskResult.objects.filter(
        task_path=check_mailings.module_path, status="READY", run_after__gt=timezone.now()
    ).exclude(run_after=get_date_max())
    if not waiting.exists():
        run_after = timezone.now() + timedelta(seconds=settings.BLOGSITE_MAIL_CHECK_SECONDS)
        enqueue_after_commit(check_mailings, True, run_after=run_after)


@task()
def send_batch(entry_id: int, first: int, last: int) -> None:
    """Send one batch of an entry's mailing; retries wait, deferred or (immediate) asleep."""
    mailing = delivery.Mailing.objects.filter(entry_id=entry_id).first()
    if mailing is None:
        return
    while True:
        wait = delivery.send_batch(mailing.pk, first, last)
        if wait is None:
            return
        if can_defer():
            enqueue_after_commit(send_batch, entry_id, first, last, run_after=timezone.now() + wait)
            return
        time.sleep(wait.total_seconds())
