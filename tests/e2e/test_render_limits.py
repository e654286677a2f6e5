"""A body too costly to render: the writer sees why in the preview and in the form, text kept."""

import pytest

from posts.editorial.roles import AUTHOR
from posts.models import Entry
from tests.conftest import member_of
from tests.e2e.test_editorial import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "A first paragraph.\n\n" + "[[[]" * 20_000
MESSAGE = "simplify the run of brackets near line 3."


@pytest.mark.parametrize("width", [390, 1280])
def test_a_body_too_costly_to_render_is_explained_and_kept(live_server, browser, settings, width):
    from axe_playwright_python.sync_playwright import Axe

    settings.BLOGSITE_RENDER_SECONDS = 0.2  # 80 KB of "[[[]" takes about a second in full
    member_of(AUTHOR, username="ada")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "ada")
    page.goto(live_server.url + "/admin/posts/entry/add/")
    page.fill("#id_title", "Too many brackets")
    page.fill("#id_body", BODY)
    page.locator("#id_body").dispatch_event("input")

    note = page.locator(".markdownx-preview .preview-refused")
    note.wait_for()
    assert note.inner_text().startswith("This text is too complex to preview")
    assert MESSAGE in note.inner_text()

    page.click("input[name=_save]")
    error = page.locator(".field-body .errorlist")
    error.wait_for()
    assert error.inner_text() == (
        f"This text is too complex to render within 0.2 seconds: {MESSAGE}"
    )
    assert page.input_value("#id_body").replace("\r\n", "\n") == BODY
    assert not Entry.objects.exists()
    error.scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/render-limits-{width}.png")

    # The body's row: its error, the editor and the preview pane. (The rest of the form is the
    # admin's; its cover picker has an axe finding of its own, select2's unnamed combobox.)
    results = Axe().run(page, context=".field-body")
    context.close()
    assert results.violations_count == 0, results.generate_report()
