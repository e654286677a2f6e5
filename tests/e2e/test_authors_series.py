"""Author, series and co-authored entry pages in Chromium: phone and desktop, light and dark."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import SHOTS_DIR
from tests.factories import (
    AuthorProfileFactory,
    EntryFactory,
    ImageFactory,
    SeriesFactory,
    image_bytes,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = SHOTS_DIR / "authors-series"
WIDTHS = [390, 1280]


@pytest.fixture
def pages(live_server):
    from django.core.files.base import ContentFile

    from posts.models import Image

    portrait = Image.objects.create(
        file=ContentFile(image_bytes(size=(600, 600), colour=(180, 90, 40)), name="ada.png"),
        alt_text="Ada Lovelace, drawn as an orange square",
    )
    ada = AuthorProfileFactory(
        display_name="Ada Lovelace",
        slug="ada",
        bio="Writes about *engines* and [notes](https://example.org/notes).",
        website="https://ada.example/",
        mastodon="https://social.example/@ada",
        github="https://github.com/ada",
        avatar=portrait,
    )
    charles = AuthorProfileFactory(display_name="Charles Babbage", slug="charles")
    grace = AuthorProfileFactory(display_name="Grace Hopper", slug="grace")
    series = SeriesFactory(
        title="Unikernels in production",
        slug="unikernels",
        description="Five parts on running **unikernels** where it matters.",
    )
    now = timezone.now()
    parts = []
    for number, title in enumerate(
        ["Why a unikernel", "Building the image", "Booting in 5 ms", "Watching it run"], 1
    ):
        entry = EntryFactory(
            title=title,
            author=ada.user,
            series=series,
            series_part=number,
            published_at=now - timedelta(days=10 - number),
            tags=["unikernels"],
            cover=ImageFactory(alt_text=f"Cover of part {number}") if number == 2 else None,
            body="A paragraph about the part.\n\nAnother paragraph, longer, to fill a line.",
        )
        parts.append(entry)
    parts[1].set_authors([ada.user, charles.user, grace.user])
    EntryFactory(title="Part five, unfinished", series=series, series_part=5, status="draft")
    base = live_server.url
    return {
        "author": base + "/authors/ada/",
        "authors": base + "/authors/",
        "series": base + "/series/unikernels/",
        "series-list": base + "/series/",
        "entry": base + parts[1].get_absolute_url(),
    }


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_author_series_and_entry_pages_fit_and_have_no_axe_violations(
    browser, pages, width, scheme
):
    from axe_playwright_python.sync_playwright import Axe

    SHOTS.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    reports, overflow = {}, {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, url
        results = axe.run(page)
        if results.violations_count:
            reports[name] = results.generate_report()
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wide > 0:
            overflow[name] = wide
        page.screenshot(path=str(SHOTS / f"{name}-{width}-{scheme}.png"), full_page=True)
    context.close()
    assert reports == {}, "\n\n".join(f"{name}:\n{report}" for name, report in reports.items())
    assert overflow == {}  # nothing wider than the screen


def test_a_reader_follows_the_byline_and_the_series(browser, pages):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(pages["entry"])
    byline = page.locator(".entry-header .byline .author")
    assert byline.inner_text() == "by Ada Lovelace, Charles Babbage and Grace Hopper"
    place = page.locator(".series-place")
    assert place.inner_text() == "Unikernels in production, part 2 of 4"
    page.get_by_role("link", name="Next part Booting in 5 ms").click()
    assert page.locator("h1").inner_text() == "Booting in 5 ms"
    assert page.locator(".series-place").inner_text().endswith("part 3 of 4")
    page.locator(".series-place a").click()
    assert page.locator("h1").inner_text() == "Unikernels in production"
    assert "unfinished" not in page.content()
    page.get_by_role("link", name="Building the image").click()
    page.locator(".entry-header").get_by_role("link", name="Charles Babbage").click()
    assert page.locator("h1").inner_text() == "Charles Babbage"
    assert page.get_by_role("link", name="Building the image").count() == 1
    context.close()
