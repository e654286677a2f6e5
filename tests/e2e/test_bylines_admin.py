"""The byline and series parts of the entry form, and the profile form, in Chromium."""

import pytest

from posts.editorial.roles import EDITOR
from posts.models import Entry
from tests.conftest import member_of
from tests.e2e.conftest import SHOTS_DIR
from tests.e2e.test_editorial import log_in
from tests.factories import AuthorProfileFactory, EntryFactory, SeriesFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = SHOTS_DIR / "authors-series"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_editor_adds_a_co_author_and_a_series_part(live_server, browser, width, scheme):
    from axe_playwright_python.sync_playwright import Axe

    editor = member_of(EDITOR, username="grace", first_name="Grace", last_name="Hopper")
    AuthorProfileFactory(user=editor, display_name="Grace Hopper", slug="grace")
    ada = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    AuthorProfileFactory(user=ada, display_name="Ada Lovelace", slug="ada")
    series = SeriesFactory(title="Compilers, from scratch")
    EntryFactory(title="Part one", series=series, series_part=1)
    entry = EntryFactory(title="Part two", author=editor, tags=["compilers"])

    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/admin/posts/entry/{entry.pk}/change/")

    group = page.locator("#bylines-group")
    group.locator(".add-row a").click()
    page.select_option("#id_bylines-1-user", label="Ada Lovelace (ada)")
    page.fill("#id_bylines-1-position", "1")
    page.fill("#id_series_part", "2")
    # The series field is the admin's autocomplete (select2): its own combobox has an axe
    # finding of its own (tests/e2e/test_sharing_fields.py), so it is set through its select.
    page.evaluate(
        """([id, label]) => {
            const select = document.querySelector('#id_series');
            select.append(new Option(label, id, true, true));
        }""",
        [str(series.pk), series.title],
    )
    for selector in ("#bylines-group", ".field-series_part"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (selector, box)
    group.screenshot(path=f"{SHOTS}/admin-byline-{width}-{scheme}.png")
    results = Axe().run(page, context="#bylines-group, .field-series_part")
    assert results.violations_count == 0, results.generate_report()

    page.click("input[name=_continue]")
    page.locator(".messagelist").wait_for()
    stored = Entry.objects.get(pk=entry.pk)
    assert [r.user.username for r in stored.bylines.order_by("position")] == ["grace", "ada"]
    assert (stored.series, stored.series_part) == (series, 2)

    page.goto(live_server.url + entry.get_absolute_url())
    assert page.locator(".entry-header .author").inner_text() == "by Grace Hopper and Ada Lovelace"
    assert page.locator(".series-place").inner_text() == "Compilers, from scratch, part 2 of 2"
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_profile_form_fits_and_has_no_axe_violations(live_server, browser, width):
    from axe_playwright_python.sync_playwright import Axe

    grace = member_of(EDITOR, username="grace", first_name="Grace", last_name="Hopper")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/admin/posts/authorprofile/add/")
    page.select_option("#id_user", label="Grace Hopper (grace)")
    page.fill("#id_display_name", "Grace Hopper")
    page.fill("#id_bio", "Wrote the first *compiler*.")
    page.fill("#id_website", "grace.example")
    fields = ".field-user, .field-display_name, .field-slug, .field-bio, .field-website"
    results = Axe().run(page, context=fields)
    assert results.violations_count == 0, results.generate_report()
    page.screenshot(path=f"{SHOTS}/admin-profile-{width}.png", full_page=True)
    page.click("input[name=_save]")
    page.locator(".messagelist").wait_for()
    profile = grace.author_profile
    assert (profile.slug, profile.website) == ("grace-hopper", "https://grace.example")
    # Nothing published yet: the page does not exist for readers.
    assert page.goto(live_server.url + "/authors/grace-hopper/").status == 404
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_editor_reorders_a_series_by_part_number(live_server, browser, width, scheme):
    from axe_playwright_python.sync_playwright import Axe

    member_of(EDITOR, username="grace")
    series = SeriesFactory(title="Compilers, from scratch")
    first = EntryFactory(title="Lexing", series=series, series_part=1)
    second = EntryFactory(title="Parsing", series=series, series_part=2)
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/admin/posts/series/{series.pk}/change/")
    page.fill("#id_description", "Two parts, *so far*.")
    page.fill("#id_entries-0-series_part", "2")
    page.fill("#id_entries-1-series_part", "1")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"{SHOTS}/admin-series-{width}-{scheme}.png", full_page=True)
    results = Axe().run(page, context="#content-main")
    assert results.violations_count == 0, results.generate_report()
    page.click("input[name=_save]")
    page.locator(".messagelist").wait_for()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.series_part, second.series_part) == (2, 1)
    page.goto(live_server.url + series.get_absolute_url())
    titles = page.locator(".series-parts .card-title").all_inner_texts()
    assert titles == ["Parsing", "Lexing"]
    assert page.locator(".series-description em").inner_text() == "so far"
    context.close()
