"""Newsletter figures for other apps (the statistics dashboard): counts only, never an address.

Other apps read the subscribers' figures here rather than through the models, so the
models can change without them. Reads this app's models; knows no request, view or admin.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from subscribers.models import Delivery, Mailing, Subscriber

RECENT_MAILINGS = 10


@dataclass(frozen=True)
class NewsletterDay:
    day: datetime.date
    confirmed: int
    unsubscribed: int


@dataclass(frozen=True)
class EntryMailing:
    entry_id: int
    title: str
    started: datetime.datetime
    sent: int
    failed: int
    waiting: int


@dataclass(frozen=True)
class NewsletterReport:
    confirmed_now: int
    days: list[NewsletterDay]
    mailings: list[EntryMailing]


def _per_day(field: str, since: datetime.datetime, rows) -> dict[datetime.date, int]:
    counted = (
        rows.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    return dict(counted)


def newsletter_report(
    start: datetime.date, days: int, recent: int = RECENT_MAILINGS
) -> NewsletterReport | None:
    """Return the newsletter's figures from `start` over `days` days, or None if nobody ever
    subscribed.

    Sign-ups count the readers who confirmed through the form on that day (imports are not
    sign-ups); unsubscribes, the readers who left that day. Mailings are those of the most
    recent `recent` entries e-mailed to someone since `start`: handed-over messages count as
    sent.
    Four queries whatever the number of subscribers, days or entries.
    """
    totals = Subscriber.objects.aggregate(
        everyone=Count("pk"), confirmed=Count("pk", filter=Q(status=Subscriber.Status.CONFIRMED))
    )
    if not totals["everyone"]:
        return None
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    signed_up = _per_day(
        "consent_at", since, Subscriber.objects.filter(source=Subscriber.Source.FORM)
    )
    left = _per_day("unsubscribed_at", since, Subscriber.objects.all())
    series = [
        NewsletterDay(day, signed_up.get(day, 0), left.get(day, 0))
        for day in (start + datetime.timedelta(days=offset) for offset in range(days))
    ]
    status = Delivery.Status
    handed_over = [status.SENT, status.COMMITTED]
    mailings = (
        Mailing.objects.filter(
            created_at__gte=since, state__in=[Mailing.State.SENDING, Mailing.State.DONE]
        )
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__status__in=handed_over)),
            failed=Count("deliveries", filter=Q(deliveries__status=status.FAILED)),
            waiting=Count("deliveries", filter=Q(deliveries__status=status.QUEUED)),
            readers=Count("deliveries"),
        )
        .filter(readers__gt=0)  # an entry published while nobody followed it mailed no one
        .order_by("-created_at", "-pk")
        .values_list("entry_id", "entry__title", "created_at", "sent", "failed", "waiting")[:recent]
    )
    return NewsletterReport(
        confirmed_now=totals["confirmed"],
        days=series,
        mailings=[EntryMailing(*row) for row in mailings],
    )
