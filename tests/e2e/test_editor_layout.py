"""The entry form in Chromium: text and preview on screen at every width, the preview as the page.

Widths: 390 (a phone: stacked), 1024 (the narrowest side by side, nav sidebar open),
1280 (a laptop) and 1440. The preview is a frame holding the site's stylesheets, so its
table headers, code colours, figures, link cards, footnotes and task lists are compared
with the entry page itself, computed style by computed style.
"""

import re

import pytest
from playwright.sync_api import expect

from posts.editorial.roles import EDITOR
from posts.models import Entry
from tests.conftest import member_of
from tests.e2e.test_accessibility import BODY
from tests.e2e.test_editorial import log_in
from tests.factories import EntryFactory, ImageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1024, 1280, 1440]
CARD = "https://mastodon.social/@someone/111111111111111111"
# What must look the same in the preview and on the page (a header cell's text, a keyword).
STYLE = [
    "text-transform", "font-family", "font-size", "font-weight", "letter-spacing",
    "color", "background-color", "padding-left", "border-top-color",
]  # fmt: skip


@pytest.fixture
def entry(live_server):
    picture = ImageFactory(alt_text="A blue rectangle", caption="A caption")
    body = BODY.replace("{picture}", picture.file.url) + f"\n{CARD}\n"
    return EntryFactory(title="Everything at once", body=body, tags=["testing"])


def open_form(browser, live_server, entry, width, scheme="light", theme=None):
    member_of(EDITOR, username="grace")
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "grace")
    if theme:  # the admin's own theme toggle, as it remembers a choice
        page.evaluate("theme => localStorage.setItem('theme', theme)", theme)
    page.goto(live_server.url + f"/admin/posts/entry/{entry.pk}/change/")
    preview = page.frame_locator(".preview-frame")
    preview.locator(".markup table th").first.wait_for()
    return context, page, preview


def computed(locator, names=STYLE) -> dict:
    return locator.evaluate(
        "(el, names) => Object.fromEntries(names.map(n => [n, getComputedStyle(el)"
        ".getPropertyValue(n)]))",
        names,
    )


def inside(box, width) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_text_and_preview_are_both_on_screen(live_server, browser, entry, width):
    context, page, _preview = open_form(browser, live_server, entry, width)
    text = page.locator("#id_body").bounding_box()
    frame = page.locator(".preview-frame").bounding_box()
    page.screenshot(path=f"/tmp/editor-layout-{width}.png")
    assert inside(text, width), text
    assert inside(frame, width), frame
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Room to write, and a preview that fits the screen's height.
    assert text["height"] >= 380 and 300 <= frame["height"] <= 900
    if width >= 1024:  # side by side, tops aligned
        assert frame["x"] >= text["x"] + text["width"]
        assert abs(frame["y"] - text["y"]) < 2
        assert frame["width"] >= 300 and text["width"] >= 300
    else:  # the preview under the text
        assert frame["y"] >= text["y"] + text["height"]
    context.close()


def test_the_body_grows_with_its_text(live_server, browser, entry):
    context, page, _preview = open_form(browser, live_server, entry, 1280)
    before = page.locator("#id_body").bounding_box()["height"]
    page.fill("#id_body", "A line.\n" * 120)
    grown = page.locator("#id_body").bounding_box()["height"]
    page.fill("#id_body", "One line.")
    shrunk = page.locator("#id_body").bounding_box()["height"]
    context.close()
    assert grown > before + 500
    assert shrunk < grown and shrunk >= 380  # back to its minimum, which is still roomy


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("scheme", "theme"), [("light", None), ("dark", None), ("light", "dark"), ("dark", "light")]
)
def test_the_preview_is_styled_as_the_page(live_server, browser, entry, scheme, theme, width):
    # The page as a reader sees it in the scheme the admin shows (its toggle wins).
    shown = theme or scheme
    reader = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=shown)
    article = reader.new_page()
    article.goto(live_server.url + entry.get_absolute_url())
    page_th = computed(article.locator(".markup th").first)
    page_keyword = computed(article.locator(".markup pre code .k").first, ["color"])
    page_card = computed(article.locator(".markup .embed-card"), ["background-color"])
    page_body = computed(article.locator("body"), ["background-color", "color", "font-family"])
    reader.close()

    context, page, preview = open_form(browser, live_server, entry, width, scheme, theme)
    header = preview.locator(".markup th").first
    assert header.text_content() == "Column"
    assert computed(header)["text-transform"] == "none"  # the admin's thead th says uppercase
    assert computed(header) == page_th
    assert computed(preview.locator(".markup pre code .k").first, ["color"]) == page_keyword
    assert computed(preview.locator(".markup .embed-card"), ["background-color"]) == page_card
    assert computed(preview.locator("body"), list(page_body)) == page_body
    expect(preview.locator(".markup figure figcaption")).to_have_text("A caption")
    expect(preview.locator(".markup .task-list-item")).to_have_count(2)
    expect(preview.locator(".markup .footnotes li")).to_have_count(1)
    expect(preview.locator(".markup .embed-card a")).to_have_attribute("href", CARD)
    expect(preview.locator("h1")).to_have_text("Everything at once")
    # And nothing of the site's leaks out: the admin keeps its own 14 px text.
    assert page.locator("body").evaluate("b => getComputedStyle(b).fontSize") == "14px"
    context.close()


def test_the_admin_theme_toggle_reaches_the_preview(live_server, browser, entry):
    context, page, preview = open_form(browser, live_server, entry, 1280, "light")
    light = computed(preview.locator("body"), ["background-color"])
    page.locator(".theme-toggle").first.click()  # auto (light) -> dark
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    dark = computed(preview.locator("body"), ["background-color"])
    context.close()
    assert light != dark
    assert dark["background-color"] == "rgb(21, 22, 26)"  # site.css's dark --bg


def test_word_count_and_reading_time_follow_the_text(live_server, browser, entry):
    context, page, _preview = open_form(browser, live_server, entry, 1280)
    stats = page.locator(".field-body .body-stats")
    expect(stats).to_have_text(re.compile(r"^\d+ words · 1 min read$"))
    # 575 words: 2.5 minutes, which Python's round() (and so Entry.reading_minutes) makes 2.
    page.fill("#id_body", "## Heading\n\n" + "word " * 574)
    expect(stats).to_have_text("575 words · 2 min read")
    page.fill("#id_body", "One *more* [link](https://example.org/).\n\n" + "word " * 700)
    expect(stats).to_have_text("703 words · 3 min read")
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    saved = Entry.objects.get(pk=entry.pk)
    expect(page.locator(".field-body .body-stats")).to_have_text(
        f"{saved.word_count} words · {saved.reading_minutes} min read"
    )
    context.close()
    assert (saved.word_count, saved.reading_minutes) == (703, 3)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("cover", [False, True])
def test_the_entry_form_has_no_axe_violations(live_server, browser, entry, width, scheme, cover):
    from axe_playwright_python.sync_playwright import Axe

    if cover:  # select2's cover picker, with a picture chosen and without
        entry.cover = ImageFactory(alt_text="A cover")
        entry.save()
    context, page, _preview = open_form(browser, live_server, entry, width, scheme)
    expect(page.locator(".body-stats")).to_have_text(re.compile("min read"))
    page.screenshot(path=f"/tmp/editor-axe-{width}-{scheme}.png", full_page=True)
    # The whole form, select2's cover picker included. axe cannot run inside the preview
    # frame (its sandbox allows no script); what it shows is the entry page's markup under
    # the site's stylesheets, which test_accessibility checks and the test above compares.
    results = Axe().run(page)
    context.close()
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_entry_list_fits_and_filters_by_state(live_server, browser, entry, width):
    from axe_playwright_python.sync_playwright import Axe

    EntryFactory(title="A draft with a rather long title that goes on " * 2, status="draft")
    member_of(EDITOR, username="grace")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "grace")
    page.goto(live_server.url + "/admin/posts/entry/")
    page.screenshot(path=f"/tmp/entry-list-{width}.png", full_page=True)
    if width >= 1280:  # every column whole, nothing scrolled sideways
        table = page.locator("#result_list").bounding_box()
        assert inside(table, width), table
        assert page.locator(".results").evaluate("el => el.scrollWidth <= el.clientWidth")
        headers = page.locator("#result_list thead th").all_inner_texts()
        assert [h.strip().lower() for h in headers[1:]] == [
            "title", "state", "authors", "published at", "likes · boosts",  # the last: social's
        ]  # fmt: skip
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    results = Axe().run(page)
    page.goto(live_server.url + "/admin/posts/entry/?state=draft")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    context.close()
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_drafts_share_link_and_its_buttons_stay_on_screen(live_server, browser, width):
    table = "| a | b |\n| --- | --- |\n| 1 | 2 |\n"  # open_form waits for the preview's table
    draft = EntryFactory(title="Not out yet", status=Entry.Status.DRAFT, body=table)
    context, page, _preview = open_form(browser, live_server, draft, width)
    for selector in ("#share-preview-url", ".share-preview-open", "#id_title", "#id_body"):
        assert inside(page.locator(selector).bounding_box(), width), selector
    page.screenshot(path=f"/tmp/editor-draft-{width}.png", full_page=True)
    context.close()
