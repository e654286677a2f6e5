from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from posts.editorial.checks import link_is_broken, prepublish_warnings
from posts.models import Entry, Redirect
from tests.factories import EntryFactory, ImageFactory, image_bytes

pytestmark = pytest.mark.django_db

CLEAN_BODY = "An opening paragraph.\n\n## A section\n\n### A subsection\n\nMore words."


def codes(entry: Entry) -> list[str]:
    return [warning.code for warning in prepublish_warnings(entry)]


def tagged(**fields) -> Entry:
    return EntryFactory(tags=["topic"], **fields)


def test_a_tidy_entry_has_nothing_to_warn_about():
    picture = ImageFactory(alt_text="A harbour at dawn")
    entry = tagged(body=f"{CLEAN_BODY}\n\n![]({picture.file.url})", cover=ImageFactory())
    assert entry.images.get() == picture
    assert prepublish_warnings(entry) == []


def test_a_body_picture_without_alt_text_is_named():
    picture = ImageFactory(alt_text="")
    entry = tagged(body=f"![]({picture.file.url})")
    [warning] = prepublish_warnings(entry)
    assert warning.code == "alt-text"
    assert picture.file.name.rsplit("/", 1)[-1] in warning.message


def test_alt_text_in_the_markdown_covers_an_upload_without_its_own():
    picture = ImageFactory(alt_text="")
    assert codes(tagged(body=f"![A lighthouse]({picture.file.url})")) == []
    # Used twice, once without: the second use has no alt text on the page.
    both = f"![A lighthouse]({picture.file.url})\n\n![]({picture.file.url})"
    assert codes(tagged(body=both)) == ["alt-text"]


def test_a_decorative_picture_needs_no_alt_text():
    picture = ImageFactory(alt_text="", decorative=True)
    assert codes(tagged(body=f"![]({picture.file.url})", cover=picture)) == []


def test_a_cover_without_alt_text_is_named():
    assert codes(tagged(body="Text.", cover=ImageFactory(alt_text=""))) == ["alt-text"]


def test_a_markdown_picture_from_elsewhere_needs_alt_in_the_markdown():
    assert codes(tagged(body="![](https://example.org/a.png)")) == ["alt-text"]
    assert codes(tagged(body="![A chart](https://example.org/a.png)")) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("## Two\n\n### Three\n\n## Two again\n\n### Three", []),
        ("## Two\n\n#### Four", ["headings"]),
        ("### Three first", ["headings"]),
        ("## Two\n\n#### Four\n\n###### Six", ["headings", "headings"]),
    ],
)
def test_skipped_heading_levels(body, expected):
    assert codes(tagged(body=body)) == expected


def test_links_to_missing_pages_of_our_own_site(settings):
    settings.ALLOWED_HOSTS = ["localhost", "example.net"]
    live = EntryFactory(slug="here")
    hidden = EntryFactory(slug="hidden", status=Entry.Status.DRAFT, published_at=None)
    EntryFactory(tags=["python"])
    Redirect.objects.create(old_path="/old-address/", target="/")
    body = "\n\n".join(
        [
            f"[fine]({live.get_absolute_url()})",
            f"[a draft]({hidden.get_absolute_url()})",
            "[gone entry](/2020/01/never-written/)",
            f"[a tag]({reverse('posts:tag', kwargs={'slug': 'python'})})",
            "[no tag](/tags/no-such-tag/)",
            "[no page](/nowhere/at/all/)",
            "[redirected](/old-address/)",
            "[absolute, ours](http://localhost/tags/missing/)",
            "[elsewhere](https://example.org/nowhere/)",
            "[anchor](#top)",
            "[nul](/tags/%00/)",
        ]
    )
    messages = [w.message for w in prepublish_warnings(tagged(body=body))]
    assert messages == [
        f"The link to {hidden.get_absolute_url()} leads to a missing page.",
        "The link to /2020/01/never-written/ leads to a missing page.",
        "The link to /tags/no-such-tag/ leads to a missing page.",
        "The link to /nowhere/at/all/ leads to a missing page.",
        "The link to http://localhost/tags/missing/ leads to a missing page.",
        "The link to /tags/%00/ leads to a missing page.",
    ]


def test_links_to_uploads_are_checked_in_storage(settings):
    picture = ImageFactory()
    assert not link_is_broken(picture.file.url)
    assert link_is_broken(settings.MEDIA_URL + "images/none.png")


@pytest.mark.parametrize(
    "path", ["/media/../../../etc/passwd", "/media/images/../../secret", "/media//etc/passwd"]
)
def test_a_link_out_of_the_uploads_is_broken_not_an_error(path):
    assert link_is_broken(path)
    messages = [w.message for w in prepublish_warnings(tagged(body=f"[x]({path})"))]
    assert messages == [f"The link to {path} leads to a missing page."]


def test_a_link_out_of_the_uploads_leaves_the_admin_pages_working(staff_client, staff):
    from tests.admin.test_entries import entry_form

    body = "[x](/media/../../../etc/passwd)"
    response = staff_client.post(
        reverse("admin:posts_entry_add"), entry_form(staff, body=body), follow=True
    )
    assert response.status_code == 200
    entry = Entry.objects.get()
    page = staff_client.get(reverse("admin:posts_entry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert 'data-check="broken-link"' in page.content.decode()
    response = staff_client.post(
        reverse("admin:posts_entry_changelist"),
        {"action": "publish_now", "_selected_action": [entry.pk]},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.is_published


def test_an_empty_excerpt_with_a_long_first_paragraph():
    long = " ".join(["word"] * 80)
    assert codes(tagged(body=long)) == ["excerpt"]
    assert codes(tagged(body=long, excerpt="A short summary.")) == []
    assert codes(tagged(body="Short opening.\n\n" + long)) == []


def test_a_heavy_picture_is_named_with_its_size(settings):
    settings.BLOGSITE_CHECK_IMAGE_MAX_KB = 1
    import io

    from PIL import Image as PILImage

    noisy = io.BytesIO()
    PILImage.effect_noise((200, 200), 100).convert("RGB").save(noisy, format="PNG")
    heavy = ImageFactory(file=ContentFile(noisy.getvalue(), name="noise.png"))
    light = ImageFactory(file=ContentFile(image_bytes((8, 8)), name="dot.png"))
    entry = tagged(body=f"![]({heavy.file.url})\n\n![]({light.file.url})")
    [warning] = prepublish_warnings(entry)
    assert warning.code == "image-size"
    assert "over 1 KB" in warning.message and str(heavy) in warning.message


def test_an_entry_without_tags():
    assert codes(EntryFactory(body="Text.")) == ["tags"]


def test_warnings_show_when_saving_and_on_the_change_page(staff_client, staff):
    from tests.admin.test_entries import entry_form

    response = staff_client.post(
        reverse("admin:posts_entry_add"),
        entry_form(staff, body="## Two\n\n#### Four", tags="", status="published"),
        follow=True,
    )
    shown = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert ("warning", "Published, but check: The entry has no tags: readers will not "
            "find it by topic.") in shown  # fmt: skip
    assert any("h2 is followed by h4" in message for _level, message in shown)
    entry = Entry.objects.get()
    assert entry.is_published  # a warning never stops publishing

    page = staff_client.get(reverse("admin:posts_entry_change", args=[entry.pk]))
    html = page.content.decode()
    assert 'data-check="headings"' in html and 'data-check="tags"' in html


def test_a_description_past_160_characters_is_named_with_its_length():
    assert codes(tagged(body=CLEAN_BODY, meta_description="x" * 160)) == []
    entry = tagged(body=CLEAN_BODY, meta_description="x" * 161)
    [warning] = prepublish_warnings(entry)
    assert warning.code == "description"
    assert "161 characters" in warning.message and "160" in warning.message


@pytest.mark.parametrize(
    ("size", "warned"),
    [((1200, 630), False), ((2400, 1260), False), ((1199, 630), True), ((1600, 629), True)],
)
def test_a_social_image_smaller_than_link_previews_want_is_named(size, warned):
    picture = ImageFactory(file=ContentFile(image_bytes(size), name="card.png"))
    warnings = prepublish_warnings(tagged(body=CLEAN_BODY, social_image=picture))
    assert [w.code for w in warnings] == (["social-image"] if warned else [])
    if warned:
        assert f"{size[0]} × {size[1]} pixels" in warnings[0].message
        assert "1200 × 630" in warnings[0].message


def test_a_tag_only_drafts_carry_is_a_missing_page_unless_this_entry_carries_it():
    # Readers get a 404 for such a tag (posts.delivery.visibility): the link is broken,
    # but not when publishing this entry is what makes the tag's page appear.
    EntryFactory(status=Entry.Status.DRAFT, tags=["secret-plans"])
    tomorrow = timezone.now() + timedelta(days=1)
    EntryFactory(status=Entry.Status.PUBLISHED, published_at=tomorrow, tags=["soon"])
    body = "[a](/tags/secret-plans/) and [b](/tags/soon/) and [c](/tags/mine/)"
    entry = EntryFactory(status=Entry.Status.DRAFT, body=body, tags=["mine", "topic"])
    messages = [w.message for w in prepublish_warnings(entry)]
    assert messages == ["The link to /tags/secret-plans/ leads to a missing page."]
