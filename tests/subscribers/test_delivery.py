"""E-mailing a published entry through a real SMTP server: who gets it, what it holds,
its headers, retries on 4xx, bounces on 5xx, scheduled entries, held entries, test sends."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from posts.models import Entry
from subscribers import delivery, tasks
from subscribers.models import Delivery, Mailing, Subscriber
from tests.factories import EntryFactory, ImageFactory
from tests.subscribers.conftest import confirmed

pytestmark = pytest.mark.django_db

BODY = """An opening paragraph with [a link home](/tags/) and [another](https://elsewhere.example/x).

![A blue square]({image_url})

https://www.youtube.com/watch?v=dQw4w9WgXcQ

```python
print("hello")
```
"""


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish an entry and run what its commit enqueues (the mailing), as the worker would."""

    def publish(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            entry = EntryFactory(**fields)
        return entry

    return publish


def test_each_confirmed_subscriber_gets_one_message_and_no_one_else(inbox, publish):
    readers = [confirmed(f"reader{n}@example.org") for n in range(3)]
    Subscriber.objects.create(email="pending@example.org", email_hash="p")
    confirmed("gone@example.org").forget()
    bouncing = confirmed("bouncing@example.org")
    Subscriber.objects.filter(pk=bouncing.pk).update(status=Subscriber.Status.BOUNCING)
    entry = publish(title="Hello readers")
    assert sorted(inbox.recipients()) == sorted(r.email for r in readers)
    mailing = Mailing.objects.get(entry=entry)
    assert mailing.state == Mailing.State.DONE
    assert delivery.progress(mailing) == {"queued": 0, "sent": 3, "failed": 0}
    # Saving the entry again sends nothing more.
    with_entry = Entry.objects.get(pk=entry.pk)
    with_entry.title = "Hello again"
    with_entry.save()
    tasks.check_mailings.call()
    assert len(inbox.messages) == 3


def test_subscribers_who_follow_tags_get_only_entries_with_one_of_them(inbox, publish):
    everything = confirmed("all@example.org")
    python_reader = confirmed("py@example.org", all_tags=False)
    publish(title="Untagged")
    entry = publish(title="About Python", tags=["python", "web"])
    python_reader.tags.set([entry.tags.get(name="python")])
    publish(title="Python again", tags=["python"])
    publish(title="Cooking", tags=["food"])
    got = {}
    for message in inbox.messages:
        got.setdefault(message["X-Envelope-To"], []).append(message["Subject"])
    assert got[everything.email] == ["Untagged", "About Python", "Python again", "Cooking"]
    assert got[python_reader.email] == ["Python again"]


def test_the_message_is_made_for_mail_with_list_headers(inbox, publish, settings):
    settings.BLOGSITE_TITLE = "Harbour Notes"
    reader = confirmed("headers@example.org")
    image = ImageFactory(alt_text="A blue square")
    entry = publish(title="Made for mail", body=BODY.format(image_url=image.file.url))
    [message] = inbox.messages
    print("\n--- headers of one received message ---")
    for name, value in message.items():
        print(f"{name}: {value}")
    unsubscribe = f"https://blog.example.org{reverse('subscribers:unsubscribe', args=[reader.key])}"
    assert message["List-Unsubscribe"].strip().startswith(f"<{unsubscribe}>, <mailto:")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "Harbour Notes <entries.blog.example.org>"
    assert message["Precedence"] == "bulk"
    assert message["Message-ID"] == f"<entry-{entry.pk}.reader-{reader.pk}@blog.example.org>"
    assert message["From"] == "Harbour Notes <blogsite@localhost>"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Made for mail" in text and unsubscribe in text
    assert "https://blog.example.org" + entry.get_absolute_url() in text
    for attribute in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert attribute.startswith(("https://", "http://", "mailto:")), attribute
    assert 'href="https://blog.example.org/tags/"' in html
    assert "<script" not in html and "<iframe" not in html and "<picture" not in html
    assert "srcset" not in html and 'class="' not in html
    [img] = [tag for tag in re.findall(r"<img [^>]+>", html) if "blue square" in tag]
    assert 'alt="A blue square"' in img and 'width="' in img and 'height="' in img
    assert 'src="https://blog.example.org/media/' in img
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html  # a linked thumbnail
    assert "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg" in html
    assert 'style="' in html and "<pre style=" in html
    assert unsubscribe in html


def test_a_451_for_a_while_then_250_gives_everyone_exactly_one_message(inbox, publish, settings):
    settings.BLOGSITE_MAIL_RETRY_SECONDS = 0.05
    settings.BLOGSITE_MAIL_BATCH_SIZE = 7
    readers = {confirmed(f"patient{n}@example.org").email for n in range(30)}
    inbox.refuse_next = 45  # more refusals than readers: some are refused twice
    publish(title="Busy server")
    assert inbox.refused == 45
    assert sorted(inbox.recipients()) == sorted(readers)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 30
    assert Delivery.objects.filter(attempts__gt=1).exists()


def test_a_permanent_refusal_marks_the_address_bouncing_after_n_failures(inbox, publish, settings):
    settings.BLOGSITE_MAIL_BOUNCES = 2
    gone = confirmed("gone-away@example.org")
    fine = confirmed("fine@example.org")
    inbox.reject_rcpt.add(gone.email)
    publish(title="First")
    gone.refresh_from_db()
    assert (gone.status, gone.bounces) == (Subscriber.Status.CONFIRMED, 1)
    publish(title="Second")
    gone.refresh_from_db()
    assert (gone.status, gone.bounces) == (Subscriber.Status.BOUNCING, 2)
    publish(title="Third")
    assert inbox.recipients() == [fine.email] * 3
    failed = Delivery.objects.filter(subscriber=gone, status=Delivery.Status.FAILED)
    assert failed.count() == 2 and failed.first().error.startswith("550")


def test_a_scheduled_entry_is_mailed_when_its_time_comes(
    inbox, publish, django_capture_on_commit_callbacks
):
    confirmed("later@example.org")
    when = timezone.now() + timedelta(hours=2)
    entry = publish(title="Tomorrow's", published_at=when)
    tasks.check_mailings.call()
    assert inbox.messages == [] and not Mailing.objects.filter(entry=entry).exists()
    with (
        time_machine.travel(when + timedelta(seconds=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.check_mailings.call()
    assert inbox.recipients() == ["later@example.org"]


def test_an_old_entry_published_now_is_not_mailed(inbox, publish):
    confirmed("reader@example.org")
    entry = publish(title="From the archive", published_at=timezone.now() - timedelta(days=30))
    assert inbox.messages == []
    assert Mailing.objects.get(entry=entry).state == Mailing.State.SKIPPED


def test_a_held_entry_is_never_mailed(inbox, publish):
    confirmed("reader@example.org")
    draft = publish(title="Quiet one", status=Entry.Status.DRAFT, published_at=None)
    Mailing.objects.create(entry=draft, state=Mailing.State.HOLD)
    draft.status = Entry.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save()
    tasks.check_mailings.call()
    assert inbox.messages == []


def test_a_send_to_a_subscriber_who_left_meanwhile_is_dropped(inbox, publish):
    staying, leaving = confirmed("stay@example.org"), confirmed("leave@example.org")
    entry = publish(title="Draft first", status=Entry.Status.DRAFT, published_at=None)
    entry.status, entry.published_at = Entry.Status.PUBLISHED, timezone.now()
    entry.save()
    [(first, last)] = delivery.start_mailing(entry.pk)
    leaving.forget()
    delivery.send_batch(Mailing.objects.get(entry=entry).pk, first, last)
    assert inbox.recipients() == [staying.email]
    assert Delivery.objects.get(subscriber=leaving).error == "no longer subscribed"


def test_the_speed_limit_spaces_messages(inbox, publish, settings):
    settings.BLOGSITE_MAIL_PER_SECOND = 20
    for n in range(6):
        confirmed(f"slow{n}@example.org")
    started = timezone.now()
    publish(title="Slowly")
    assert len(inbox.messages) == 6
    # Six messages at 20 a second take at least five gaps of 50 ms.
    assert timezone.now() - started >= timedelta(milliseconds=250)
