"""Our pictures in pages: responsive <picture>, figures, covers, and what happens on change."""

import html
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from posts.models import Entry
from posts.rendering.pictures import picture_markdown
from tests.factories import EntryFactory, ImageFactory, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo():
    return ImageFactory(
        file=ContentFile(image_bytes((1200, 800)), name="photo.png"),
        alt_text="A blue rectangle",
        caption="Blue, as far as the eye can see",
        credit="Test suite, CC0",
    )


def test_our_picture_alone_in_a_paragraph_becomes_a_responsive_figure(photo):
    entry = EntryFactory(body=f"Intro.\n\n![]({photo.file.url})\n\nOutro.")
    html = entry.body_html
    assert html.count("<figure>") == 1 and "<p><figure>" not in html
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">', html)
    assert webp, html
    assert [part.split()[-1] for part in webp.group(1).split(", ")] == ["480w", "960w", "1200w"]
    assert 'width="1200" height="800"' in html
    assert 'alt="A blue rectangle"' in html  # the Markdown gave none
    assert 'decoding="async"' in html
    assert (
        '<figcaption>Blue, as far as the eye can see <small class="credit">Test suite, CC0</small>'
        "</figcaption>" in html
    )
    assert list(entry.images.all()) == [photo]


def test_markdown_alt_text_wins_and_an_inline_picture_is_not_a_figure(photo):
    entry = EntryFactory(body=f"Look: ![a rectangle, up close]({photo.file.url}) there.")
    assert 'alt="a rectangle, up close"' in entry.body_html
    assert "<figure>" not in entry.body_html and "<picture>" in entry.body_html


def test_the_first_picture_of_a_page_loads_eagerly_the_rest_lazily(photo):
    body = f"![]({photo.file.url})\n\n![](https://example.org/elsewhere.png)"
    without_cover = EntryFactory(body=body)
    assert re.findall(r'loading="(\w+)"', without_cover.body_html) == ["eager", "lazy"]
    with_cover = EntryFactory(body=body, cover=ImageFactory())
    assert re.findall(r'loading="(\w+)"', with_cover.body_html) == ["lazy", "lazy"]


def test_an_unknown_media_address_stays_a_plain_image():
    entry = EntryFactory(body="![gone](/media/images/nowhere.png)")
    assert '<img src="/media/images/nowhere.png" alt="gone"' in entry.body_html
    assert "<picture>" not in entry.body_html


def test_changing_a_pictures_alt_text_or_caption_re_renders_the_entries_showing_it(photo):
    entry = EntryFactory(body=f"![]({photo.file.url})")
    other = EntryFactory(body="No pictures here.")
    other_html = other.body_html
    photo.alt_text = "A calmer description"
    photo.caption = "New caption"
    photo.save()
    entry.refresh_from_db()
    other.refresh_from_db()
    assert 'alt="A calmer description"' in entry.body_html
    assert "<figcaption>New caption" in entry.body_html
    assert other.body_html == other_html


def test_covers_on_the_index_and_entry_pages_use_renditions(client, photo):
    entry = EntryFactory(cover=photo)
    index = client.get("/").content.decode()
    assert '<source type="image/webp"' in index and 'alt=""' in index  # the title says it all
    page = client.get(entry.get_absolute_url()).content.decode()
    cover = page[page.index('<figure class="cover">') :]
    assert 'alt="A blue rectangle"' in cover and 'loading="eager"' in cover
    assert "960w" in cover


def test_the_admin_refuses_to_delete_a_picture_in_use_and_says_where(staff_client, photo):
    entry = EntryFactory(title="Uses the photo", body=f"![]({photo.file.url})")
    delete_url = reverse("admin:posts_image_delete", args=[photo.pk])
    page = staff_client.get(delete_url).content.decode()
    assert "Uses the photo" in page
    assert "protected" in page.lower()
    staff_client.post(delete_url, {"post": "yes"})
    assert photo.__class__.objects.filter(pk=photo.pk).exists()
    entry.body = "Changed my mind."
    entry.save()
    staff_client.post(delete_url, {"post": "yes"})
    assert not photo.__class__.objects.filter(pk=photo.pk).exists()
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_the_image_change_page_says_where_the_picture_is_used(staff_client, photo):
    EntryFactory(title="Shows it in the body", body=f"![]({photo.file.url})")
    EntryFactory(title="Has it as cover", cover=photo)
    page = staff_client.get(reverse("admin:posts_image_change", args=[photo.pk])).content.decode()
    assert "Shows it in the body" in page and "Has it as cover" in page


@pytest.mark.parametrize(
    "alt",
    [
        "A blue rectangle",
        "A [bracketed] word and a \\ backslash",
        "*Not emphasis*, `not code`, <not html> & not &amp; an entity!",
        "",
    ],
)
def test_a_pictures_markdown_renders_with_its_alt_text_as_written(photo, alt):
    markdown = picture_markdown(alt, photo.file.url)
    assert markdown.endswith(f"]({photo.file.url})")
    entry = EntryFactory(body=f"Look: {markdown} there.")
    shown = re.search(r'<img [^>]*alt="([^"]*)"', entry.body_html).group(1)
    assert html.unescape(shown) == (alt or photo.alt_text)  # an empty one: the picture's own
    assert list(entry.images.all()) == [photo]


def test_a_picture_address_with_spaces_or_parentheses_stays_one_address():
    markdown = picture_markdown("x", "/media/a (1) b.png")
    assert markdown == "![x](</media/a (1) b.png>)"
