"""The importers' writer (posts/importers/base.py): what it stores, however it stores it."""

import contextlib
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, Storage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone as django_timezone

from posts.cache import content_version
from posts.importers import base
from posts.importers.base import ImageRef, Importer, Post, _create_entries, _update_entries
from posts.models import Entry, Image
from posts.search import search_entries
from tests.factories import ImageFactory, UserFactory, image_bytes

pytestmark = pytest.mark.django_db


def _unsaved(slug: str, author, cover) -> Entry:
    paris = timezone(timedelta(hours=1))
    return Entry(
        slug=slug,
        title="Café « notes »",
        author_id=author.pk,
        body="# Notes\n\nSome *text*.\n",
        body_html="<h1>Notes</h1>\n<p>Some <em>text</em>.</p>",
        body_text="Notes Some text.",
        tag_names="alpha beta",
        excerpt="",
        summary="Some text.",
        status=Entry.Status.PUBLISHED,
        published_at=datetime(2014, 3, 2, 10, 30, tzinfo=paris),
        created_at=datetime(2014, 3, 1, 8, 0, tzinfo=UTC),
        updated_at=datetime(2015, 6, 7, 8, 9, 10, 123456, tzinfo=paris),
        cover_id=cover.pk if cover else None,
        import_key=f"jekyll:{slug}.md",
        preview_token="a-token",
    )


def _stored(entries: list[Entry]) -> list[dict]:
    """Return two entries' rows as the database holds them, but for their ids and sources.

    A time must be stored as the ORM stores it (on SQLite, UTC text), not merely be read
    back as the same value.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {Entry._meta.db_table} WHERE id IN (%s, %s) ORDER BY slug",
            [entry.pk for entry in entries],
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [{k: v for k, v in row.items() if k not in ("id", "slug", "import_key")} for row in rows]


def test_new_entries_are_stored_as_bulk_create_stores_them():
    author, cover = UserFactory(), ImageFactory()
    by_orm = [_unsaved("orm-1", author, cover), _unsaved("orm-2", author, None)]
    by_rows = [_unsaved("rows-1", author, cover), _unsaved("rows-2", author, None)]
    Entry.objects.bulk_create(by_orm)
    _create_entries(by_rows)
    assert all(entry.pk and not entry._state.adding for entry in by_rows)
    assert _stored(by_rows) == _stored(by_orm)
    assert Entry.objects.get(pk=by_rows[0].pk).slug == "rows-1"  # each row got its own id


def test_changed_entries_are_stored_as_bulk_update_stores_them():
    author, cover = UserFactory(), ImageFactory()
    by_orm = [_unsaved("orm-1", author, None), _unsaved("orm-2", author, cover)]
    by_rows = [_unsaved("rows-1", author, None), _unsaved("rows-2", author, cover)]
    Entry.objects.bulk_create([*by_orm, *by_rows])
    later = datetime(2016, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5)))
    for entry in [*by_orm, *by_rows]:
        entry.title, entry.body_html, entry.tag_names = "Renamed", "<p>New</p>", "gamma"
        entry.cover_id = cover.pk if entry.cover_id is None else None
        entry.status, entry.published_at, entry.updated_at = Entry.Status.DRAFT, None, later
    names = ["title", "body_html", "tag_names", "cover_id", "status", "published_at", "updated_at"]
    Entry.objects.bulk_update(by_orm, names)
    _update_entries(by_rows, names)
    assert _stored(by_rows) == _stored(by_orm)
    assert Entry.objects.get(slug="rows-1").cover_id == cover.pk


def test_an_imported_entry_has_every_field_a_saved_one_has(tmp_path):
    for number in range(3):
        (tmp_path / f"2020-01-0{number + 1}-post-{number}.md").write_text(
            f"---\ntitle: Post {number}\ntags: [alpha, beta]\n"
            f"date: 2020-01-0{number + 1} 09:00:00 +0100\nlast_modified_at: 2020-02-01\n---\n"
            f"First paragraph of post {number}, about gardening.\n\n## More\n\nText.\n",
            encoding="utf-8",
        )
    call_command("import_markdown", str(tmp_path), stdout=None)
    entries = list(Entry.objects.order_by("slug"))
    assert [entry.slug for entry in entries] == ["post-0", "post-1", "post-2"]
    first = entries[0]
    assert first.import_key == "markdown:2020-01-01-post-0.md"
    assert first.published_at == first.created_at == datetime(2020, 1, 1, 8, 0, tzinfo=UTC)
    assert first.updated_at == datetime(2020, 2, 1, tzinfo=django_timezone.get_current_timezone())
    assert "<h2>More</h2>" in first.body_html
    assert first.body_text.startswith("First paragraph of post 0, about gardening. More")
    assert first.summary == "First paragraph of post 0, about gardening."
    assert first.tag_names == "alpha beta"
    assert sorted(first.tags.names()) == ["alpha", "beta"]
    assert len({entry.preview_token for entry in entries}) == 3 and first.preview_token
    assert first.revisions.count() == 0
    # In the search index, by its text and by its tags.
    for query in ("gardening", "alpha"):
        found = {hit.entry.slug for hit in search_entries(query)[:10]}
        assert found == {"post-0", "post-1", "post-2"}, query


def test_an_import_makes_every_cached_page_stale(tmp_path, django_capture_on_commit_callbacks):
    (tmp_path / "2020-01-01-post.md").write_text("---\ntitle: Post\n---\nText.\n", "utf-8")
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_markdown", str(tmp_path), stdout=None)
    assert content_version() != before


def _picture_post(paths: list[Path]) -> Post:
    post = Post(
        origin="pictures.md", key="markdown:pictures.md", title="Pictures", slug="pictures", body=""
    )
    post.body = "\n\n".join(
        f"![{path.stem}]({post.add_image(ImageRef(path, alt=path.stem))})" for path in paths
    )
    return post


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_pictures_are_made_once_for_each_set_of_bytes(tmp_path, media_root):
    blue, red = image_bytes(size=(700, 400)), image_bytes(size=(700, 400), colour=(200, 0, 0))
    paths = [tmp_path / name for name in ("blue.png", "also-blue.png", "red.png")]
    for path, data in zip(paths, [blue, blue, red], strict=True):
        path.write_bytes(data)

    planned = Importer(dry_run=True).run([_picture_post(paths)])
    assert not Image.objects.exists() and _files(media_root) == []
    report = Importer().run([_picture_post(paths)])

    assert (report.images_new, report.images_reused) == (2, 1)
    assert (planned.images_new, planned.images_reused) == (2, 1)  # a dry run says the same
    entry = Entry.objects.get(slug="pictures")
    blue_image, red_image = Image.objects.order_by("pk")
    assert entry.body.count(blue_image.file.url) == 2 and entry.body.count(red_image.file.url) == 1
    assert set(entry.images.all()) == {blue_image, red_image}
    for image in (blue_image, red_image):
        assert [r["width"] for r in image.renditions] == [480, 480, 700, 700]
        for name in [image.file.name, *(r["name"] for r in image.renditions)]:
            assert (media_root / name).is_file()
    assert len(_files(media_root)) == 2 * 5


def test_a_picture_that_cannot_be_made_leaves_no_file_of_the_others(tmp_path, media_root):
    paths = []
    for number in range(6):
        paths.append(tmp_path / f"picture-{number}.png")
        paths[-1].write_bytes(image_bytes(size=(600, 300), colour=(number * 40, 0, 0)))
    # Cut short after the reader checked it: the threads making the others still finish.
    paths[3].write_bytes(paths[3].read_bytes()[:-40])

    with pytest.raises(ValidationError, match="damaged or cut short"):
        Importer().run([_picture_post(paths)])

    assert _files(media_root) == []
    assert not Image.objects.exists() and not Entry.objects.exists()


class CheckThenWriteStorage(FileSystemStorage):
    """Storage as S3 with file_overwrite=False is: a free name is looked up, then written over.

    The first two pictures' lookups wait for each other (a second at most), as two threads
    asking S3 at the same moment would.
    """

    meeting = threading.Barrier(2)

    def is_name_available(self, name, max_length=None):
        return Storage.is_name_available(self, name, max_length)  # S3Storage's: exists()

    def exists(self, name):
        if name.startswith("images/") and not self.meeting.broken:
            with contextlib.suppress(threading.BrokenBarrierError):
                self.meeting.wait(timeout=1)
            self.meeting.abort()  # only the first two meet
        return super().exists(name)

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:  # no O_EXCL on S3: the last writer wins
            for chunk in content.chunks():
                out.write(chunk)
        return name


def test_pictures_of_one_name_made_at_once_keep_their_own_files(
    tmp_path, media_root, settings, monkeypatch
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.CheckThenWriteStorage"},
    }
    CheckThenWriteStorage.meeting = threading.Barrier(2)
    monkeypatch.setattr(base, "PICTURE_THREADS", 2)
    paths, sent = [], {}
    for year, colour in (("2019", (200, 0, 0)), ("2020", (0, 0, 200))):
        (tmp_path / year).mkdir()
        paths.append(tmp_path / year / "photo.png")
        sent[year] = image_bytes(size=(600, 300), colour=colour)
        paths[-1].write_bytes(sent[year])

    Importer().run([_picture_post(paths)])

    images = list(Image.objects.order_by("pk"))
    assert len({image.file.name for image in images}) == 2
    assert sorted((media_root / image.file.name).read_bytes() for image in images) == sorted(
        sent.values()
    )
    renditions = [r["name"] for image in images for r in image.renditions]
    assert len(set(renditions)) == len(renditions)


class FailingStorage(FileSystemStorage):
    """Disk storage that fails to write the last rendition of a picture, as S3 now and then."""

    def _save(self, name, content):
        if name.endswith("-480.png"):
            raise OSError("the bucket went away")
        return super()._save(name, content)


def test_a_picture_whose_renditions_cannot_be_written_leaves_no_file(
    tmp_path, media_root, settings
):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.FailingStorage"}}
    path = tmp_path / "photo.png"
    path.write_bytes(image_bytes(size=(600, 300)))

    with pytest.raises(OSError, match="the bucket went away"):
        Importer().run([_picture_post([path])])

    assert _files(media_root) == []
