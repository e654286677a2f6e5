import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from posts.models import Entry, Image
from tests.factories import EntryFactory, UserFactory, image_bytes
from tests.test_images import bomb_bytes

pytestmark = pytest.mark.django_db

ADD_ENTRY = reverse("admin:posts_entry_add")
ADD_IMAGE = reverse("admin:posts_image_add")
DROP = reverse("admin:posts_image_drop")
PREVIEW = reverse("admin:posts_entry_markdownify")


def entry_form(author, **fields) -> dict:
    data = {
        "title": "Written in the admin",
        "body": "Hello **admin**.",
        "tags": "django, writing",
        "cover": "",
        "excerpt": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "slug": "",
        "author": author.pk,
    }
    data.update(fields)
    return data


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


def test_add_page_uses_the_markdown_editor_with_our_preview_and_drop_urls(staff_client):
    html = staff_client.get(ADD_ENTRY).content.decode()
    assert "markdownx-editor" in html
    assert f'data-markdownx-urls-path="{PREVIEW}"' in html
    assert f'data-markdownx-upload-urls-path="{DROP}"' in html


def test_staff_writes_previews_and_publishes_an_entry(staff_client, client, staff):
    response = staff_client.post(ADD_ENTRY, entry_form(staff, _continue="1"))
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    entry = Entry.objects.get()
    assert entry.status == Entry.Status.DRAFT
    assert entry.slug == "written-in-the-admin"
    assert entry.body_html == "<p>Hello <strong>admin</strong>.</p>\n"
    assert sorted(entry.tags.names()) == ["django", "writing"]

    # "View on site" goes through the admin's shortcut to the entry's own page.
    change_page = staff_client.get(reverse("admin:posts_entry_change", args=[entry.pk]))
    view_on_site = change_page.context["original"].get_absolute_url()
    assert (
        view_on_site in change_page.content.decode()
        or "viewsitelink" in change_page.content.decode()
    )
    assert staff_client.get(view_on_site).status_code == 200
    assert client.get(view_on_site).status_code == 404

    response = staff_client.post(
        reverse("admin:posts_entry_change", args=[entry.pk]),
        entry_form(staff, status="published", slug=entry.slug),
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.is_published
    assert client.get(entry.get_absolute_url()).status_code == 200


def test_staff_schedules_an_entry_with_a_future_date(staff_client, client, staff):
    when = timezone.localtime(timezone.now() + timedelta(days=3))
    response = staff_client.post(
        ADD_ENTRY,
        entry_form(
            staff,
            status="published",
            published_at_0=when.strftime("%Y-%m-%d"),
            published_at_1=when.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.is_scheduled
    assert list(client.get(reverse("posts:index")).context["entries"]) == []
    listing = staff_client.get(reverse("admin:posts_entry_changelist")).content.decode()
    assert "Scheduled" in listing


def test_a_duplicate_slug_is_a_form_error_not_a_crash(staff_client, staff):
    EntryFactory(slug="taken")
    response = staff_client.post(ADD_ENTRY, entry_form(staff, slug="taken"))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Entry.objects.count() == 1


def test_publish_action_publishes_selected_drafts(staff_client):
    drafts = [EntryFactory(status=Entry.Status.DRAFT, published_at=None) for _ in range(2)]
    response = staff_client.post(
        reverse("admin:posts_entry_changelist"),
        {"action": "publish_now", "_selected_action": [d.pk for d in drafts]},
    )
    assert response.status_code == 302
    assert Entry.objects.published().count() == 2


def test_preview_renders_through_the_same_pipeline(staff_client, client):
    response = staff_client.post(PREVIEW, {"content": "# Hi\n\n<script>x</script>"})
    assert response.status_code == 200
    assert response.content.decode() == "<h1>Hi</h1>\n"
    assert client.post(PREVIEW, {"content": "# Hi"}).status_code == 302  # to the login page
    assert staff_client.get(PREVIEW).status_code == 405


def test_dropping_a_picture_into_the_editor_makes_an_image_record(staff_client, media_root):
    upload = SimpleUploadedFile("photo.jpg", image_bytes((120, 80), fmt="JPEG"))
    response = staff_client.post(
        DROP, {"image": upload}, headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert response.status_code == 200
    image = Image.objects.get()
    assert response.json()["image_code"] == f"![]({image.file.url})"
    assert (image.width, image.height) == (120, 80)
    # The cleaned file and its renditions at its own width, as WebP and JPEG.
    assert sorted(path.name for path in stored_files(media_root)) == [
        "photo-jpg-120.jpg", "photo-jpg-120.webp", "photo.jpg"
    ]  # fmt: skip
    upload.seek(0)
    again = staff_client.post(DROP, {"image": upload})
    assert again.json()["id"] == image.pk  # the same bytes reuse the same Image
    assert Image.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.png", b"not a picture at all", "not a picture"),
        ("cut.jpg", image_bytes((300, 200), fmt="JPEG")[:400], "damaged"),
        ("bomb.png", bomb_bytes(8_000), "megapixels"),
    ],
)
def test_a_bad_drop_gets_a_clear_error_and_stores_nothing(
    staff_client, media_root, name, data, message
):
    response = staff_client.post(DROP, {"image": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert Image.objects.count() == 0
    assert stored_files(media_root) == []


def test_readers_and_non_staff_cannot_drop_pictures(client, media_root):
    upload = SimpleUploadedFile("photo.png", image_bytes())
    assert client.post(DROP, {"image": upload}).status_code == 302
    client.force_login(UserFactory())
    assert client.post(DROP, {"image": upload}).status_code == 302
    assert Image.objects.count() == 0


def image_form(upload, **fields) -> dict:
    return {"file": upload, "alt_text": "A test picture", "caption": "", "credit": "", **fields}


def test_uploading_a_picture_in_the_admin(staff_client, media_root):
    upload = SimpleUploadedFile("pic.webp", image_bytes((50, 40), fmt="WEBP"))
    response = staff_client.post(ADD_IMAGE, image_form(upload))
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height, image.alt_text) == (50, 40, "A test picture")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a but not really", "not a picture"),
        (image_bytes((300, 200), fmt="PNG")[:-30], "damaged"),
        (bomb_bytes(8_000), "megapixels"),
    ],
)
def test_a_bad_upload_is_a_form_error_and_nothing_is_stored(
    staff_client, media_root, data, message
):
    response = staff_client.post(ADD_IMAGE, image_form(SimpleUploadedFile("x.png", data)))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["file"]), errors
    assert Image.objects.count() == 0
    assert stored_files(media_root) == []


def test_an_upload_over_the_size_limit_is_refused(staff_client, media_root, settings):
    settings.BLOGSITE_MAX_UPLOAD_MB = 1
    big = io.BytesIO()
    from PIL import Image as PILImage

    PILImage.effect_noise((1200, 1200), 100).convert("RGB").save(big, format="PNG")
    assert big.tell() > 1024 * 1024
    response = staff_client.post(
        ADD_IMAGE, image_form(SimpleUploadedFile("big.png", big.getvalue()))
    )
    assert "limit is 1 MB" in " ".join(response.context["adminform"].form.errors["file"])
    assert stored_files(media_root) == []


def test_an_image_needs_alt_text_or_the_decorative_box(staff_client, media_root):
    upload = SimpleUploadedFile("pic.png", image_bytes())
    response = staff_client.post(ADD_IMAGE, image_form(upload, alt_text=""))
    assert "alt_text" in response.context["adminform"].form.errors
    upload.seek(0)
    response = staff_client.post(ADD_IMAGE, image_form(upload, alt_text="", decorative="on"))
    assert response.status_code == 302
    assert Image.objects.get().decorative


def test_editing_an_image_keeps_its_file(staff_client, media_root):
    from tests.factories import ImageFactory

    image = ImageFactory()
    response = staff_client.post(
        reverse("admin:posts_image_change", args=[image.pk]),
        {"alt_text": "Better words", "caption": "", "credit": ""},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt_text == "Better words"
    assert image.file.storage.exists(image.file.name)


def test_admin_lists_render(staff_client):
    EntryFactory(tags=["a", "b"])
    for name in ("posts_entry_changelist", "posts_image_changelist", "posts_image_add"):
        assert staff_client.get(reverse(f"admin:{name}")).status_code == 200
    cover_picker = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "posts", "model_name": "entry", "field_name": "cover"},
    )
    assert cover_picker.status_code == 200


def test_the_picture_list_shows_small_copies_not_the_originals(staff_client):
    from django.core.files.base import ContentFile

    from posts.models import Image
    from tests.factories import image_bytes

    big = Image.objects.create(
        file=ContentFile(image_bytes(size=(1200, 800), fmt="JPEG"), name="big.jpg"),
        alt_text="A big one",
    )
    html = staff_client.get(reverse("admin:posts_image_changelist")).content.decode()
    assert big.file.url not in html
    small = next(r for r in big.renditions if r["format"] == "JPEG" and r["width"] == 480)
    assert big.file.storage.url(small["name"]) in html
