"""An import's pictures (posts/importers/pictures.py): made once, in threads, never left over."""

import contextlib
import io
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, Storage
from django.core.management import call_command

from posts.importers import pictures
from posts.importers.records import ImageRef, Post
from posts.importers.writer import Importer
from posts.models import Entry, Image
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db


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
    monkeypatch.setattr(pictures, "PICTURE_THREADS", 2)
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


def test_a_picture_bomb_is_reported_by_name_and_the_import_goes_on(tmp_path, media_root):
    from tests.imagefiles.bombs import gif_bomb

    site = tmp_path / "_posts"
    site.mkdir()
    (site / "bomb.gif").write_bytes(gif_bomb(7000, 7000, frames=10))
    (site / "fine.png").write_bytes(image_bytes(size=(40, 30)))
    (site / "2020-01-01-pictures.md").write_text(
        "---\ntitle: Pictures\n---\n![a bomb](bomb.gif)\n\n![fine](fine.png)\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("import_markdown", str(site), stdout=out)

    assert "picture not imported, address kept: bomb.gif: The animation is 7000×7000" in (
        out.getvalue()
    )
    entry = Entry.objects.get(slug="pictures")
    assert "bomb.gif" in entry.body
    assert [image.file.name.rsplit("/", 1)[-1][:5] for image in Image.objects.all()] == ["fine-"]
