import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from posts.models import Entry, Image
from tests.factories import EntryFactory, ImageFactory, StaffFactory, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_reader_opens_the_index_and_follows_a_link_to_an_entry(live_server, page):
    EntryFactory(title="An older note", tags=["notes"])
    EntryFactory(
        title="Hello from the browser test",
        body="## A heading\n\n```python\nprint('hi')\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        tags=["testing", "notes"],
        cover=ImageFactory(),
        published_at=timezone.now(),
    )
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Latest entries"
    assert page.locator("article.card").count() == 2
    page.get_by_role("link", name="Hello from the browser test").click()
    page.wait_for_url("**/hello-from-the-browser-test/")
    assert page.locator("h1").inner_text() == "Hello from the browser test"
    assert page.locator(".markup h2").inner_text() == "A heading"
    assert page.locator(".markup table td").first.inner_text() == "1"
    cover = page.locator("figure.cover img")
    assert cover.evaluate("img => img.complete && img.currentSrc").endswith("-64.webp")
    page.get_by_role("link", name="testing").click()
    page.wait_for_url("**/tags/testing/")
    assert page.console_errors == []


def test_pages_read_well_on_a_phone_in_the_dark(live_server, browser):
    entry = EntryFactory(
        title="Narrow screens", body="word " * 300 + "\n\n```\n" + "x" * 300 + "\n```"
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme="dark")
    page = context.new_page()
    page.goto(live_server.url + entry.get_absolute_url())
    # Nothing wider than the screen: long code scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 22, 26)"
    context.close()


def drop_picture(page, selector: str, data: bytes, name: str) -> None:
    """Drop a file onto an element, as a person dragging it from their desktop would."""
    page.evaluate(
        """([selector, bytes, name]) => {
            const file = new File([new Uint8Array(bytes)], name, {type: "image/png"});
            const transfer = new DataTransfer();
            transfer.items.add(file);
            const target = document.querySelector(selector);
            for (const type of ["dragenter", "dragover", "drop"]) {
                target.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true}));
            }
        }""",
        [selector, list(data), name],
    )


def test_staff_writes_with_preview_drops_a_picture_previews_and_publishes(
    live_server, page, browser
):
    staff = StaffFactory(username="editor")
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    response = page.goto(live_server.url + "/admin/posts/entry/add/")
    # The editor works under the site's CSP: no inline or eval'd script is allowed, and any
    # violation would show up in the console errors checked at the end.
    assert "script-src 'self';" in response.headers["content-security-policy"]
    page.fill("#id_title", "Written in a real browser")
    page.fill("#id_body", "## Live preview\n\nSome **bold** words.\n\n")
    page.locator("#id_body").dispatch_event("input")
    preview = page.frame_locator(".preview-frame")  # the page as readers will see it
    preview.locator("h2", has_text="Live preview").wait_for()
    assert preview.locator("strong").inner_text() == "bold"

    drop_picture(page, "#id_body", image_bytes((90, 60)), "dropped.png")
    # A locator assertion, not wait_for_function: the admin's CSP forbids eval, rightly.
    expect(page.locator("#id_body")).to_have_value(re.compile(r"!\[\]\(/media/"))
    image = Image.objects.get()
    assert (image.width, image.height) == (90, 60)
    assert f"![]({image.file.url})" in page.input_value("#id_body")

    # A file that is not a picture: the editor says why, and nothing is stored.
    drop_picture(page, "#id_body", b"not a picture", "notes.png")
    page.locator(".upload-error").wait_for()
    assert "not a picture" in page.locator(".upload-error").inner_text()
    assert Image.objects.count() == 1
    assert "Invalid response" not in page.input_value("#id_body")

    page.fill("#id_tags", "browser, testing")
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    entry = Entry.objects.get()
    assert entry.status == Entry.Status.DRAFT and entry.author == staff

    change_url = page.url
    page.click("a.viewsitelink")
    page.wait_for_url("**" + entry.get_absolute_url())
    assert page.locator("h1").inner_text() == "Written in a real browser"
    assert "Preview" in page.locator(".preview-note").inner_text()
    # The browser picked the WebP rendition (90 px wide: the picture is never upscaled).
    assert (
        page.locator(".markup img")
        .evaluate("img => img.complete && img.currentSrc")
        .endswith("-90.webp")
    )

    anonymous = browser.new_context()
    reader = anonymous.new_page()
    assert reader.goto(live_server.url + entry.get_absolute_url()).status == 404

    page.goto(change_url)
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.locator(".messagelist .success").wait_for()
    entry.refresh_from_db()
    assert entry.is_published
    response = reader.goto(live_server.url + entry.get_absolute_url())
    assert response.status == 200
    assert reader.locator("h1").inner_text() == "Written in a real browser"
    anonymous.close()
    # The refused drop is logged on purpose: its 400 response (as the response and as
    # Chromium's console line) and markdownx's own console.error.
    marks = ("image/drop/", "status of 400", "Invalid response")
    refused = [e for e in page.console_errors if any(mark in e for mark in marks)]
    assert len(refused) == 3
    assert [e for e in page.console_errors if e not in refused] == []
