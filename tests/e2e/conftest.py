"""Browser tests: Playwright driving Debian's Chromium, never a downloaded browser."""

import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BLOGSITE_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop; Django refuses ORM calls from inside one unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The closed network here refuses Chromium's background connections; keep it quiet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleErrors(list):
    """Collects console errors and uncaught exceptions of one page."""

    def watch(self, page):
        page.on("console", lambda msg: msg.type == "error" and self.append(msg.text))
        page.on("pageerror", lambda err: self.append(str(err)))
        page.on(
            "response",
            lambda res: res.status >= 400 and self.append(f"{res.status} {res.url}"),
        )
        return page


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = ConsoleErrors()
    page.console_errors.watch(page)
    yield page
    context.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, but with static files served by whitenoise as in production.

    Django's test static handler looks files up by their source names, so the hashed names
    that CompressedManifestStaticFilesStorage writes into pages would all be 404s.
    """
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or "localhost"
    server = LiveServer(addr, start=False)
    server.thread.static_handler = lambda handler: handler
    server.start()
    yield server
    server.stop()


def _answering(server) -> bool:
    """Return True while the live server has a request thread running."""
    import threading

    handler = server.thread.httpd.process_request_thread
    return any(getattr(thread, "_target", None) == handler for thread in threading.enumerate())


@pytest.fixture(autouse=True)
def settle_browser_before_the_database_is_flushed(request):
    """Leave every page, and wait for the requests that sends, before the test's data goes.

    Pages keep talking after a test's last line (the autosave's beacon on leaving, its
    heartbeat, a preview): a request still answered while the database is flushed made the
    flush fail ("database table is locked") and left rows to the next test. The database
    fixture is asked for first, so that it is torn down after this one.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    server = request.getfixturevalue("live_server")
    browser = request.getfixturevalue("browser")
    yield
    for context in browser.contexts:
        for page in context.pages:
            page.goto("about:blank")  # the page's own leaving handlers run, as in a real tab
        context.close()
    # Quiet for a moment, not only now: a beacon may still be on its way to the server.
    deadline, quiet_since = time.monotonic() + 10, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < 0.3:
        if _answering(server):
            quiet_since = time.monotonic()
        time.sleep(0.05)


# Screenshots the browser tests take, for a person to look at: BLOGSITE_SHOTS_DIR, else /tmp.
SHOTS_DIR = Path(os.environ.get("BLOGSITE_SHOTS_DIR", "/tmp/blogsite-shots"))
