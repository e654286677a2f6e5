"""Pictures a source names: checked, written to storage in threads, found again by their bytes.

Readers check a picture (check_picture) and write it into a body (markdown_picture); the
writer finds or makes the Image of each (Pictures), cleaning and resizing new ones in threads.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File

from posts.imagefiles.processing import check_image_file
from posts.importers.records import ImageRef, Post, Report
from posts.models import Image, file_sha256

NEW_IMAGE_URL = "(new picture: {})"
PICTURE_THREADS = min(os.cpu_count() or 1, 8)


def markdown_picture(src: str, alt: str = "", caption: str = "") -> str:
    """Return a Markdown picture; a caption becomes its title (the figure's caption)."""
    alt = " ".join(alt.split()).replace("]", "\\]")
    caption = " ".join(caption.split()).replace('"', "'")
    return f'![{alt}]({src} "{caption}")' if caption else f"![{alt}]({src})"


def check_picture(path: Path) -> str | None:
    """Return why a local picture cannot be imported, or None if it can."""
    try:
        with path.open("rb") as handle:
            check_image_file(handle, size=path.stat().st_size)
    except OSError as err:
        return f"cannot read {path.name}: {err.strerror or err}"
    except ValidationError as err:
        return f"{path.name}: {' '.join(err.messages)}"
    return None


class Pictures:
    """The Images of one import's pictures: found by their bytes, or made (not in a dry run)."""

    def __init__(self, *, dry_run: bool, report: Report):
        self.dry_run = dry_run
        self.report = report
        self._images: dict[Path, Image | None] = {}
        self._stored_files: list[Image] = []
        self._planned: set[str] = set()  # a dry run's new pictures, by their bytes

    def make(self, posts: list[Post]) -> None:
        """Find or make the Images of a batch's pictures, cleaning and resizing in threads.

        Each new picture's files are written by a thread (Pillow and the disk let go of the
        GIL: two threads made 600 small pictures in 0.55-0.64 of one thread's time); the rows
        are saved here, in the import's transaction. A dry run looks pictures up in image().
        """
        refs = {}
        for post in posts:
            for ref in [*post.images, *([post.cover] if post.cover else [])]:
                if ref.path not in self._images:
                    refs.setdefault(ref.path, ref)
        if not self.dry_run and refs:
            self._make_images(refs)

    def _make_images(self, refs: dict[Path, ImageRef]) -> None:
        with ThreadPoolExecutor(PICTURE_THREADS) as threads:
            digests = dict(zip(refs, threads.map(_path_sha256, refs), strict=True))
            found = {}
            wanted = list(set(digests.values()))
            for start in range(0, len(wanted), 500):
                for image in Image.objects.filter(sha256__in=wanted[start : start + 500]):
                    found.setdefault(image.sha256, image)  # newest first, as with_bytes
            new = {}  # digest -> (path, future): one Image for files with the same bytes
            made, failure = {}, None
            try:
                for path, ref in refs.items():
                    image = found.get(digests[path]) or self._exported_image(ref)
                    if image is not None:
                        self._images[path] = image
                        self.report.images_reused += 1
                    elif digests[path] not in new:
                        new[digests[path]] = (path, threads.submit(_stored_picture, ref))
            finally:
                # Every file a thread wrote is known, to be removed if the import fails.
                for digest, (_path, future) in new.items():
                    try:
                        made[digest] = future.result()
                        self._stored_files.append(made[digest])
                    except Exception as err:
                        failure = failure or err
        if failure is not None:
            raise failure
        for digest, image in made.items():
            image.save()
            self._images[new[digest][0]] = image
            self.report.images_new += 1
        for path in refs.keys() - self._images.keys():  # the same bytes as a new picture
            self._images[path] = made[digests[path]]
            self.report.images_reused += 1

    def image(self, ref: ImageRef) -> Image | None:
        """Return the Image for a local file; in a dry run, None for one the import would add."""
        if ref.path in self._images:
            return self._images[ref.path]
        if not self.dry_run:
            self._make_images({ref.path: ref})
            return self._images[ref.path]
        # Only looked up: files with the same bytes would be one new picture, as in a real run.
        digest = _path_sha256(ref.path)
        image = Image.objects.filter(sha256=digest).first() or self._exported_image(ref)
        planned = image is None and digest in self._planned
        self._planned.add(digest)
        self.report.images_new += image is None and not planned
        self.report.images_reused += image is not None or planned
        self._images[ref.path] = image
        return image

    def _exported_image(self, ref: ImageRef) -> Image | None:
        """Return the Image our export wrote this file from, if it is here with these bytes."""
        # An Image is known by its upload's bytes; a phone photo is stored re-encoded (upright,
        # without EXIF), and the export holds those stored bytes: by them it is not found.
        image = Image.objects.filter(file=ref.stored_name).first() if ref.stored_name else None
        if image is None:
            return None
        try:
            with image.file.open("rb") as stored:
                same = stored.read() == ref.path.read_bytes()
        except OSError:
            return None
        return image if same else None

    def url(self, ref: ImageRef) -> str:
        """Return the picture's address for a body; a placeholder for a dry run's new one."""
        image = self.image(ref)
        return image.file.url if image is not None else NEW_IMAGE_URL.format(ref.path.name)

    def pk(self, ref: ImageRef | None) -> int | None:
        """Return the id of the picture's Image; None for no picture or a dry run's new one."""
        image = self.image(ref) if ref else None
        return image.pk if image is not None else None

    def forget_stored_files(self) -> None:
        """The transaction is gone: remove the picture files it wrote, so nothing is left over."""
        for image in self._stored_files:
            storage = image.file.storage
            for name in [image.file.name, *(r["name"] for r in image.renditions)]:
                storage.delete(name)

    def by_name(self) -> dict[str, Image]:
        """Return the Images found or made so far, by their stored file's name."""
        return {image.file.name: image for image in self._images.values() if image is not None}


def _path_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return file_sha256(handle)


def _stored_picture(ref: ImageRef) -> Image:
    """Return an unsaved Image whose files are in storage (run in a thread: no queries)."""
    image = Image(
        alt_text=ref.alt[:300], caption=ref.caption[:500], credit=ref.credit[:200],
        decorative=ref.decorative,
    )  # fmt: skip
    with ref.path.open("rb") as handle:
        image.store_file(File(handle, name=ref.path.name), ref.path.name)
    return image
