"""E-mailing an entry: which entries are due, and sending a batch exactly once.

Every (entry, subscriber) pair is a Delivery row. Just before the dot that makes a message
final, one atomic update moves the row from queued to committed: only one worker can win
it, and a worker that loses drops its connection, so the server discards its copy. After
the server's 250 the row becomes sent (recorded in small groups: a committed row is never
sent again, so a crash before that write loses nothing). A worker killed before the dot
leaves the row queued, and the server has dropped the message: it is sent again.
`stale_batches` finds batches whose worker went quiet. Knows the models, compose and
transport; the tasks module calls it.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from posts.models import Entry
from subscribers.compose import EntryMail
from subscribers.models import Delivery, Mailing, Subscriber
from subscribers.transport import Outcome, Transport

log = logging.getLogger(__name__)
OPEN = (Delivery.Status.QUEUED,)
SENT_GROUP = 50  # sent rows recorded together: one write for many messages


def backoff(attempts: int) -> timedelta:
    """Return the wait before another try: doubling from BLOGSITE_MAIL_RETRY_SECONDS."""
    base = settings.BLOGSITE_MAIL_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def due_entries() -> models.QuerySet:
    """Return published entries (their time come) that have no mailing yet."""
    return Entry.objects.published().filter(mailing__isnull=True).order_by("published_at")


def start_mailing(entry_id: int) -> list[tuple[int, int]]:
    """Make the mailing of a newly published entry; return its batches as id ranges.

    An entry published long ago (an import, an old post made public again) is marked as
    skipped: readers get new entries, not the archive.
    """
    entry = Entry.objects.published().filter(pk=entry_id).first()
    if entry is None:
        return []
    recent = timezone.now() - timedelta(hours=settings.BLOGSITE_MAIL_RECENT_HOURS)
    state = Mailing.State.SENDING if entry.published_at >= recent else Mailing.State.SKIPPED
    try:
        with transaction.atomic():
            mailing = Mailing.objects.create(entry=entry, state=state)
            if state == Mailing.State.SENDING:
                tag_ids = list(entry.tags.values_list("pk", flat=True))
                readers = (
                    Subscriber.objects.confirmed().following(tag_ids).values_list("pk", flat=True)
                )
                Delivery.objects.bulk_create(
                    (Delivery(mailing=mailing, subscriber_id=pk) for pk in readers.iterator()),
                    batch_size=1000,
                )
    except IntegrityError:  # another process made this entry's mailing first
        return []
    return batches(mailing.pk)


def batches(mailing_id: int, only_open: bool = False) -> list[tuple[int, int]]:
    """Return the mailing's deliveries as (first id, last id) ranges of the batch size."""
    rows = Delivery.objects.filter(mailing_id=mailing_id)
    if only_open:
        rows = rows.filter(status__in=OPEN)
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    if not ids:
        Mailing.objects.filter(pk=mailing_id, state=Mailing.State.SENDING).update(
            state=Mailing.State.DONE, finished_at=timezone.now()
        )
    size = settings.BLOGSITE_MAIL_BATCH_SIZE
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def stale_batches() -> list[tuple[int, int, int, int]]:
    """Return (mailing, entry, first id, last id) of batches whose worker went quiet.

    A batch is quiet when it has deliveries left and nothing in it was handed over or sent for
    BLOGSITE_MAIL_STALE_SECONDS: its worker was killed mid-batch (some rows done), or the
    task never ran while the whole mailing stood still. A batch still waiting its turn
    while others send is left alone. Running one twice is harmless: each row is committed once.
    """
    now = timezone.now()
    quiet = now - timedelta(seconds=settings.BLOGSITE_MAIL_STALE_SECONDS)
    size = settings.BLOGSITE_MAIL_BATCH_SIZE
    found = []
    sending = Mailing.objects.filter(state=Mailing.State.SENDING, created_at__lt=quiet)
    for mailing_id, entry_id in sending.values_list("pk", "entry_id"):
        rows = list(
            Delivery.objects.filter(mailing_id=mailing_id)
            .order_by("pk")
            .values_list("pk", "status", "attempts", "claimed_at", "sent_at")
        )
        chunks = [rows[i : i + size] for i in range(0, len(rows), size)]

        def last_activity(chunk):
            times = [t for row in chunk for t in (row[3], row[4]) if t is not None]
            return max(times) if times else None

        activity = [last_activity(chunk) for chunk in chunks]
        mailing_busy = any(t is not None and t >= quiet for t in activity)
        for chunk, latest in zip(chunks, activity, strict=True):
            if not any(row[1] in OPEN for row in chunk):
                continue
            started = any(row[2] > 0 for row in chunk)
            if (started and latest < quiet) or (not started and not mailing_busy):
                found.append((mailing_id, entry_id, chunk[0][0], chunk[-1][0]))
    return found


class Pace:
    """At most BLOGSITE_MAIL_PER_SECOND messages a second from this worker (0: no limit)."""

    def __init__(self) -> None:
        rate = settings.BLOGSITE_MAIL_PER_SECOND
        self.gap = 1 / rate if rate > 0 else 0
        self.next = time.monotonic()

    def wait(self) -> None:
        if self.gap:
            now = time.monotonic()
            if self.next > now:
                time.sleep(self.next - now)
            self.next = max(self.next, now) + self.gap


def _commit(pks: list[int]) -> set[int]:
    """Record "handed over" just before the final dots; return the rows this worker won."""
    now = timezone.now()
    due = models.Q(retry_at__isnull=True) | models.Q(retry_at__lte=now)
    with transaction.atomic():
        won = set(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(due, pk__in=pks, status=Delivery.Status.QUEUED)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=won).update(
            status=Delivery.Status.COMMITTED,
            claimed_at=now,
            attempts=models.F("attempts") + 1,
        )
    return won


def _record_sent(pks: list[int]) -> None:
    if pks:
        Delivery.objects.filter(pk__in=pks, status=Delivery.Status.COMMITTED).update(
            status=Delivery.Status.SENT, sent_at=timezone.now()
        )
        pks.clear()


def _record_failure(delivery: Delivery, outcome: Outcome, reply: str, committed: bool) -> None:
    attempts = delivery.attempts + 1
    rows = Delivery.objects.filter(pk=delivery.pk)
    counted = {} if committed else {"attempts": attempts}
    if outcome == Outcome.BOUNCE or attempts >= settings.BLOGSITE_MAIL_MAX_ATTEMPTS:
        rows.update(status=Delivery.Status.FAILED, error=reply, **counted)
    else:
        retry_at = timezone.now() + backoff(attempts)
        rows.update(status=Delivery.Status.QUEUED, retry_at=retry_at, error=reply, **counted)
    if outcome == Outcome.BOUNCE:
        subscriber = Subscriber.objects.filter(pk=delivery.subscriber_id)
        subscriber.update(bounces=models.F("bounces") + 1)
        subscriber.filter(
            status=Subscriber.Status.CONFIRMED, bounces__gte=settings.BLOGSITE_MAIL_BOUNCES
        ).update(status=Subscriber.Status.BOUNCING)


def send_batch(mailing_id: int, first: int, last: int) -> timedelta | None:
    """Send the batch's deliveries that are due; return the wait before a retry, or None."""
    mailing = Mailing.objects.select_related("entry").filter(pk=mailing_id).first()
    if mailing is None or mailing.state != Mailing.State.SENDING:
        return None
    mail = EntryMail.for_entry(mailing.entry)
    now = timezone.now()
    rows = list(
        Delivery.objects.filter(mailing=mailing, pk__range=(first, last), status__in=OPEN)
        .filter(models.Q(retry_at__isnull=True) | models.Q(retry_at__lte=now))
        .select_related("subscriber")
        .order_by("pk")
    )
    transport, pace, sent = Transport(settings.BLOGSITE_MAIL_CONNECTIONS), Pace(), []
    to_send = []
    for delivery in rows:
        subscriber = delivery.subscriber
        if subscriber.status != Subscriber.Status.CONFIRMED or not subscriber.email:
            Delivery.objects.filter(pk=delivery.pk, status__in=OPEN).update(
                status=Delivery.Status.FAILED, error="no longer subscribed"
            )
        else:
            to_send.append(delivery)
    try:
        for start in range(0, len(to_send), transport.width):
            group = {d.pk: d for d in to_send[start : start + transport.width]}
            messages = []
            for delivery in group.values():
                pace.wait()
                reader = delivery.subscriber
                message = mail.raw_for(reader) if transport.smtp else mail.message_for(reader)
                messages.append((delivery.pk, message))
            results = transport.send_group(messages, _commit)
            for pk, result in results.items():
                delivery = group[pk]
                if result.outcome == Outcome.SENT:
                    sent.append(pk)
                    if delivery.subscriber.bounces:
                        Subscriber.objects.filter(pk=delivery.subscriber_id).update(bounces=0)
                elif result.outcome != Outcome.TAKEN:
                    _record_failure(delivery, result.outcome, result.reply, result.final_sent)
            if len(sent) >= SENT_GROUP:
                _record_sent(sent)
    finally:
        transport.close()
        _record_sent(sent)
    return _after_batch(mailing_id, first, last)


def _after_batch(mailing_id: int, first: int, last: int) -> timedelta | None:
    left = Delivery.objects.filter(
        mailing_id=mailing_id, pk__range=(first, last), status=Delivery.Status.QUEUED
    )
    next_try = left.aggregate(soonest=models.Min("retry_at"))["soonest"]
    if next_try is not None:
        return max(next_try - timezone.now(), timedelta(0))
    if not Delivery.objects.filter(mailing_id=mailing_id, status__in=OPEN).exists():
        Mailing.objects.filter(pk=mailing_id, state=Mailing.State.SENDING).update(
            state=Mailing.State.DONE, finished_at=timezone.now()
        )
    return None


def progress(mailing: Mailing) -> dict[str, int]:
    """Return the mailing's deliveries counted by state: queued, sent, failed."""
    counts = dict(
        mailing.deliveries.values_list("status").annotate(n=models.Count("pk")).order_by()
    )
    return {
        "queued": counts.get("queued", 0),
        "sent": counts.get("sent", 0) + counts.get("committed", 0),
        "failed": counts.get("failed", 0),
    }


def send_test(entry: Entry, address: str) -> None:
    """Send the entry's mail to one address now, as a subscriber would get it."""
    reader = Subscriber(pk=0, email=address, key="test", status=Subscriber.Status.CONFIRMED)
    message = EntryMail.for_entry(entry).message_for(reader, test=True)
    message.send()
