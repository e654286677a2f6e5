"""Pictures at hand: the picker inserts a picture's Markdown at the cursor; pasting uploads one."""

import re

import pytest
from django.core.files.base import ContentFile

from posts.editorial.roles import AUTHOR
from posts.models import Image
from tests.conftest import member_of
from tests.e2e.conftest import ConsoleErrors
from tests.e2e.test_editorial import log_in
from tests.factories import ImageFactory, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]
BEFORE = "A first paragraph.\n\n"
AFTER = "\n\nThe last paragraph."


def editor_page(browser, live_server, width: int, **context_options):
    """An Author on a new entry's form, its body holding BEFORE + AFTER, the cursor between."""
    member_of(AUTHOR, username="ada")
    context = browser.new_context(viewport={"width": width, "height": 900}, **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = ConsoleErrors()
    page.console_errors.watch(page)
    log_in(page, live_server.url, "ada")
    page.goto(live_server.url + "/admin/posts/entry/add/")
    page.fill("#id_body", BEFORE + AFTER)
    page.eval_on_selector(
        "#id_body", "(area, at) => { area.focus(); area.setSelectionRange(at, at); }", len(BEFORE)
    )
    return context, page


def body_state(page) -> dict:
    return page.eval_on_selector(
        "#id_body",
        "area => ({value: area.value.replace(/\\r\\n/g, '\\n'), cursor: area.selectionStart,"
        " focused: document.activeElement === area})",
    )


def inside_viewport(page, selector: str, width: int) -> bool:
    box = page.locator(selector).bounding_box()
    return box["x"] >= 0 and box["x"] + box["width"] <= width


def axe_violations(page, selector: str):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=selector)
    return results.violations_count, results.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_picker_searches_and_inserts_a_picture_at_the_cursor(
    live_server, browser, width, scheme
):
    from playwright.sync_api import expect

    lighthouse = Image.objects.create(
        file=ContentFile(image_bytes((900, 600), fmt="JPEG", colour=(230, 160, 40)), "lamp.jpg"),
        alt_text="A lighthouse at dusk",
        caption="The north light",
    )
    for number, colour in enumerate([(40, 120, 200), (60, 170, 90), (170, 60, 120)]):
        ImageFactory(
            alt_text=f"Waves on the shore, number {number}",
            file=ContentFile(image_bytes((640, 480), colour=colour), f"waves{number}.png"),
        )
    context, page = editor_page(browser, live_server, width, color_scheme=scheme)

    opener = page.get_by_role("button", name="Insert picture")
    assert inside_viewport(page, ".picker-open", width)
    dialog = page.locator("#picture-picker")
    # Escape closes the dialog and gives the focus back to the button that opened it.
    opener.click()
    dialog.wait_for()
    assert page.evaluate("document.activeElement.id") == "picker-query"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.textContent") == "Insert picture"

    opener.click()
    items = dialog.locator(".picker-item")
    expect(dialog.locator(".picker-status")).to_have_text("4 pictures")
    assert items.count() == 4
    assert inside_viewport(page, "#picture-picker", width)
    page.screenshot(path=f"/tmp/picker-open-{width}-{scheme}.png")
    count, report = axe_violations(page, "#picture-picker")
    assert count == 0, report

    page.keyboard.type("lighthouse")
    expect(dialog.locator(".picker-status")).to_have_text("1 picture")
    expect(items).to_have_count(1)
    choice = items.first
    assert choice.locator(".picker-alt").inner_text() == "A lighthouse at dusk"
    stored_name = lighthouse.file.name.rsplit("/", 1)[-1]  # lamp-<random token>.jpg
    assert choice.locator(".picker-meta").inner_text() == f"900 × 600 px · {stored_name}"
    assert choice.locator(".picker-used").inner_text() == "Not used yet"
    page.screenshot(path=f"/tmp/picker-search-{width}-{scheme}.png")
    count, report = axe_violations(page, "#picture-picker")
    assert count == 0, report

    choice.focus()  # by keyboard: the cards are buttons
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")
    markdown = f"![A lighthouse at dusk]({lighthouse.file.url})"
    assert body_state(page) == {
        "value": BEFORE + markdown + AFTER,
        "cursor": len(BEFORE + markdown),
        "focused": True,
    }
    shown = page.frame_locator(".preview-frame").locator("img[alt='A lighthouse at dusk']")
    shown.wait_for()
    assert (
        page.frame_locator(".preview-frame").locator("figcaption").inner_text() == "The north light"
    )
    expect(shown).to_have_js_property("complete", True)
    assert shown.evaluate("img => img.naturalWidth") > 0  # the picture itself, loaded
    page.screenshot(path=f"/tmp/picker-inserted-{width}-{scheme}.png", full_page=True)
    assert page.console_errors == []
    context.close()


def paste_file(page, name: str, picture: bool, text: str = "") -> None:
    """Paste a file (and maybe text) into the body, as a clipboard paste event carries them.

    The file is a PNG the page draws (as a screenshot on the clipboard would be), or text
    bytes named like a picture.
    """
    page.eval_on_selector(
        "#id_body",
        """async (area, [name, picture, text]) => {
            let data = new Blob(["not a picture at all"]);
            if (picture) {
                const canvas = document.createElement("canvas");
                canvas.width = 320; canvas.height = 200;
                const pen = canvas.getContext("2d");
                pen.fillStyle = "#2a7"; pen.fillRect(0, 0, 320, 200);
                pen.fillStyle = "#fff"; pen.fillRect(40, 40, 120, 80);
                data = await new Promise(done => canvas.toBlob(done, "image/png"));
            }
            const clipboard = new DataTransfer();
            clipboard.items.add(new File([data], name, {type: "image/png"}));
            if (text) clipboard.setData("text/plain", text);
            area.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: clipboard, bubbles: true, cancelable: true,
            }));
        }""",
        [name, picture, text],
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_pasting_a_picture_uploads_it_and_inserts_its_markdown(live_server, browser, width):
    from playwright.sync_api import expect

    context, page = editor_page(browser, live_server, width)

    paste_file(page, "image.png", picture=True)
    expect(page.locator("#id_body")).to_have_value(re.compile(r"!\[\]\("))
    image = Image.objects.get()
    assert (image.width, image.height) == (320, 200)
    markdown = f"![]({image.file.url})"
    state = body_state(page)
    assert (state["value"], state["cursor"]) == (BEFORE + markdown + AFTER, len(BEFORE + markdown))
    shown = page.frame_locator(".preview-frame").locator(
        f"img[src$='{image.renditions[-1]['name']}']"
    )
    shown.wait_for()
    assert page.console_errors == []

    # Text copied from a word processor comes with a picture of itself: the text is meant.
    paste_file(page, "image.png", picture=True, text="Some copied words")
    page.wait_for_timeout(500)
    assert Image.objects.count() == 1

    # Not a picture: the same checks as a drop, the same message, the text as it was.
    paste_file(page, "notes.png", picture=False)
    note = page.locator(".markdownx .upload-error")
    note.wait_for()
    assert "not a picture" in note.inner_text()
    page.wait_for_timeout(100)
    assert body_state(page)["value"] == BEFORE + markdown + AFTER
    assert Image.objects.count() == 1
    # (Not its box: at 390 px the editor runs off the edge until the layout is fixed.)
    page.screenshot(path=f"/tmp/picker-paste-{width}.png", full_page=True)
    count, report = axe_violations(page, ".field-body")
    assert count == 0, report
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_image_page_copies_its_markdown(live_server, browser, width):
    member_of(AUTHOR, username="ada")
    image = ImageFactory(alt_text="A blue square")
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = ConsoleErrors()
    errors.watch(page)
    log_in(page, live_server.url, "ada")
    page.goto(live_server.url + f"/admin/posts/image/{image.pk}/change/")

    field = page.get_by_label("Markdown for this picture")
    assert field.input_value() == f"![A blue square]({image.file.url})"
    page.get_by_role("button", name="Copy").click()
    page.get_by_text("Copied: paste it into an entry's text.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == field.input_value()
    assert inside_viewport(page, ".copy-markdown", width)
    page.locator(".field-markdown").scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/picker-image-page-{width}.png")
    count, report = axe_violations(page, ".field-markdown")
    assert count == 0, report
    assert errors == []
    context.close()


def test_the_picker_pages_by_keyboard_and_says_when_the_session_ended(live_server, browser):
    from playwright.sync_api import expect

    for number in range(26):
        ImageFactory(alt_text=f"Picture number {number}")
    context, page = editor_page(browser, live_server, 1280)
    page.get_by_role("button", name="Insert picture").click()
    dialog = page.locator("#picture-picker")
    expect(dialog.locator(".picker-page")).to_have_text("Page 1 of 2")
    expect(dialog.locator(".picker-item")).to_have_count(24)
    dialog.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    expect(dialog.locator(".picker-page")).to_have_text("Page 2 of 2")
    expect(dialog.locator(".picker-item")).to_have_count(2)
    assert dialog.get_by_role("button", name="Next").is_disabled()
    # The focus was on Next, now disabled: it moves to the first picture, not off the dialog.
    focused = page.evaluate("document.activeElement.querySelector('.picker-alt').textContent")
    assert focused == "Picture number 1"

    context.clear_cookies()
    page.fill("#picker-query", "picture")
    page.keyboard.press("Enter")
    expect(dialog.locator(".picker-status")).to_have_text(
        "You are signed out. Sign in again in another tab, then search again: "
        "this page keeps your text."
    )
    assert dialog.locator(".picker-item").count() == 0
    context.close()
