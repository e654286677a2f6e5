import pytest

from posts.editorial.roles import AUTHOR, EDITOR
from posts.models import Entry
from tests.conftest import member_of
from tests.e2e.conftest import ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
BODY = (
    "An opening line.\n\n"
    "```python\ndef greet():\n    return 'hello'\n```\n\n"
    "| language | year |\n|---|---|\n| Python | 1991 |\n"
)


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(base_url + "/admin/")


def test_an_author_drafts_shares_a_preview_and_an_editor_publishes(live_server, browser):
    author = member_of(AUTHOR, username="ada")
    member_of(EDITOR, username="grace")

    writing = browser.new_context(viewport={"width": 1280, "height": 900})
    page = writing.new_page()
    page.set_default_timeout(15_000)
    errors = ConsoleErrors()
    errors.watch(page)
    log_in(page, live_server.url, "ada")
    page.goto(live_server.url + "/admin/posts/entry/add/")
    # An Author has no status or publish-time inputs to change.
    assert page.locator("#id_status").count() == 0
    page.fill("#id_title", "A draft for review")
    page.fill("#id_body", BODY)
    page.locator("#id_body").dispatch_event("input")
    preview = page.frame_locator(".preview-frame")  # the page as readers will see it
    preview.locator("table td", has_text="1991").wait_for()
    code = preview.locator("pre code.language-python")
    assert code.inner_text().startswith("def greet():")
    assert code.locator("span.k").first.inner_text() == "def"  # highlighted by Pygments
    assert preview.locator("table th").first.text_content() == "language"
    page.fill("#id_tags", "review")
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    entry = Entry.objects.get()
    assert (entry.status, entry.author) == (Entry.Status.DRAFT, author)

    share_link = page.input_value("#share-preview-url")
    assert share_link.startswith(live_server.url + "/preview/")

    stranger = browser.new_context()
    reader = stranger.new_page()
    errors.watch(reader)
    response = reader.goto(share_link)
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex"
    assert reader.locator("h1").inner_text() == "A draft for review"
    assert reader.locator(".markup table td").first.inner_text() == "Python"
    assert "draft" in reader.locator(".preview-note").inner_text()
    assert errors == []
    assert reader.goto(live_server.url + entry.get_absolute_url()).status == 404
    writing.close()

    editing = browser.new_context(viewport={"width": 1280, "height": 900})
    page = editing.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "grace")
    page.goto(live_server.url + f"/admin/posts/entry/{entry.pk}/change/")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.locator(".messagelist .success").wait_for()
    entry.refresh_from_db()
    assert entry.is_published
    editing.close()

    reader.goto(live_server.url + "/")
    titles = reader.locator("article.card h2").all_inner_texts()
    assert "A draft for review" in titles
    # The old preview link now leads to the published entry.
    reader.goto(share_link)
    assert reader.url == live_server.url + entry.get_absolute_url()
    stranger.close()
