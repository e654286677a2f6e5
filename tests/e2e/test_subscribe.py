"""The sign-up forms in Chromium: the /subscribe/ page and every page's footer, at a phone's
and a desktop's width, light and dark, with axe; signing up from a cached page and from a
statically published page on another origin, then confirming from the mailed link."""

import functools
import http.server
import re
import threading

import pytest
from django.core import mail
from django.core.management import call_command

from subscribers.models import Subscriber
from tests.e2e.conftest import SHOTS_DIR
from tests.factories import EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = SHOTS_DIR / "subscribers"
LINK = re.compile(r"https?://\S+/subscribe/confirm/[^/\s]+/")


@pytest.fixture(autouse=True)
def quick_forms(settings):
    settings.BLOGSITE_SUBSCRIBE_MIN_SECONDS = 0
    mail.outbox = []


def axe_violations(page) -> str:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.generate_report() if results.violations_count else ""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_forms_pass_axe_and_fit_the_screen(live_server, browser, width, scheme):
    EntryFactory(title="A note", tags=["python", "cooking"])
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    reports = {}
    page.goto(live_server.url + "/subscribe/")
    assert page.get_by_role("heading", name="Get new entries by e-mail").is_visible()
    reports["subscribe"] = axe_violations(page)
    page.screenshot(path=f"{SHOTS}/subscribe-{width}-{scheme}.png", full_page=True)
    # A refused address: the message is tied to the field, the address kept.
    page.fill("#id_email", "someone@example.org\\r\\nBcc: x@example.org")
    page.get_by_role("button", name="Subscribe", exact=True).first.click()
    page.wait_for_load_state()
    assert page.locator(".subscribe-error").is_visible()
    reports["refused"] = axe_violations(page)
    page.screenshot(path=f"{SHOTS}/refused-{width}-{scheme}.png", full_page=True)
    page.goto(live_server.url + "/")
    footer = page.locator(".subscribe-footer")
    footer.scroll_into_view_if_needed()
    assert footer.get_by_label("New entries by e-mail").is_visible()
    trap = page.locator("#footer-subscribe-website").bounding_box()
    assert trap["x"] + trap["width"] <= 0  # the trap field is off the screen
    reports["index"] = axe_violations(page)
    page.screenshot(path=f"{SHOTS}/footer-{width}-{scheme}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
    assert {name: r for name, r in reports.items() if r} == {}


def test_signing_up_from_a_cached_page_and_confirming(live_server, page, settings):
    settings.BLOGSITE_PAGE_CACHE = True
    EntryFactory(title="Cached")
    first = page.goto(live_server.url + "/")
    second = page.goto(live_server.url + "/")
    assert "set-cookie" not in first.headers and "set-cookie" not in second.headers
    page.fill("#footer-subscribe-email", "browser@example.org")
    page.locator(".subscribe-footer button").click()
    page.wait_for_url("**/subscribe/sent/")
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    [message] = mail.outbox
    link = LINK.search(message.body).group(0)
    path = link.split("/subscribe/", 1)[1]
    page.goto(f"{live_server.url}/subscribe/{path}")
    assert page.get_by_role("heading", name="You are subscribed").is_visible()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED
    assert page.context.cookies() == []


def test_signing_up_from_a_statically_published_page(live_server, page, settings, tmp_path):
    out = tmp_path / "site"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    static_origin = f"http://127.0.0.1:{static.server_address[1]}"
    settings.BLOGSITE_SUBSCRIBE_FORM_ACTION = live_server.url + "/subscribe/"
    settings.BLOGSITE_SUBSCRIBE_ORIGINS = [static_origin]
    EntryFactory(title="Published as files")
    call_command("publish_static", str(out), "--base-url", static_origin, verbosity=0)
    threading.Thread(target=static.serve_forever, daemon=True).start()
    try:
        page.goto(static_origin + "/")
        assert "Published as files" in page.content()
        page.fill("#footer-subscribe-email", "static@example.org")
        page.locator(".subscribe-footer button").click()
        page.wait_for_url("**/subscribe/sent/")
    finally:
        static.shutdown()
    assert Subscriber.objects.get().email == "static@example.org"
    assert len(mail.outbox) == 1
