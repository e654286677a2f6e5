"""A made-up newsletter history over the last days: sign-ups, departures and mailings."""

import datetime

from django.utils import timezone

from subscribers.addresses import address_hash
from subscribers.models import Delivery, Mailing, Subscriber
from tests.factories import EntryFactory


def newsletter_history(subscribers: int, entries: int, tag: str = "") -> dict:
    """Make `subscribers` form sign-ups (one confirmed a day, every third one gone since),
    an imported subscriber, and `entries` e-mailed entries with sent, failed and waiting mail.

    Returns what the figures should show, to compare with.
    """
    now = timezone.now()
    made = [EntryFactory(title=f"Mailed entry {tag}{n}") for n in range(entries)]
    imported = f"imported{tag}@example.org"
    Subscriber.objects.create(
        email=imported, email_hash=address_hash(imported), status=Subscriber.Status.CONFIRMED,
        source=Subscriber.Source.IMPORT, consent_at=now - datetime.timedelta(days=1),
    )  # fmt: skip
    people = []
    for n in range(subscribers):
        address = f"reader{tag}{n}@example.org"
        person = Subscriber.objects.create(
            email=address, email_hash=address_hash(address), status=Subscriber.Status.CONFIRMED,
            consent_at=now - datetime.timedelta(days=n),
        )  # fmt: skip
        people.append(person)
    gone = people[2::3]
    for person in gone:
        person.forget()  # today
    for number, entry in enumerate(made):
        mailing, _ = Mailing.objects.update_or_create(
            entry=entry,
            defaults={
                "state": Mailing.State.DONE,
                "created_at": now - datetime.timedelta(days=number, minutes=1),
            },
        )
        mailing.deliveries.all().delete()
        statuses = [Delivery.Status.SENT, Delivery.Status.COMMITTED, Delivery.Status.FAILED,
                    Delivery.Status.QUEUED]  # fmt: skip
        Delivery.objects.bulk_create(
            Delivery(mailing=mailing, subscriber=person, status=statuses[i % 4])
            for i, person in enumerate(people)
        )
    per_status = [sum(1 for i in range(subscribers) if i % 4 == k) for k in range(4)]
    return {
        "entries": made,
        "confirmed_now": subscribers - len(gone) + 1,
        "unsubscribed_today": len(gone),
        "sent": per_status[0] + per_status[1],
        "failed": per_status[2],
        "waiting": per_status[3],
    }
