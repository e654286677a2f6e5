"""The editor's live preview shows a body as its page will, our pictures included."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from posts.editorial.live_preview import render_preview
from posts.rendering.markdown import render_markdown
from tests.factories import EntryFactory, ImageFactory

pytestmark = pytest.mark.django_db


def test_an_uploaded_picture_previews_as_the_entry_page_shows_it():
    image = ImageFactory(caption="Taken at FOSDEM")
    body = f"Before.\n\n![]({image.file.url})\n\nAfter."

    preview = render_preview(body)

    # The page loads its first picture at once (it has no cover); the preview need not.
    page = EntryFactory(body=body).body_html.replace('loading="eager"', 'loading="lazy"')
    assert preview == page
    assert "<figure" in preview and "Taken at FOSDEM" in preview and "srcset=" in preview
    # Without the lookup the renderer knows no pictures: the preview is what adds them.
    assert "<figure" not in render_markdown(body)


def test_the_editors_preview_view_shows_our_pictures(staff_client):
    image = ImageFactory()
    body = f"![]({image.file.url})"
    response = staff_client.post(reverse("admin:posts_entry_markdownify"), {"content": body})
    assert response.status_code == 200
    assert response.content.decode() == render_preview(body)


PREVIEW = reverse("admin:posts_entry_markdownify")
PROSE = (
    "Paragraphs of ordinary writing, with *emphasis*, **strong words**, `code`, a "
    "[link](https://example.org/) and a footnote[^n], as an entry has them.\n\n"
)


@pytest.fixture(autouse=True)
def fresh_rate_counts():
    """Each test starts with no previews counted (the test cache outlives a test)."""
    cache.clear()


def test_a_megabyte_of_brackets_gets_a_message_not_a_render(staff_client):
    response = staff_client.post(PREVIEW, {"content": "[" * 1_000_000})
    assert response.status_code == 413
    assert "an entry holds at most 500 KB" in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_brackets_under_the_size_limit_preview_as_text(staff_client):
    response = staff_client.post(PREVIEW, {"content": "[" * 400_000})
    assert response.status_code == 200
    assert response.content.decode() == "<p>" + "[" * 400_000 + "</p>\n"


def test_a_body_too_costly_to_render_in_time_names_its_line(staff_client, settings):
    settings.BLOGSITE_RENDER_SECONDS = 0.5  # the same body takes several seconds in full
    body = "An introduction.\n\nA second paragraph.\n\n" + "[[[]" * 100_000
    response = staff_client.post(PREVIEW, {"content": body})
    assert response.status_code == 422
    assert response.content.decode() == (
        '<p class="errornote preview-refused" role="alert">This text is too complex to preview'
        " within 0.5 seconds: simplify the run of brackets near line 5.</p>"
    )


def test_200_kb_of_ordinary_prose_previews_in_full(staff_client):
    count = 200_000 // len(PROSE) + 1
    body = PROSE * count + "[^n]: The note."
    assert len(body) > 200_000
    response = staff_client.post(PREVIEW, {"content": body})
    assert response.status_code == 200
    html = response.content.decode()
    assert html == render_markdown(body)
    assert html.count("<strong>strong words</strong>") == count


def test_previews_past_the_rate_limit_are_answered_429(staff_client, author_client, settings):
    settings.BLOGSITE_PREVIEW_PER_MINUTE = 3
    answers = [staff_client.post(PREVIEW, {"content": "*hi*"}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert "Previews are coming too fast" in answers[3].content.decode()
    assert 1 <= int(answers[3]["Retry-After"]) <= 60
    # Counted per user: another writer still gets previews.
    assert author_client.post(PREVIEW, {"content": "*hi*"}).status_code == 200


def test_render_preview_says_why_instead_of_raising():
    assert "an entry holds at most 500 KB" in render_preview("[" * 1_000_000)
