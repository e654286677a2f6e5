"""The entry form's "Search and sharing" fields in Chromium at 390 and 1280 px, and their effect."""

import pytest

from posts.editorial.roles import EDITOR
from posts.models import Entry
from tests.conftest import member_of
from tests.e2e.test_editorial import log_in
from tests.factories import EntryFactory, ImageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_the_sharing_fields_open_fit_and_reach_the_page(live_server, browser, width):
    from axe_playwright_python.sync_playwright import Axe

    editor = member_of(EDITOR, username="grace")
    social = ImageFactory(alt_text="A card")
    entry = EntryFactory(title="Moved here", author=editor, tags=["moving"], social_image=social)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/admin/posts/entry/{entry.pk}/change/")

    section = page.locator("fieldset:has(summary:has-text('Search and sharing'))")
    assert not page.locator("#id_seo_title").is_visible()  # collapsed until asked for
    section.locator("summary").click()
    page.fill("#id_seo_title", "Moved here, from the old blog")
    page.fill("#id_meta_description", "Long. " * 30)
    page.fill("#id_canonical_url", "old.example.org/moved-here")  # https is assumed
    for name in ("seo_title", "meta_description", "social_image", "canonical_url"):
        box = page.locator(f".field-{name}").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
    section.screenshot(path=f"/tmp/sharing-fields-{width}.png")
    # The section's own fields. (The social image picker is the admin's select2, whose
    # combobox has an axe finding of its own; tests/e2e/test_render_limits.py says the same.)
    fields = ".field-seo_title, .field-meta_description, .field-canonical_url"
    results = Axe().run(page, context=fields)
    assert results.violations_count == 0, results.generate_report()

    page.click("input[name=_continue]")
    warning = page.locator(".messagelist [data-check=description]")
    warning.wait_for()
    assert "The description has 179 characters" in warning.inner_text()  # 30 "Long. ", trimmed
    small = page.locator(".messagelist [data-check=social-image]").inner_text()
    assert "“A card” is 64 × 48 pixels" in small
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.canonical_url == "https://old.example.org/moved-here"
    assert stored.social_image == social

    page.goto(live_server.url + entry.get_absolute_url())
    assert page.title() == "Moved here, from the old blog"
    canonical = page.locator("link[rel=canonical]").get_attribute("href")
    assert canonical == "https://old.example.org/moved-here"
    context.close()
