"""Never lose work, in Chromium: a closed tab, an ended session, two editors on one entry."""

import time

import pytest

from posts.editorial.roles import AUTHOR, EDITOR
from posts.models import Autosave, Entry
from tests.conftest import member_of
from tests.e2e.test_editorial import PASSWORD, log_in
from tests.factories import EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]
TITLE = "Notes from a train"
BODY = "The first paragraph, typed in a hurry.\n\nA second one, never saved."
# Django admin's own widgets have findings of their own, apart from this feature: the cover
# picker (select2's unnamed combobox) and the publish time's unlabelled date and time inputs.
AXE_CONTEXT = {"exclude": [[".field-cover"], [".field-published_at"]]}


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.BLOGSITE_AUTOSAVE_PER_MINUTE = 0


def wait_until(condition, seconds: float = 10.0):
    """Poll the database (the browser's requests are in another thread) until condition holds."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def new_page(context):
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def axe_violations(page) -> str:
    """Return axe-core's report on the page in light and in dark mode; empty if clean."""
    from axe_playwright_python.sync_playwright import Axe

    # The admin eases colours in (transition): a check mid-way would measure a blend.
    page.add_style_tag(content="* { transition: none !important; }")
    reports = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = Axe().run(page, context=AXE_CONTEXT)
        if results.violations_count:
            reports.append(f"{scheme}: {results.generate_report()}")
    page.emulate_media(color_scheme="light")
    return "\n".join(reports)


def fits(page, selector: str, width: int) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5


@pytest.mark.parametrize("width", WIDTHS)
def test_text_typed_into_a_new_entry_survives_closing_the_tab(live_server, browser, width):
    author = member_of(AUTHOR, username="ada")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = new_page(context)
    log_in(page, live_server.url, "ada")
    page.goto(live_server.url + "/admin/posts/entry/add/")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", BODY)
    page.close()  # at once: before the autosave's pause is over, so leaving the page sends it

    autosave = wait_until(lambda: Autosave.objects.filter(user=author, entry=None).first())
    assert autosave is not None, "leaving the page sent no autosave"
    assert (autosave.title, autosave.body) == (TITLE, BODY)
    assert not Entry.objects.exists()

    page = new_page(context)
    page.goto(live_server.url + "/admin/posts/entry/add/")
    offer = page.locator("#autosave-offer")
    offer.wait_for()
    assert "Unsaved text autosaved at" in offer.inner_text()
    assert page.locator("#autosave-local-offer").count() == 0  # the server has the same text
    assert page.input_value("#id_body") == ""
    offer.locator("summary").click()
    assert fits(page, "#autosave-offer", width)
    page.screenshot(path=f"/tmp/autosave-offer-{width}.png", full_page=False)
    report = axe_violations(page)
    assert not report, report

    offer.get_by_role("button", name="Restore this text").click()
    assert page.input_value("#id_title") == TITLE
    assert page.input_value("#id_body") == BODY
    assert page.locator("#autosave-status").inner_text().startswith("Restored the autosaved text")
    preview = page.frame_locator(".preview-frame")
    preview.locator("p", has_text="never saved").wait_for()  # the preview is redrawn

    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    entry = Entry.objects.get()
    assert (entry.title, entry.body.replace("\r\n", "\n")) == (TITLE, BODY)
    assert not Autosave.objects.exists()  # the save is the text now
    page.goto(live_server.url + "/admin/posts/entry/add/")
    assert page.locator("#autosave-offer, #autosave-local-offer").count() == 0
    context.close()


def expire_session(context) -> None:
    """End the session as a timeout would: the browser no longer holds a valid session."""
    context.clear_cookies(name="sessionid")


@pytest.mark.parametrize("width", WIDTHS)
def test_text_typed_after_the_session_ended_reaches_the_server_once_logged_in_again(
    live_server, browser, width
):
    author = member_of(AUTHOR, username="ada")
    entry = EntryFactory(
        author=author, title="A draft", body="Saved text.", status=Entry.Status.DRAFT
    )
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = new_page(context)
    log_in(page, live_server.url, "ada")
    change_url = f"{live_server.url}/admin/posts/entry/{entry.pk}/change/"
    page.goto(change_url)
    page.fill("#id_body", "Saved text. And more,")
    page.locator("#autosave-status", has_text="Autosaved at").wait_for()

    expire_session(context)
    # The title and excerpt, not the body: with the session gone, the live preview
    # (markdownify_view, not this feature) would show the login page inside its pane.
    page.fill("#id_title", "A draft, retitled after the session ended")
    page.fill("#id_excerpt", "Written after the session ended.")
    alert = page.locator("#autosave-alert")
    alert.wait_for()
    assert alert.inner_text().startswith("Your session has ended")
    login_link = alert.get_by_role("link", name="Log in again in a new tab")
    assert login_link.get_attribute("target") == "_blank"
    alert.scroll_into_view_if_needed()
    assert fits(page, "#autosave-alert", width)
    page.screenshot(path=f"/tmp/autosave-expired-{width}.png")
    report = axe_violations(page)
    assert not report, report
    assert Autosave.objects.get().body == "Saved text. And more,"

    # The writer follows the link, logs in there, and comes back to the form.
    with context.expect_page() as opened:
        login_link.click()
    login = opened.value
    login.fill("#id_username", "ada")
    login.fill("#id_password", PASSWORD)
    login.click("input[type=submit]")
    login.wait_for_url(live_server.url + "/admin/")
    login.close()
    page.bring_to_front()
    page.locator("#id_body").focus()
    page.keyboard.type(" Still here.")
    page.locator("#autosave-status", has_text="Back in: autosaved at").wait_for()
    assert alert.is_hidden()
    text = "Saved text. And more, Still here."
    kept = ("A draft, retitled after the session ended", text, "Written after the session ended.")
    assert wait_until(
        lambda: Autosave.objects.filter(title=kept[0], body=kept[1], excerpt=kept[2]).exists()
    )

    # The form's own Save works too: its security token was renewed with the login.
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    entry.refresh_from_db()
    assert (entry.title, entry.body, entry.excerpt) == kept
    context.close()


def test_text_kept_in_the_browser_is_offered_after_logging_in_from_the_form(live_server, browser):
    author = member_of(AUTHOR, username="ada")
    entry = EntryFactory(
        author=author, title="A draft", body="Saved text.", status=Entry.Status.DRAFT
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = new_page(context)
    log_in(page, live_server.url, "ada")
    change_url = f"{live_server.url}/admin/posts/entry/{entry.pk}/change/"
    page.goto(change_url)
    expire_session(context)
    typed = "Saved text, rewritten while nobody was logged in."
    page.fill("#id_body", typed)
    page.locator("#autosave-alert").wait_for()
    assert wait_until(lambda: not Autosave.objects.exists())  # the server has nothing

    # Reloading the form leads to the login page, then back to the form.
    page.goto(change_url)
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(change_url)
    offer = page.locator("#autosave-local-offer")
    offer.wait_for()
    assert "Unsaved text kept in this browser" in offer.inner_text()
    assert page.input_value("#id_body") == "Saved text."
    offer.get_by_role("button", name="Restore this text").click()
    assert page.input_value("#id_body") == typed
    assert wait_until(lambda: Autosave.objects.filter(body=typed).exists())
    assert not Entry.objects.filter(body=typed).exists()  # kept, not published
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_stale_save_is_refused_with_a_message_and_the_text_kept(live_server, browser, width):
    grace = member_of(EDITOR, username="grace", first_name="Grace", last_name="Hopper")
    member_of(EDITOR, username="alan", first_name="Alan", last_name="Turing")
    entry = EntryFactory(author=grace, title="Shared", body="First.", status=Entry.Status.DRAFT)
    change_url = f"{live_server.url}/admin/posts/entry/{entry.pk}/change/"
    pages = {}
    for name in ("grace", "alan"):
        context = browser.new_context(viewport={"width": width, "height": 900})
        pages[name] = new_page(context)
        log_in(pages[name], live_server.url, name)
        pages[name].goto(change_url)

    others = pages["alan"].locator("#autosave-others")
    assert "Also open by Grace Hopper" in others.inner_text()

    pages["grace"].fill("#id_body", "Grace's version.")
    pages["grace"].click("input[name=_continue]")
    pages["grace"].locator(".messagelist .success").wait_for()

    alan = pages["alan"]
    alan.fill("#id_body", "Alan's version.")
    # His autosave's answer tells him, before he clicks Save.
    others.filter(has_text="your Save will be refused").wait_for()
    assert "Saved by Grace Hopper at " in others.inner_text()
    alan.click("input[name=_continue]")
    error = alan.locator(".errornote + ul.errorlist.nonfield, ul.errorlist.nonfield").first
    error.wait_for()
    assert error.inner_text().startswith("Not saved: this entry was saved by Grace Hopper at ")
    assert alan.input_value("#id_body") == "Alan's version."
    entry.refresh_from_db()
    assert entry.body == "Grace's version."
    assert fits(alan, "ul.errorlist.nonfield", width)
    alan.screenshot(path=f"/tmp/autosave-conflict-{width}.png")
    alan.emulate_media(color_scheme="dark")
    alan.screenshot(path=f"/tmp/autosave-conflict-{width}-dark.png")
    report = axe_violations(alan)
    assert not report, report
    # Alan's text also reached the autosave, so closing this tab would lose nothing either.
    assert wait_until(
        lambda: Autosave.objects.filter(user__username="alan", body="Alan's version.").exists()
    )
    for page in pages.values():
        page.context.close()


def test_typing_past_an_offer_does_not_overwrite_the_offered_text(live_server, browser):
    author = member_of(AUTHOR, username="ada")
    entry = EntryFactory(author=author, body="Saved.", status=Entry.Status.DRAFT)
    Autosave.objects.create(user=author, entry=entry, title=entry.title, body="Unsaved work.")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = new_page(context)
    log_in(page, live_server.url, "ada")
    page.goto(f"{live_server.url}/admin/posts/entry/{entry.pk}/change/")
    page.locator("#autosave-offer").wait_for()
    page.fill("#id_body", "Saved. Something else.")
    page.locator("#autosave-status", has_text="restore or discard").wait_for()
    assert Autosave.objects.get().body == "Unsaved work."
    # Discarding it lets the new text through.
    page.get_by_role("button", name="Discard it").click()
    page.locator("#autosave-status", has_text="Autosaved at").wait_for()
    assert Autosave.objects.get().body == "Saved. Something else."
    context.close()
