import os
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from taggit.models import Tag

from posts.models import Entry, Image, Redirect
from tests.factories import EntryFactory, ImageFactory, UserFactory, image_bytes
from tests.test_image_files import phone_photo

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Everything an entry is, with pictures by their bytes rather than their stored names."""
    state = {}
    for entry in Entry.objects.select_related("author", "cover").prefetch_related("tags"):
        body = entry.body
        pictures = {}
        for image in Image.objects.all():
            with image.file.open("rb") as handle:
                data = handle.read()
            if image.file.url in body:
                body = body.replace(image.file.url, f"<picture {image.sha256}>")
            pictures[image.sha256] = (data, image.alt_text, image.caption, image.credit)
        state[entry.slug] = {
            "title": entry.title,
            "body": body,
            "excerpt": entry.excerpt,
            "status": entry.status,
            "published_at": entry.published_at,
            "created_at": entry.created_at,
            "updated_at": entry.updated_at,
            "author": (entry.author.username, entry.author.get_full_name(), entry.author.email),
            "tags": sorted(entry.tags.names()),
            "cover": entry.cover and pictures[entry.cover.sha256],
            "pictures": sorted(pictures[image.sha256] for image in entry.images.all()),
            "redirects": sorted(entry.redirects.values_list("old_path", flat=True)),
        }
    return state


# The export folder itself, or its posts/ folder: its pictures and _redirects lie beside.
@pytest.mark.parametrize("imported", ["", "posts"])
def test_export_then_import_into_an_empty_database_gives_every_entry_back(
    tmp_path, media_root, imported
):
    writer = UserFactory(username="ada.l", first_name="Ada", last_name="Lovelace")
    cover = ImageFactory(alt_text="A field", caption="Spring", credit="Me, CC BY")
    shown = Image.objects.create(
        file=ContentFile(image_bytes(size=(300, 200), fmt="JPEG"), name="talk.jpg"),
        alt_text="The speaker",
    )
    now = timezone.now().replace(microsecond=123456)
    talk = EntryFactory(
        title="FOSDEM: what we saw — «ünïcode»",
        author=writer,
        body=f"Intro.\r\n\r\n![]({shown.file.url})\r\n\r\n{{{{ kept }}}} and {{% raw %}}\r\n",
        excerpt="Two days in Brussels.",
        cover=cover,
        tags=["fosdem", "Talks"],
        published_at=now - timedelta(days=400),
    )
    Redirect.objects.create(old_path="/2014/02/fosdem.html", entry=talk)
    Redirect.objects.create(old_path="/?p=12", entry=talk)
    Redirect.objects.create(old_path="/category/talks/", target="/tags/talks/")
    EntryFactory(title="Unfinished", status=Entry.Status.DRAFT, published_at=None, author=writer)
    EntryFactory(
        title="Two  spaces, kept",
        slug="Upper-Case",
        excerpt="Ends with a new line\n",
        body=f"[The report](/media/files/report.pdf) and [the talk]({shown.file.url}).",
        tags=["Foo  Bar"],
        author=UserFactory(username="grace", first_name="", last_name="", email="g@example.org"),
    )
    EntryFactory(title="Next week", published_at=now + timedelta(days=7), author=writer)
    Entry.objects.filter(pk=talk.pk).update(
        created_at=now - timedelta(days=401), updated_at=now - timedelta(days=2)
    )
    before = snapshot()

    out = StringIO()
    call_command("export_markdown", str(tmp_path / "out"), stdout=out)
    assert "Wrote 4 entries (0 already there), 2 pictures" in out.getvalue()
    assert (tmp_path / "out" / "_redirects").read_text().count(" 301\n") == 3

    Entry.objects.all().delete()
    Image.objects.all().delete()
    Tag.objects.all().delete()
    Redirect.objects.all().delete()
    get_user_model().objects.all().delete()
    for path in sorted(media_root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()

    call_command("import_markdown", str(tmp_path / "out" / imported), stdout=StringIO())
    assert snapshot() == before
    assert Redirect.objects.get(old_path="/category/talks/").target == "/tags/talks/"

    again = StringIO()
    call_command("import_markdown", str(tmp_path / "out" / imported), stdout=again)
    assert "Entries created: 0, updated: 0, unchanged: 4" in again.getvalue()


def test_an_export_refreshes_in_place(tmp_path):
    first = EntryFactory(title="First")
    EntryFactory(title="Second")
    call_command("export_markdown", str(tmp_path), stdout=StringIO())
    first.delete()
    call_command("export_markdown", str(tmp_path), stdout=StringIO())
    assert [p.name.split("-", 3)[-1] for p in (tmp_path / "posts").glob("*.md")] == ["second.md"]


def test_an_export_leaves_the_files_of_unchanged_entries_alone(tmp_path):
    kept, changed = EntryFactory(title="Kept"), EntryFactory(title="Changed")
    call_command("export_markdown", str(tmp_path), stdout=StringIO())
    files = {p.name: p for p in (tmp_path / "posts").glob("*.md")}
    for path in files.values():
        os.utime(path, (1_000_000_000, 1_000_000_000))  # 2001: any rewrite would move it
    changed.body = "A new body."
    changed.save()

    out = StringIO()
    call_command("export_markdown", str(tmp_path), stdout=out)

    assert "Wrote 2 entries (1 already there)" in out.getvalue()
    mtimes = {name: path.stat().st_mtime for name, path in files.items()}
    assert mtimes[next(n for n in files if kept.slug in n)] == 1_000_000_000
    assert mtimes[next(n for n in files if changed.slug in n)] > 1_000_000_000
    assert (
        (tmp_path / "posts" / next(n for n in files if changed.slug in n))
        .read_text("utf-8")
        .endswith("A new body.")
    )


def test_an_export_dry_run_writes_nothing(tmp_path):
    EntryFactory()
    out = StringIO()
    call_command("export_markdown", str(tmp_path / "out"), "--dry-run", stdout=out)
    assert "Would write 1 entries" in out.getvalue() and not (tmp_path / "out").exists()


def test_an_undated_draft_whose_slug_starts_with_a_date_stays_undated_and_apart(
    tmp_path, media_root
):
    day = timezone.now() - timedelta(days=3)
    EntryFactory(title="Hello", slug="hello", published_at=day)
    EntryFactory(
        title="A plan", slug=f"{timezone.localtime(day):%Y-%m-%d}-hello", status=Entry.Status.DRAFT,
        published_at=None,
    )  # fmt: skip
    before = snapshot()
    call_command("export_markdown", str(tmp_path / "out"), stdout=StringIO())
    assert len(list((tmp_path / "out" / "posts").glob("*.md"))) == 2
    Entry.objects.all().delete()
    call_command("import_markdown", str(tmp_path / "out"), stdout=StringIO())
    assert snapshot() == before


def test_accounts_that_differ_in_case_or_share_an_email_stay_apart(tmp_path, media_root):
    EntryFactory(title="One", author=UserFactory(username="Bob", email="bob@example.org"))
    EntryFactory(title="Two", author=UserFactory(username="bob", email="bob@example.org"))
    EntryFactory(title="Three", author=UserFactory(username="robert", email="bob@example.org"))
    before = snapshot()
    call_command("export_markdown", str(tmp_path / "out"), stdout=StringIO())
    out = StringIO()
    call_command("import_markdown", str(tmp_path / "out"), stdout=out)
    assert "created: 0, updated: 0, unchanged: 3" in out.getvalue()
    Entry.objects.all().delete()
    get_user_model().objects.all().delete()
    call_command("import_markdown", str(tmp_path / "out"), stdout=StringIO())
    assert snapshot() == before


def test_an_export_removes_the_pictures_no_entry_shows_any_more(tmp_path, media_root):
    kept = ImageFactory()
    dropped = ImageFactory(file=ContentFile(image_bytes(colour=(9, 9, 9)), name="old.png"))
    EntryFactory(title="Kept", cover=kept)
    gone = EntryFactory(title="Gone", cover=dropped)
    call_command("export_markdown", str(tmp_path), stdout=StringIO())
    assert (tmp_path / "media" / dropped.file.name).is_file()
    gone.delete()
    out = StringIO()
    call_command("export_markdown", str(tmp_path), stdout=out)
    assert "0 pictures (1 already there)" in out.getvalue()
    media = tmp_path / "media"
    assert [path.relative_to(media).as_posix() for path in media.rglob("*.*")] == [kept.file.name]


def test_a_photo_stored_re_encoded_is_found_again_when_its_export_comes_back(tmp_path):
    photo = Image.objects.create(file=ContentFile(phone_photo(), name="p.jpg"), alt_text="Us")
    EntryFactory(title="Trip", cover=photo, body=f"![Us]({photo.file.url})")
    call_command("export_markdown", str(tmp_path / "out"), stdout=StringIO())
    for _ in range(2):
        out = StringIO()
        call_command("import_markdown", str(tmp_path / "out" / "posts"), stdout=out)
        assert "created: 0, updated: 0, unchanged: 1" in out.getvalue()
        assert "Pictures added: 0, already here: 1" in out.getvalue()
    assert Image.objects.get() == photo


def test_a_picture_with_a_non_ascii_name_keeps_its_alt_text_caption_and_credit(
    tmp_path, media_root
):
    name = "café.png"  # its address in the body is percent-encoded
    shown = Image.objects.create(
        file=ContentFile(image_bytes(), name=name), alt_text="Cups", caption="Paris", credit="Me"
    )
    EntryFactory(title="Coffee", body=f"![]({shown.file.url})")
    before = snapshot()
    call_command("export_markdown", str(tmp_path / "out"), stdout=StringIO())
    Entry.objects.all().delete()
    Image.objects.all().delete()
    call_command("import_markdown", str(tmp_path / "out"), stdout=StringIO())
    assert snapshot() == before


def test_a_body_linking_more_files_than_a_query_may_hold_is_exported(tmp_path):
    # A query may hold 250,000 values in SQLite here and 65,535 in PostgreSQL; one query
    # for every /media/ name of a body failed past that. The test lowers SQLite's limit.
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("lowers SQLite's own limit")
    image = ImageFactory()
    links = " ".join(f"[f](/media/files/{number}.pdf)" for number in range(1_500))
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        EntryFactory(title="Linked", body=f"{links}\n\n![shown]({image.file.url})\n")
        call_command("export_markdown", str(tmp_path), stdout=StringIO())
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    (exported,) = (tmp_path / "posts").glob("*.md")
    assert "](../media/" in exported.read_text() and "/media/files/1499.pdf" in exported.read_text()
