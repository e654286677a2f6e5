"""Subscribers in and out as CSV, in the column formats Ghost, Substack and Mailchimp use.

Import reads any of those (or plain `email,confirmed,consent_at,tags`): an address is
confirmed only when the file says so and gives a consent date; an address whose hash an
unsubscribe left behind is never added back; every refused row is named by its number
(the header is row 1). Knows the models and addresses; the admin calls it.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from taggit.models import Tag

from subscribers.addresses import address_hash, clean_address
from subscribers.models import Subscriber

FORMATS = {
    # Ghost's members export (Members, Export) and import.
    "ghost": [
        "email", "name", "note", "subscribed_to_emails", "complimentary_plan",
        "stripe_customer_id", "created_at", "deleted_at", "labels",
    ],
    # Substack's subscriber export (Subscribers, Export).
    "substack": [
        "email", "active_subscription", "expiry", "plan", "email_disabled",
        "subscription_created_at",
    ],
    # Mailchimp's audience export (the subscribed contacts' file).
    "mailchimp": ["Email Address", "OPTIN_TIME", "CONFIRM_TIME", "LAST_CHANGED", "TAGS"],
}  # fmt: skip
EMAIL_COLUMNS = ("email", "email address", "e-mail", "e-mail address")
CONSENT_COLUMNS = (
    "consent_at", "confirm_time", "optin_time", "subscription_created_at", "created_at",
)  # fmt: skip
TAG_COLUMNS = ("tags", "labels")
YES = {"1", "true", "yes", "y", "confirmed", "subscribed"}
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class ImportReport:
    added: int = 0
    confirmed: int = 0
    unchanged: int = 0
    blocked: int = 0  # unsubscribed before: only the hash was kept
    problems: list[str] = field(default_factory=list)


def _cell(row: dict, names) -> str:
    for name in names:
        if row.get(name):
            return row[name].strip()
    return ""


def _says_confirmed(row: dict) -> bool:
    if _cell(row, ("confirmed", "subscribed_to_emails", "status")).lower() in YES:
        return True
    if row.get("email_disabled", "").strip().lower() in {"false", "0", "no"}:
        return True  # Substack: e-mail not disabled
    return bool(_cell(row, ("confirm_time",)))  # Mailchimp: a confirmation time


def _consent(row: dict) -> datetime | None:
    text = _cell(row, CONSENT_COLUMNS)
    if not text:
        return None
    moment = parse_datetime(text.replace(" UTC", "").replace("Z", "+00:00"))
    if moment is None and parse_date(text[:10]):
        moment = datetime.combine(parse_date(text[:10]), datetime.min.time())
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def import_csv(data: bytes) -> ImportReport:
    """Add the file's subscribers in one transaction; return what was done and refused."""
    report = ImportReport()
    if len(data) > MAX_BYTES:
        report.problems.append("The file is larger than 20 MB.")
        return report
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append("The file is not UTF-8 text: save it as CSV (UTF-8).")
        return report
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        report.problems.append("The file is empty.")
        return report
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    if not any(name in EMAIL_COLUMNS for name in reader.fieldnames):
        report.problems.append("No e-mail column (email, or Email Address) in the first line.")
        return report
    tags = {}
    with transaction.atomic():
        try:
            rows = list(enumerate(reader, start=2))
        except csv.Error as err:
            report.problems.append(f"The CSV cannot be read: {err}")
            return report
        for line, row in rows:
            try:
                address = clean_address(_cell(row, EMAIL_COLUMNS))
            except ValidationError as err:
                report.problems.append(f"Row {line}: {' '.join(err.messages)}")
                continue
            existing = Subscriber.objects.filter(email_hash=address_hash(address)).first()
            if existing is not None and existing.status == Subscriber.Status.UNSUBSCRIBED:
                report.blocked += 1
                continue
            if existing is not None:
                report.unchanged += 1
                continue
            consent = _consent(row)
            confirmed = _says_confirmed(row) and consent is not None
            subscriber = Subscriber(
                source=Subscriber.Source.IMPORT,
                status=Subscriber.Status.CONFIRMED if confirmed else Subscriber.Status.PENDING,
                consent_at=consent if confirmed else None,
            )
            subscriber.set_email(address)
            names = [n.strip() for n in _cell(row, TAG_COLUMNS).split(",") if n.strip()]
            subscriber.all_tags = not names
            subscriber.save()
            if names:
                for name in names:
                    if name.lower() not in tags:
                        tags[name.lower()] = Tag.objects.filter(name__iexact=name).first()
                found = [tags[n.lower()] for n in names if tags[n.lower()] is not None]
                subscriber.tags.set(found)
                if not found:
                    subscriber.all_tags = True
                    subscriber.save(update_fields=["all_tags"])
            report.added += 1
            report.confirmed += confirmed
    return report


def _row(subscriber: Subscriber, kind: str) -> list[str]:
    created = subscriber.created_at.isoformat()
    consent = subscriber.consent_at.isoformat() if subscriber.consent_at else ""
    tags = ",".join(tag.name for tag in subscriber.tags.all())
    confirmed = subscriber.status == Subscriber.Status.CONFIRMED
    if kind == "ghost":
        return [subscriber.email, "", "", str(confirmed).lower(), "false", "", created, "", tags]
    if kind == "substack":
        return [subscriber.email, "false", "", "", str(not confirmed).lower(), consent or created]
    return [subscriber.email, created, consent, created, tags]


def export_csv(queryset, kind: str) -> str:
    """Return the subscribers who still have an address as CSV in one of FORMATS."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FORMATS[kind])
    for subscriber in queryset.exclude(email=None).prefetch_related("tags").order_by("pk"):
        writer.writerow(_row(subscriber, kind))
    return out.getvalue()
