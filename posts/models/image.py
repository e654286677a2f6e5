"""Pictures: uploaded once, cleaned and resized, and shown in entries."""

import base64
import hashlib
import io
import operator
import secrets
import threading
from collections.abc import Iterable
from functools import reduce
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext_lazy as _

from posts.imagefiles.processing import (
    EXTENSIONS,
    clean_image,
    make_renditions,
    validate_image_upload,
)

# A body can name more pictures than a query may hold values (250,000 in SQLite here,
# 65,535 in PostgreSQL): in one query, saving or exporting it was a database error.
LOOKUP_CHUNK = 500

# A stored name is <readable stem>-<random token>.<ext>: a picture only a draft uses is not
# found by guessing images/YYYY/MM/name.ext. The stem is cut so the whole name fits the
# field's 100 characters (a storage cuts a long name from its end: the token's end).
STEM_CHARS = 48
TOKEN_BYTES = 10  # 16 characters of base 32: 80 bits

# A storage finds a free name, then writes to it; S3 (file_overwrite=False) asks whether the
# name is taken and then uploads, so two threads storing "photo.png" at once both took the
# same name and one picture was lost. One thread at a time picks a name and writes it.
_NAMING = threading.Lock()


def file_sha256(fileobj) -> str:
    """Return the SHA-256 of a file's bytes, reading it in chunks, and rewind it."""
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1 << 20), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def unguessable_name(upload_name: str, extension: str) -> str:
    """Return the name to store an upload under: its readable stem, a random token, the type."""
    stem = PurePosixPath(upload_name).stem[:STEM_CHARS].rstrip("-_. ") or "picture"
    token = base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode().lower()
    return f"{stem}-{token}.{extension}"


class ImageQuerySet(models.QuerySet):
    def named(self, names: Iterable[str]) -> dict[str, "Image"]:
        """Map stored file names to their Images, in one query per LOOKUP_CHUNK names."""
        wanted, found = sorted(set(names)), {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = self.filter(file__in=wanted[start : start + LOOKUP_CHUNK])
            found.update({image.file.name: image for image in chunk})
        return found

    def with_bytes(self, upload) -> "Image | None":
        """Return the Image already made from exactly these uploaded bytes, or None."""
        return self.filter(sha256=file_sha256(upload)).first()

    def from_upload(self, upload, **fields) -> tuple["Image", bool]:
        """Return (image, created): the Image already holding these bytes, or a new one."""
        existing = self.with_bytes(upload)
        if existing is not None:
            return existing, False
        return self.create(file=upload, **fields), True


class Image(models.Model):
    """A picture uploaded once and used in entries, as a cover or in the body."""

    file = models.ImageField(
        upload_to="images/%Y/%m/",
        validators=[validate_image_upload],
        help_text=_("JPEG, PNG, GIF or WebP."),
    )
    alt_text = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("What the picture shows, for readers who cannot see it."),
    )
    decorative = models.BooleanField(
        default=False,
        help_text=_("Tick when the picture adds nothing to the text; it then needs no alt text."),
    )
    caption = models.CharField(max_length=500, blank=True, help_text=_("Shown under the picture."))
    credit = models.CharField(
        max_length=200, blank=True, help_text=_("Who made the picture, and its licence.")
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    sha256 = models.CharField(max_length=64, editable=False, db_index=True, blank=True)
    renditions = models.JSONField(default=list, editable=False, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    # What an entry's rendered HTML shows of a picture: a change re-renders those entries.
    RENDERED_FIELDS = ("alt_text", "decorative", "caption", "credit", "file")

    def __str__(self) -> str:
        return self.alt_text or self.file.name.rsplit("/", 1)[-1]

    def clean(self) -> None:
        if not self.alt_text.strip() and not self.decorative:
            raise ValidationError(
                {"alt_text": _("Describe the picture, or mark it as decorative.")}
            )

    @property
    def alt(self) -> str:
        """Return the alt attribute: empty for decorative pictures."""
        return "" if self.decorative else self.alt_text

    def rebuild_renditions(self) -> list[dict]:
        """Make the resized copies of the file again, removing ones no longer wanted."""
        stale = {rendition["name"] for rendition in self.renditions}
        with self.file.open("rb") as source:
            self._make_renditions(source)
        Image.objects.filter(pk=self.pk).update(renditions=self.renditions)
        if stale != {rendition["name"] for rendition in self.renditions}:
            # The entries showing it name its renditions in their stored HTML (srcset).
            for entry in self.used_in.all():
                entry.rerender()
            for page in self.shown_in_pages.all():
                page.rerender()
        self._delete_renditions(stale - {rendition["name"] for rendition in self.renditions})
        return self.renditions

    def store_file(self, upload, name: str) -> None:
        """Clean an uploaded picture and write it and its renditions to storage; save nothing.

        The slow part of adding a picture, and it touches no database: the importer runs it
        for many pictures at once in threads (Pillow lets go of the GIL while it works).
        """
        # What we store and serve is upright and carries no EXIF, GPS or XMP.
        clean = clean_image(upload, size=getattr(upload, "size", None))
        with _NAMING:
            self.file.save(
                unguessable_name(name, EXTENSIONS[clean.format]),
                ContentFile(clean.data),
                save=False,
            )
        self.sha256 = clean.sha256
        # Set here, not by ImageField's width_field: that decodes an upload as soon as a
        # form assigns it, before validation, and a decompression bomb would crash it.
        self.width, self.height = clean.width, clean.height
        written = [self.file.name]
        try:
            self._make_renditions(io.BytesIO(clean.data), written)
        except BaseException:
            # No row will name these files: a failed import or upload leaves none behind.
            for name in written:
                self.file.storage.delete(name)
            raise

    def _delete_renditions(self, names: set[str]) -> None:
        """Delete renditions this picture no longer uses, but any another one still names.

        Before their names kept the extension, photo.png and photo.jpg of one folder both
        named renditions/…/photo-480.webp: a rendition <stem>-<width>.<ext> can only be
        shared with the pictures whose file is <stem>.<anything>, read in one query.
        """
        if not names:
            return
        stems = {name.removeprefix("renditions/").rsplit("-", 1)[0] + "." for name in names}
        sharing = Image.objects.exclude(pk=self.pk).filter(
            reduce(operator.or_, (models.Q(file__startswith=stem) for stem in stems))
        )
        named = {r["name"] for image in sharing.only("renditions") for r in image.renditions}
        for name in names - named:
            self.file.storage.delete(name)

    def _make_renditions(self, source, written: list[str] | None = None) -> None:
        # The stem keeps the file's extension: photo.png and photo.jpg of one month once
        # shared "photo-480.webp", and the later picture's renditions replaced the earlier's.
        name = PurePosixPath(self.file.name)
        stem = f"renditions/{name.with_suffix('')}-{name.suffix.lstrip('.')}".rstrip("-")
        self.renditions = make_renditions(source, stem, self.file.storage, written)

    def save(self, *args, **kwargs) -> None:
        new_file = bool(self.file) and not self.file._committed
        stale = set()
        if new_file:
            stale = {rendition["name"] for rendition in self.renditions}
            self.store_file(self.file.file, self.file.name)
        before = (
            Image.objects.filter(pk=self.pk).values(*self.RENDERED_FIELDS).first()
            if self.pk
            else None
        )
        super().save(*args, **kwargs)
        self._delete_renditions(stale - {rendition["name"] for rendition in self.renditions})
        if before and (new_file or any(before[f] != getattr(self, f) for f in before)):
            for entry in self.used_in.all():
                entry.rerender()
            for page in self.shown_in_pages.all():
                page.rerender()
