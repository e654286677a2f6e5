"""Statistics in a real browser: a cached page and a statically published page each count
once through the beacon; the dashboard's charts (the newsletter's too) at 1280 and 390 px,
light and dark, axe-clean."""

import datetime
import functools
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from posts.delivery.publish import publish_site
from stats import counters
from stats.flush import flush
from stats.models import DaySummary, FeedReaders, PageDay, ReferrerDay
from stats.visitors import forget_salt_memo
from tests.e2e.conftest import SHOTS_DIR
from tests.factories import EntryFactory, UserFactory
from tests.subscribers.history import newsletter_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
SHOTS = SHOTS_DIR / "stats"
# Headless Chromium names itself HeadlessChrome, which the bot list rightly refuses.
READER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def stats_store(settings, tmp_path):
    settings.BLOGSITE_STATS_DIR = tmp_path / "stats"
    forget_salt_memo()
    counters._worker = None
    yield
    counters._worker = None


def views_of(path: str, wait: float = 10.0) -> int:
    """Flush and return the views stored for a path, waiting a little for the beacon."""
    deadline = time.monotonic() + wait
    while True:
        flush()
        row = PageDay.objects.filter(path=path).first()
        if (row and row.views) or time.monotonic() > deadline:
            return row.views if row else 0
        time.sleep(0.1)


def test_a_cached_page_counts_once_through_the_beacon(live_server, browser, settings):
    settings.BLOGSITE_PAGE_CACHE = True
    entry = EntryFactory(title="Counted while cached")
    path = entry.get_absolute_url()
    # Warm the cache at the browser's host, with no browser: no script runs here.
    with urllib.request.urlopen(live_server.url + path) as warm:
        assert warm.headers["X-Cache"] == "miss"
    context = browser.new_context(user_agent=READER)
    page = context.new_page()
    requests = []
    counting = ("/stats/hit", "/stats/pixel.gif")
    page.on("request", lambda r: r.url.endswith(counting) and requests.append((r.method, r.url)))
    response = page.goto(live_server.url + path)
    assert response.headers["x-cache"] == "hit"
    assert views_of(path) == 1
    time.sleep(0.5)  # nothing more on its way
    assert views_of(path, wait=0) == 1
    assert requests == [("POST", live_server.url + "/stats/hit")]
    assert DaySummary.objects.get().visitors == 1
    context.close()


def test_a_statically_published_page_counts_once_through_the_apps_address(
    live_server, browser, settings, tmp_path
):
    entry = EntryFactory(title="Counted while static")
    settings.BLOGSITE_STATS_ORIGIN = live_server.url
    out = tmp_path / "site"
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(out))
    static_host = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{static_host.server_address[1]}"
    publish_site(out, base + "/")
    thread = threading.Thread(target=static_host.serve_forever, daemon=True)
    thread.start()
    try:
        context = browser.new_context(user_agent=READER)
        page = context.new_page()
        page.goto(base + entry.get_absolute_url())
        assert page.locator("h1").inner_text() == "Counted while static"
        assert views_of(entry.get_absolute_url()) == 1
        time.sleep(0.5)
        assert views_of(entry.get_absolute_url(), wait=0) == 1
        context.close()
    finally:
        static_host.shutdown()


def fill_a_year() -> None:
    today = timezone.localdate()
    entries = [EntryFactory(title=f"Entry number {n}", tags=[f"topic-{n % 3}"]) for n in range(6)]
    for back in range(365):
        day = today - datetime.timedelta(days=back)
        wave = 40 + (back * 7) % 31
        DaySummary.objects.create(day=day, views=wave * 3, visitors=wave)
        for number, entry in enumerate(entries):
            PageDay.objects.create(day=day, path=entry.get_absolute_url(), entry=entry,
                                   views=wave // (number + 1), visitors=1)  # fmt: skip
        ReferrerDay.objects.create(day=day, domain=f"site{back % 4}.example.org", views=wave // 3)
    for service, count in (("Feedly", 214), ("Inoreader", 37), ("NewsBlur", 12)):
        FeedReaders.objects.create(day=today, service=service, feed="/feed/", subscribers=count)
    newsletter_history(subscribers=40, entries=4)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_dashboard_draws_its_charts_at_both_widths_without_axe_violations(
    live_server, browser, scheme
):
    from axe_playwright_python.sync_playwright import Axe

    fill_a_year()
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    reports = {}
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        errors = []
        page.on(
            "console", lambda msg, errors=errors: msg.type == "error" and errors.append(msg.text)
        )
        page.goto(live_server.url + "/admin/login/?next=/admin/stats/daysummary/")
        page.fill("#id_username", "boss")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/stats/daysummary/")
        for days in (7, 30, 365):
            page.goto(f"{live_server.url}/admin/stats/daysummary/?days={days}")
            chart = page.locator("#chart-heading ~ .stats-chart svg")
            assert page.locator(".stats-chart rect.views").count() == days
            assert page.locator(".newsletter-chart rect.signups").count() == days
            newsletter_box = page.locator(".newsletter-chart svg").bounding_box()
            assert newsletter_box["width"] > width * 0.6 and newsletter_box["height"] > 60
            box = chart.bounding_box()
            assert box["width"] > width * 0.6 and box["height"] > 60
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            results = Axe().run(page)
            if results.violations_count:
                reports[f"{width} {days}"] = results.generate_report()
        page.goto(f"{live_server.url}/admin/stats/daysummary/?days=30")
        page.screenshot(path=str(SHOTS / f"dashboard-{width}-{scheme}.png"), full_page=True)
        assert "Entry number 0" in page.locator("#top-entries-heading + table").inner_text()
        assert "Feedly" in page.content()
        assert page.locator(".newsletter-now").inner_text() == "28"  # 40 - 13 gone + 1 imported
        assert "Mailed entry 3" in page.locator(".newsletter table").inner_text()
        page.locator(".newsletter").screenshot(path=str(SHOTS / f"newsletter-{width}-{scheme}.png"))
        entry_id = PageDay.objects.filter(entry__isnull=False).values_list("entry_id", flat=True)[0]
        page.goto(f"{live_server.url}/admin/posts/entry/{entry_id}/change/")
        entry_chart = page.locator(".entry-stats .stats-chart svg")
        assert entry_chart.bounding_box()["width"] > width * 0.5
        assert page.locator(".entry-stats rect.views").count() == 30
        results = Axe().run(page, context=".entry-stats")
        if results.violations_count:
            reports[f"{width} entry"] = results.generate_report()
        entry_chart.screenshot(path=str(SHOTS / f"entry-chart-{width}-{scheme}.png"))
        assert errors == []
        context.close()
    assert reports == {}, "\n\n".join(f"{name}:\n{report}" for name, report in reports.items())
