"""The mailing panel on the entry's change form: delivery progress, "don't e-mail this one" and
"send a test to me" through the Mailings admin's own views; constant queries, and only for
those who may follow mailings."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from posts.editorial.roles import AUTHOR, EDITOR
from posts.models import Entry
from subscribers.models import Delivery, Mailing
from tests.conftest import member_of
from tests.factories import EntryFactory, UserFactory
from tests.subscribers.conftest import confirmed

pytestmark = pytest.mark.django_db

PANEL = Template("{% load subscribers_admin %}{% entry_mailing_panel entry %}")


def render(user, entry) -> str:
    request = RequestFactory().get("/admin/")
    request.user = user
    return PANEL.render(Context({"request": request, "entry": entry}))


def draft() -> Entry:
    return EntryFactory(title="Not yet", status=Entry.Status.DRAFT, published_at=None)


def mailing_with(entry, queued=0, sent=0, failed=0) -> Mailing:
    mailing = Mailing.objects.create(entry=entry, state=Mailing.State.SENDING)
    statuses = (
        [Delivery.Status.QUEUED] * queued
        + [Delivery.Status.SENT] * sent
        + [Delivery.Status.FAILED] * failed
    )
    for n, status in enumerate(statuses):
        reader = confirmed(f"reader{n}@example.org")
        Delivery.objects.create(mailing=mailing, subscriber=reader, status=status)
    return mailing


def form(html: str, css_class: str) -> tuple[str, dict]:
    """Return the action and the fields of the panel's form with that class."""
    found = re.search(rf'<form method="post" action="([^"]+)" class="{css_class}">(.*?)</form>',
                      html, re.S)  # fmt: skip
    assert found, f"no {css_class} form"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', found[2]))
    return found[1], fields


def test_progress_counts_queued_sent_and_failed(db):
    entry = EntryFactory(title="Out")
    Mailing.objects.filter(entry=entry).delete()
    mailing_with(entry, queued=2, sent=3, failed=1)
    html = render(member_of(EDITOR), entry)
    assert 'id="entry-mailing-heading"' in html and "Sending" in html
    assert '<dd data-count="queued">2</dd>' in html
    assert '<dd data-count="sent">3</dd>' in html
    assert '<dd data-count="failed">1</dd>' in html


def test_a_draft_offers_both_actions(db):
    entry = draft()
    editor = member_of(EDITOR, email="editor@example.org")
    html = render(editor, entry)
    assert "Not e-mailed yet" in html and "data-count" not in html
    action, fields = form(html, "mailing-hold")
    assert action == reverse("admin:subscribers_mailing_add")
    assert fields == {"entry": str(entry.pk), "state": "hold", "_from_entry": "1"}
    action, fields = form(html, "mailing-test")
    assert action == reverse("admin:subscribers_mailing_test")
    assert fields == {"entry": str(entry.pk), "_from_entry": "1"}
    assert "to editor@example.org" in html


def test_a_held_entry_says_so_and_offers_no_second_hold(db):
    entry = draft()
    held = Mailing.objects.create(entry=entry, state=Mailing.State.HOLD)
    html = render(member_of(EDITOR, email="e@example.org"), entry)
    assert "Don&#x27;t e-mail this entry" in html or "Don't e-mail this entry" in html
    assert "mailing-hold" not in html and "data-count" not in html
    assert reverse("admin:subscribers_mailing_change", args=[held.pk]) in html


def test_without_an_address_the_test_button_asks_for_one(db):
    html = render(member_of(EDITOR, email=""), draft())
    assert "mailing-test" not in html and "Add an e-mail address to your account" in html


@pytest.mark.parametrize("role", [AUTHOR, None])
def test_nothing_for_those_who_may_not_follow_mailings(db, role):
    user = member_of(role) if role else UserFactory(is_staff=True)
    assert render(user, draft()).strip() == ""
    assert render(AnonymousUser(), draft()).strip() == ""


def test_viewing_alone_shows_progress_and_the_test_but_no_hold(db):
    user = UserFactory(is_staff=True, email="v@example.org")
    user.user_permissions.add(Permission.objects.get(codename="view_mailing"))
    html = render(user, draft())
    assert "mailing-test" in html and "mailing-hold" not in html


def test_nothing_on_an_entry_being_added(db):
    assert render(member_of(EDITOR), Entry()).strip() == ""


@pytest.mark.parametrize("count", [1, 10])
def test_the_panel_costs_one_query_however_many_deliveries(db, count, django_assert_num_queries):
    entry = EntryFactory(title="Counted")
    Mailing.objects.filter(entry=entry).delete()
    mailing_with(entry, sent=count)
    editor = member_of(EDITOR, email="e@example.org")
    editor.has_perm("subscribers.view_mailing")  # the admin has loaded them by then
    with django_assert_num_queries(1):
        html = render(editor, entry)
    assert f'<dd data-count="sent">{count}</dd>' in html


def test_holding_from_the_entry_form_with_its_csrf_token_comes_back_to_the_entry(
    db, inbox, django_capture_on_commit_callbacks
):
    confirmed("reader@example.org")
    entry = draft()
    editor = member_of(EDITOR, email="editor@example.org")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    change = reverse("admin:posts_entry_change", args=[entry.pk])
    page = browser.get(change).content.decode()
    action, fields = form(page, "mailing-hold")
    assert fields["csrfmiddlewaretoken"]  # the page's token; the cookie is the browser's
    forged = Client(enforce_csrf_checks=True)  # the same editor, a post made elsewhere
    forged.force_login(editor)
    assert forged.post(action, fields).status_code == 403
    assert not Mailing.objects.exists()
    response = browser.post(action, fields, follow=True)
    assert response.redirect_chain[-1][0] == change
    assert "was added successfully" in response.content.decode()
    assert "Don" in response.content.decode() and "mailing-hold" not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        entry.status = Entry.Status.PUBLISHED
        entry.save()
    assert Mailing.objects.get(entry=entry).state == Mailing.State.HOLD
    assert inbox.messages == []


def test_sending_a_test_from_the_entry_form_mails_only_the_editor(client, inbox):
    confirmed("reader@example.org")
    entry = draft()
    client.force_login(member_of(EDITOR, email="editor@example.org"))
    change = reverse("admin:posts_entry_change", args=[entry.pk])
    action, fields = form(client.get(change).content.decode(), "mailing-test")
    response = client.post(action, fields, follow=True)
    assert response.redirect_chain[-1][0] == change
    assert "A test was sent to editor@example.org." in response.content.decode()
    [message] = inbox.messages
    assert message["X-Envelope-To"] == "editor@example.org"
    assert not Mailing.objects.exists()


def test_an_author_may_not_send_tests_of_anyones_draft(client, inbox):
    someone_elses = draft()
    client.force_login(member_of(AUTHOR, email="author@example.org"))
    response = client.post(reverse("admin:subscribers_mailing_test"), {"entry": someone_elses.pk})
    assert response.status_code == 403
    assert inbox.messages == []
