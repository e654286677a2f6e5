"""Every known XSS vector, published in one entry and opened in Chromium: nothing runs.

The vectors of tests/data/xss_vectors.py go in raw and inside Markdown; each `alert(1)`
also sets window.__xss, so a script that runs is seen even where no dialog opens. The page
is scrolled, hovered and tabbed through to fire event handlers that need a reader.

What counts: any dialog, window.__xss set, or any Content-Security-Policy violation. A
violation means the sanitiser let through something the CSP then had to stop (a script, a
frame, a form target, a remote resource), so none is accepted.
"""

import pytest

from tests.data.xss_vectors import VECTORS, markdown_settings
from tests.factories import EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTINEL = "(window.__xss=1,alert(1))"

WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__csp.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def hostile_body() -> str:
    chunks = []
    for _source, vector in VECTORS:
        for _setting, text in markdown_settings(vector.replace("alert(1)", SENTINEL)):
            chunks.append(text)
    # PostgreSQL cannot store NUL, and CommonMark reads it as U+FFFD anyway: store that.
    return "\n\n".join(chunks).replace("\x00", "\ufffd")


def test_an_entry_of_every_known_vector_runs_no_script(live_server, browser):
    entry = EntryFactory(title="Every vector", body=hostile_body())
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    dialogs, csp_console = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and csp_console.append(msg.text),
    )
    response = page.goto(live_server.url + entry.get_absolute_url())
    assert response.status == 200
    assert page.locator(".markup p").count() > len(VECTORS)  # the vectors are on the page

    # Give handlers that need a reader their chance: scroll, hover, focus.
    height = page.evaluate("document.body.scrollHeight")
    for y in range(0, height, 1800):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.mouse.move(20, 100)
        page.mouse.move(1260, 800, steps=4)
    for _ in range(40):
        page.keyboard.press("Tab")
    page.wait_for_timeout(500)

    assert dialogs == []
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__csp") == []
    assert csp_console == []

    # The watch itself works: a handler the sanitiser had missed would be reported.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=alert(1)>')")
    page.wait_for_function("window.__csp.length > 0")
    assert "script-src-attr" in page.evaluate("window.__csp")[0]
    context.close()
