"""The staff password reset pages in Chromium at 390 and 1280 px: axe-clean, none off the edge."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache

from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a brand new harbour at dawn"
# Screenshots are kept here when BLOGSITE_SCREENSHOTS names a folder (for a person to look at).
SHOTS = os.environ.get("BLOGSITE_SCREENSHOTS", "")


def check(page, axe, name: str, width: int, reports: dict) -> None:
    """Run axe on the page, check nothing runs off its right edge, keep a screenshot."""
    results = axe.run(page)
    if results.violations_count:
        reports[f"{name} at {width}"] = results.generate_report()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} at {width} px runs {overflow} px off the edge"
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/reset-{name}-{width}.png", full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_reset_pages_fit_and_have_no_axe_violations(browser, live_server, settings, width):
    from axe_playwright_python.sync_playwright import Axe

    cache.clear()
    settings.BLOGSITE_RESET_PER_ADDRESS_HOUR = 1
    staff = StaffFactory(email="grace@example.org")
    axe, reports = Axe(), {}
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(live_server.url + "/admin/login/")
    page.get_by_role("link", name="Forgotten your login credentials?").click()
    page.wait_for_url("**/admin/password_reset/")
    check(page, axe, "form", width, reports)

    page.get_by_label("Email address").fill("grace@example.org")
    page.get_by_role("button", name="Reset my password").click()
    page.wait_for_url("**/admin/password_reset/done/")
    check(page, axe, "sent", width, reports)
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/admin/reset/\S+/)", message.body).group(1)

    page.go_back()
    page.get_by_label("Email address").fill("grace@example.org")
    page.get_by_role("button", name="Reset my password").click()
    page.get_by_role("alert").filter(has_text="Too many reset requests").wait_for()
    check(page, axe, "refused", width, reports)
    assert len(mail.outbox) == 1

    page.goto(live_server.url + link)
    page.get_by_label("New password:").fill(NEW_PASSWORD)
    check(page, axe, "new-password", width, reports)
    page.get_by_label("Confirm password:").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    page.wait_for_url("**/admin/reset/done/")
    check(page, axe, "done", width, reports)

    page.get_by_role("link", name="Log in").click()
    page.wait_for_url("**/admin/login/")
    page.get_by_label("Username:").fill(staff.get_username())
    page.get_by_label("Password:").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")
    context.close()
    cache.clear()
    assert reports == {}, "\n\n".join(f"{name}:\n{report}" for name, report in reports.items())
