"""The admin: the subscriber list with counts, CSV import and export, mailings' progress,
holding an entry back and sending a test to oneself."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from posts.models import Entry
from subscribers.models import Delivery, Mailing, Subscriber
from tests.factories import EntryFactory
from tests.subscribers.conftest import confirmed

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    staff.email = "editor@example.org"
    staff.save()
    client.force_login(staff)
    return client


def test_the_list_shows_statuses_counts_per_day_and_searches(admin_client):
    confirmed("one@example.org")
    confirmed("two@example.org").forget()
    page = admin_client.get(reverse("admin:subscribers_subscriber_changelist"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sign-ups per day" in html and "Subscribers by status" in html
    assert "one@example.org" in html and "(unsubscribed " in html
    found = admin_client.get(reverse("admin:subscribers_subscriber_changelist") + "?q=one@")
    assert "one@example.org" in found.content.decode()


def test_import_through_the_admin_reports_what_it_did(admin_client):
    upload = SimpleUploadedFile(
        "list.csv", b"email,confirmed,consent_at\nnew@example.org,yes,2024-01-01\nbad,yes,x\n"
    )
    page = admin_client.post(
        reverse("admin:subscribers_subscriber_import"), {"file": upload}, follow=True
    )
    html = page.content.decode()
    assert "1 added (1 confirmed)" in html and "Row 3" in html
    assert Subscriber.objects.get().email == "new@example.org"


def test_export_action_downloads_the_chosen_format(admin_client):
    reader = confirmed("out@example.org")
    response = admin_client.post(
        reverse("admin:subscribers_subscriber_changelist"),
        {"action": "export_mailchimp", "_selected_action": [reader.pk]},
    )
    assert response["Content-Type"] == "text/csv"
    assert response.content.decode().splitlines()[0].startswith("Email Address,")


def test_an_editor_holds_a_draft_back_and_it_is_never_mailed(admin_client, inbox):
    confirmed("reader@example.org")
    draft = EntryFactory(title="Quiet", status=Entry.Status.DRAFT, published_at=None)
    add = admin_client.post(
        reverse("admin:subscribers_mailing_add"), {"entry": draft.pk, "state": "hold"}
    )
    assert add.status_code == 302
    draft.status = Entry.Status.PUBLISHED
    draft.save()
    assert Mailing.objects.get(entry=draft).state == Mailing.State.HOLD
    assert inbox.messages == []


def test_send_a_test_to_me_mails_only_the_editor(admin_client, inbox):
    confirmed("reader@example.org")
    draft = EntryFactory(title="Before publishing", status=Entry.Status.DRAFT, published_at=None)
    page = admin_client.post(reverse("admin:subscribers_mailing_test"), {"entry": draft.pk})
    assert page.status_code == 302
    [message] = inbox.messages
    assert message["X-Envelope-To"] == "editor@example.org"
    assert message["Subject"] == "[Test] Before publishing"
    assert not Mailing.objects.exists()


def test_the_mailings_list_shows_progress(admin_client, inbox, django_capture_on_commit_callbacks):
    for n in range(3):
        confirmed(f"r{n}@example.org")
    inbox.reject_rcpt.add("r2@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        EntryFactory(title="Progress")
    assert Delivery.objects.filter(status="sent").count() == 2
    html = admin_client.get(reverse("admin:subscribers_mailing_changelist")).content.decode()
    assert "Progress" in html
    assert '<td class="field-sent">2</td>' in html and '<td class="field-failed">1</td>' in html
