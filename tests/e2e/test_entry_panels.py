"""The entry form's comments and mailing panels in Chromium: on screen at a phone's and a
laptop's width, axe-clean in light and dark, and the "don't e-mail this one" button working."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comments.models import Comment, SentMention
from posts.editorial.roles import EDITOR
from posts.models import Entry
from subscribers.addresses import address_hash
from subscribers.models import Delivery, Mailing, Subscriber
from tests.conftest import member_of
from tests.e2e.conftest import SHOTS_DIR
from tests.e2e.test_editorial import log_in
from tests.factories import EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entry(live_server):
    entry = EntryFactory(title="Links everywhere", body="See [a note](https://elsewhere.example/).")
    now = timezone.now()
    SentMention.objects.create(
        entry=entry,
        target="https://elsewhere.example/2026/12/a-rather-long-address-for-a-note-about-gardens",
        endpoint="https://elsewhere.example/webmention-endpoint",
        status_code=202,
        result="accepted",
        sent_at=now,
    )
    SentMention.objects.create(
        entry=entry,
        target="https://quiet.example/",
        result="no Webmention endpoint",
        sent_at=now - timedelta(minutes=5),
    )
    Comment.objects.create(entry=entry, name="Reader", body="Waiting here")
    mailing, _ = Mailing.objects.get_or_create(entry=entry)
    Mailing.objects.filter(pk=mailing.pk).update(state=Mailing.State.SENDING)
    statuses = [Delivery.Status.SENT] * 3 + [Delivery.Status.QUEUED, Delivery.Status.FAILED]
    for n, status in enumerate(statuses):
        address = f"reader{n}@example.org"
        reader = Subscriber.objects.create(
            email=address, email_hash=address_hash(address), status=Subscriber.Status.CONFIRMED
        )
        Delivery.objects.create(mailing=mailing, subscriber=reader, status=status)
    return entry


def open_form(browser, live_server, entry, width, scheme="light"):
    member_of(EDITOR, username="lin", email="lin@example.org")
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "lin")
    page.goto(live_server.url + f"/admin/posts/entry/{entry.pk}/change/")
    return context, page


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_panels_fit_and_have_no_axe_violations(live_server, browser, entry, width, scheme):
    from axe_playwright_python.sync_playwright import Axe

    context, page = open_form(browser, live_server, entry, width, scheme)
    comments = page.locator("section.entry-comments")
    mailing = page.locator("section.entry-mailing")
    expect(comments.locator("td", has_text="no Webmention endpoint")).to_be_visible()
    expect(comments).to_contain_text("1 comment waiting for moderation.")
    expect(mailing.locator('[data-count="sent"]')).to_have_text("3")
    expect(mailing.locator('[data-count="queued"]')).to_have_text("1")
    expect(mailing.locator('[data-count="failed"]')).to_have_text("1")
    expect(mailing.get_by_role("button", name="Send a test to me")).to_be_visible()
    for panel in (comments, mailing):
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (panel, box)
        # Nothing inside runs past the panel's edge (the mentions' table on a phone).
        assert panel.evaluate("el => el.scrollWidth <= el.clientWidth"), panel
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS_DIR / f"entry-panels-{width}-{scheme}.png", full_page=True)
    comments.screenshot(path=SHOTS_DIR / f"entry-panels-comments-{width}-{scheme}.png")
    mailing.screenshot(path=SHOTS_DIR / f"entry-panels-mailing-{width}-{scheme}.png")
    results = Axe().run(page)
    context.close()
    assert results.violations_count == 0, results.generate_report()


def test_dont_email_this_one_holds_a_draft_from_its_form(live_server, browser):
    draft = EntryFactory(title="Held back", status=Entry.Status.DRAFT, published_at=None)
    context, page = open_form(browser, live_server, draft, 1280)
    page.get_by_role("button", name="Don't e-mail this one").click()
    page.wait_for_url(f"**/admin/posts/entry/{draft.pk}/change/")
    expect(page.locator("ul.messagelist").first).to_contain_text("was added successfully")
    expect(page.locator("section.entry-mailing")).to_contain_text("Don't e-mail this entry")
    expect(page.get_by_role("button", name="Don't e-mail this one")).to_have_count(0)
    context.close()
    assert Mailing.objects.get(entry=draft).state == Mailing.State.HOLD
