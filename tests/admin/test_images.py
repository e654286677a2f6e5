import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image as PILImage

from posts.models import Image
from tests.factories import EntryFactory, ImageFactory, UserFactory, image_bytes
from tests.imagefiles.test_processing import bomb_bytes

pytestmark = pytest.mark.django_db

ADD_IMAGE = reverse("admin:posts_image_add")
DROP = reverse("admin:posts_image_drop")


def stored_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()]


def image_form(upload, **fields) -> dict:
    return {"file": upload, "alt_text": "A test picture", "caption": "", "credit": "", **fields}


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
    stem = image.file.name.rsplit("/", 1)[-1].removesuffix(".jpg")  # photo-<random token>
    assert re.fullmatch(r"photo-[a-z2-7]{16}", stem)
    assert sorted(path.name for path in stored_files(media_root)) == [
        f"{stem}-jpg-120.jpg", f"{stem}-jpg-120.webp", f"{stem}.jpg"
    ]  # fmt: skip
    upload.seek(0)
    again = staff_client.post(DROP, {"image": upload})
    assert again.json()["id"] == image.pk  # the same bytes reuse the same Image
    assert Image.objects.count() == 1
    # Described since: the same picture dropped again brings its alt text along.
    Image.objects.filter(pk=image.pk).update(alt_text="A [grey] field")
    upload.seek(0)
    described = staff_client.post(DROP, {"image": upload}).json()
    assert described["image_code"] == f"![A \\[grey\\] field]({image.file.url})"


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
    image = ImageFactory()
    response = staff_client.post(
        reverse("admin:posts_image_change", args=[image.pk]),
        {"alt_text": "Better words", "caption": "", "credit": ""},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt_text == "Better words"
    assert image.file.storage.exists(image.file.name)


def test_the_picture_list_shows_small_copies_not_the_originals(staff_client):
    big = Image.objects.create(
        file=ContentFile(image_bytes(size=(1200, 800), fmt="JPEG"), name="big.jpg"),
        alt_text="A big one",
    )
    html = staff_client.get(reverse("admin:posts_image_changelist")).content.decode()
    assert big.file.url not in html
    small = next(r for r in big.renditions if r["format"] == "JPEG" and r["width"] == 480)
    assert big.file.storage.url(small["name"]) in html


# The editor's picture picker and the Markdown to copy.

PICKER = reverse("admin:posts_image_picker")


def test_the_picker_lists_pictures_with_size_markdown_and_uses(staff_client):
    photo = Image.objects.create(
        file=ContentFile(image_bytes(size=(1200, 800), fmt="JPEG"), name="harbour.jpg"),
        alt_text="Boats in [the] harbour",
        caption="Morning light",
    )
    unused = ImageFactory(decorative=True, alt_text="")
    in_body = EntryFactory(title="A walk by the sea", body=f"Look: ![]({photo.file.url})")
    as_cover = EntryFactory(title="Harbour notes", cover=photo)

    data = staff_client.get(PICKER).json()
    assert (data["count"], data["page"], data["pages"]) == (2, 1, 1)
    first, second = data["images"]  # newest first
    assert second["id"] == photo.pk
    assert (second["width"], second["height"]) == (1200, 800)
    assert second["name"] == photo.file.name.rsplit("/", 1)[-1]
    assert second["name"].startswith("harbour-")
    assert second["alt"] == "Boats in [the] harbour"
    assert second["caption"] == "Morning light"
    assert second["markdown"] == f"![Boats in \\[the\\] harbour]({photo.file.url})"
    small = next(r for r in photo.renditions if r["format"] == "JPEG" and r["width"] == 480)
    assert second["thumbnail"] == photo.file.storage.url(small["name"])
    assert sorted((use["title"], use["cover"], use["url"]) for use in second["used_in"]) == [
        ("A walk by the sea", False, reverse("admin:posts_entry_change", args=[in_body.pk])),
        ("Harbour notes", True, reverse("admin:posts_entry_change", args=[as_cover.pk])),
    ]
    assert second["hidden_uses"] == 0
    assert first["id"] == unused.pk
    assert (first["decorative"], first["used_in"], first["markdown"]) == (
        True, [], f"![]({unused.file.url})"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lighthouse", ["Lighthouse at dusk"]),
        ("LIGHTHOUSE dusk", ["Lighthouse at dusk"]),
        ("storm", ["Waves"]),  # the caption
        ("gull", ["A bird"]),  # the file name
        ("  ", ["A bird", "Waves", "Lighthouse at dusk"]),
        ("nothing-like-this", []),
        ("lighthouse storm", []),  # every word must be found
        ("50% [x] ' OR 1=1 --", []),
    ],
)
def test_the_picker_searches_alt_text_caption_and_file_name(staff_client, query, expected):
    ImageFactory(alt_text="Lighthouse at dusk")
    ImageFactory(alt_text="Waves", caption="After the storm")
    ImageFactory(alt_text="A bird", file=ContentFile(image_bytes(), name="gull.png"))
    data = staff_client.get(PICKER, {"q": query}).json()
    assert [image["alt"] for image in data["images"]] == expected
    assert data["count"] == len(expected)


def test_the_picker_pages_through_many_pictures(staff_client):
    for number in range(30):
        ImageFactory(alt_text=f"Picture {number}")
    first = staff_client.get(PICKER).json()
    assert (first["count"], first["pages"], len(first["images"])) == (30, 2, 24)
    assert first["images"][0]["alt"] == "Picture 29"
    second = staff_client.get(PICKER, {"page": 2}).json()
    expected = [f"Picture {n}" for n in range(5, -1, -1)]
    assert [image["alt"] for image in second["images"]] == expected
    # A page that is not a number or out of range gives the nearest page, never an error.
    assert staff_client.get(PICKER, {"page": "two"}).json()["page"] == 1
    assert staff_client.get(PICKER, {"page": "99"}).json()["page"] == 2


@pytest.mark.parametrize("pictures", [3, 30])
def test_the_picker_reads_a_fixed_number_of_queries(
    staff_client, django_assert_num_queries, pictures
):
    images = [ImageFactory() for _ in range(pictures)]
    body = "\n\n".join(f"![]({image.file.url})" for image in images)
    EntryFactory(body=body, cover=images[0])
    EntryFactory(body=body, cover=images[-1])
    # Session, user, count, the page of pictures, the entries showing them, their covers.
    with django_assert_num_queries(6):
        data = staff_client.get(PICKER).json()
    assert len(data["images"]) == min(pictures, 24)
    assert all(len(image["used_in"]) == 2 for image in data["images"])


def test_only_staff_who_may_write_entries_browse_pictures(client, author_client):
    ImageFactory()
    assert client.get(PICKER).status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert client.get(PICKER).status_code == 302
    client.force_login(UserFactory(username="staff-only", is_staff=True))
    response = client.get(PICKER)
    assert response.status_code == 403
    assert response.json() == {"error": "You may not browse pictures."}
    assert author_client.get(PICKER).json()["count"] == 1


def test_the_picker_names_only_entries_the_user_may_open(author, author_client):
    picture = ImageFactory()
    EntryFactory(title="Mine", author=author, body=f"![]({picture.file.url})")
    EntryFactory(title="A colleague's draft", status="draft", cover=picture)
    (image,) = author_client.get(PICKER).json()["images"]
    assert [use["title"] for use in image["used_in"]] == ["Mine"]
    assert image["hidden_uses"] == 1


def test_the_image_page_shows_its_markdown_to_copy(staff_client):
    image = ImageFactory(alt_text="A <blue> square & more")
    page = staff_client.get(reverse("admin:posts_image_change", args=[image.pk]))
    html = page.content.decode()
    expected = f"![A \\<blue\\> square \\& more]({image.file.url})"
    assert f'value="{escape(expected)}"' in html
    assert 'aria-label="Markdown for this picture"' in html
    assert ">Copy</button>" in html
    adding = staff_client.get(ADD_IMAGE).content.decode()
    assert "Shown once the picture is saved." in adding
