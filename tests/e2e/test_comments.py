"""A reader comments on a cached entry page, an Editor approves it, the reader sees it; axe
finds nothing on the pages a commenter meets, at 390 and 1280 px, light and dark."""

import time

import pytest

from comments.models import Comment
from posts.editorial.roles import EDITOR
from tests.conftest import member_of
from tests.e2e.conftest import SHOTS_DIR
from tests.factories import EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
SHOTS = SHOTS_DIR / "comments"


@pytest.fixture
def cached_site(settings):
    settings.BLOGSITE_PAGE_CACHE = True
    settings.COMMENTS_MIN_SECONDS = 1
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def axe_report(page) -> str:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.generate_report() if results.violations_count else ""


def test_a_reader_comments_an_editor_approves_and_the_reader_sees_it(
    live_server, browser, cached_site
):
    entry = EntryFactory(title="Gardens in winter", body="What grows when nothing grows?")
    member_of(EDITOR, username="grace", password=PASSWORD)
    url = live_server.url + entry.get_absolute_url()

    first = browser.new_context()
    first.new_page().goto(url)  # someone else read it first: now it is in the page cache
    first.close()
    reader = browser.new_context(viewport={"width": 390, "height": 844})
    page = reader.new_page()
    page.set_default_timeout(15_000)
    assert page.goto(url).headers["x-cache"] == "hit"
    page.fill("#id_name", "Rosalind")
    page.fill("#id_email", "rosalind@example.org")
    page.fill("#id_body", "Snowdrops, mostly. And *patience*.")
    page.click("text=Preview comment")
    page.wait_for_selector("text=Preview your comment")
    assert (
        page.inner_html(".comment-preview .comment-body")
        .strip()
        .startswith("<p>Snowdrops, mostly. And <em>patience</em>.</p>")
    )
    time.sleep(1.2)  # a person reads their preview; a bot sending at once is refused
    page.click("text=Send comment")
    page.wait_for_selector("text=waiting for moderation")
    assert Comment.objects.get().status == "pending"
    page.goto(url)
    page.reload()
    assert page.locator(".comment-body", has_text="Snowdrops").count() == 0

    editing = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = editing.new_page()
    admin.goto(live_server.url + "/admin/login/")
    admin.fill("#id_username", "grace")
    admin.fill("#id_password", PASSWORD)
    admin.click("input[type=submit]")
    admin.wait_for_url(live_server.url + "/admin/")
    admin.goto(live_server.url + "/admin/comments/comment/?status__exact=pending")
    assert "Snowdrops, mostly" in admin.content()
    admin.screenshot(path=str(SHOTS / "admin-queue-1280.png"), full_page=True)
    assert axe_report(admin) == ""
    admin.check("input[name=_selected_action]")
    admin.select_option("select[name=action]", "approve")
    admin.click("button[name=index]")
    admin.wait_for_selector("text=1 approved.")
    editing.close()

    page.goto(url)
    response = page.reload()  # past the browser's own cache (max-age), as a reader would
    assert response.headers["x-cache"] == "miss"  # made fresh by the approval
    assert page.locator(".comment .p-author", has_text="Rosalind").is_visible()
    assert (
        page.inner_html(".comment-body").strip()
        == "<p>Snowdrops, mostly. And <em>patience</em>.</p>"
    )
    reader.close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_pages_a_commenter_meets_have_no_axe_violations(
    live_server, browser, cached_site, settings, width, scheme
):
    settings.COMMENTS_MIN_SECONDS = 3600  # every send is "too quick" until set back below
    entry = EntryFactory(title="A discussed entry", body="Words worth answering.")
    top = Comment.objects.create(
        entry=entry, name="Ada", website="https://ada.example/", status="approved",
        body="A first comment with a [link](https://example.org/) and `code`.",
    )  # fmt: skip
    Comment.objects.create(entry=entry, name="Bo", parent=top, status="approved", body="A reply.")
    Comment.objects.create(
        entry=entry, name="Cy Liker", kind="like", status="approved",
        source="https://cy.example/likes/1", website="https://cy.example/",
    )  # fmt: skip
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    url = live_server.url + entry.get_absolute_url()
    reports = {}
    page.goto(url)
    reports["entry"] = axe_report(page)
    page.locator("#comments").screenshot(path=str(SHOTS / f"entry-{width}-{scheme}.png"))
    page.fill("#id_name", "Dee")
    page.fill("#id_body", "")
    page.click("text=Preview comment")  # the browser stops an empty comment
    assert page.url == url
    page.fill("#id_body", "Some *thoughts*.")
    page.click("text=Preview comment")
    page.wait_for_selector("text=Preview your comment")
    reports["preview"] = axe_report(page)
    page.screenshot(path=str(SHOTS / f"preview-{width}-{scheme}.png"), full_page=True)
    page.click("text=Send comment")  # refused as too quick, the text kept
    page.wait_for_selector("text=Your comment was not sent")
    assert page.input_value("#id_body") == "Some *thoughts*."
    reports["refused"] = axe_report(page)
    page.screenshot(path=str(SHOTS / f"refused-{width}-{scheme}.png"), full_page=True)
    settings.COMMENTS_MIN_SECONDS = 0
    page.click("text=Send comment")
    page.wait_for_selector("text=waiting for moderation")
    reports["received"] = axe_report(page)
    page.goto(url)
    page.click("text=Reply to Ada")
    page.wait_for_selector("h1:has-text('Reply to Ada')")
    reports["reply"] = axe_report(page)
    context.close()
    reports = {name: report for name, report in reports.items() if report}
    assert reports == {}, "\n\n".join(f"{name}:\n{report}" for name, report in reports.items())
