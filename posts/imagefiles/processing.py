"""Pictures: uploads checked by decoding them, cleaned of metadata, and resized renditions.

The decoding and encoding is done by posts.imagefiles.work in a child process bounded by
posts.imagefiles.sandbox; this module turns its answers into ValidationErrors worded for
authors, and renditions into files in storage. The site's process never opens a picture.
"""

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.translation import gettext as _

from posts.imagefiles import sandbox
from posts.imagefiles.work import (  # noqa: F401 (the names other modules know from here)
    ALLOWED_FORMATS,
    EXTENSIONS,
    RENDITION_WIDTHS,
    target_widths,
)

log = logging.getLogger(__name__)

MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True)
class CleanImage:
    """An upload made safe to serve: turned upright, metadata gone but the colour profile."""

    data: bytes
    format: str
    width: int
    height: int
    sha256: str  # of the bytes as uploaded, so the same upload is recognised again


def check_image_file(fileobj: IO[bytes], size: int | None = None) -> tuple[str, int, int]:
    """Return (format, width, height) of an image file, or raise ValidationError saying why not.

    Refuses files over BLOGSITE_MAX_UPLOAD_MB, files that are not JPEG, PNG, GIF or WebP,
    truncated or damaged files, pictures over BLOGSITE_MAX_IMAGE_PIXELS (counting every frame
    of an animation) or BLOGSITE_MAX_IMAGE_FRAMES, and pictures that cannot be cleaned within
    BLOGSITE_IMAGE_CPU_SECONDS and BLOGSITE_IMAGE_MEMORY_MB. The width and height are the
    picture's once turned upright.
    """
    clean = clean_image(fileobj, size=size)
    return clean.format, clean.width, clean.height


def validate_image_upload(value) -> None:
    """Model field validator: check a new upload; a file already stored was checked before."""
    if getattr(value, "_committed", True):
        return
    check_image_file(value.file, size=value.size)


def clean_image(fileobj: IO[bytes], size: int | None = None) -> CleanImage:
    """Check an upload, apply its EXIF orientation and re-encode it without EXIF, GPS or XMP.

    Raise ValidationError saying why not (see check_image_file). The work is done once per
    upload: a form checks the file, then the model stores it, with the same bytes.
    """
    max_mb = settings.BLOGSITE_MAX_UPLOAD_MB
    if size is not None and size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": size / 1024 / 1024, "limit": max_mb},
            code="too_large",
        )
    fileobj.seek(0)
    original = fileobj.read(max_mb * 1024 * 1024 + 1)
    fileobj.seek(0)
    if len(original) > max_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is over the limit of %(limit)d MB.") % {"limit": max_mb}, code="too_large"
        )
    digest = hashlib.sha256(original).hexdigest()
    key = (digest, tuple(sandbox.limits().values()))
    found = _recent.get(key)
    if found is not None:
        return found
    try:
        answer = sandbox.run("clean", original)
    except sandbox.Refused as refusal:
        raise _refusal_error(refusal) from None
    fields = answer.fields
    clean = CleanImage(answer.files[0], fields["format"], fields["width"], fields["height"], digest)
    _recent.put(key, clean)
    return clean


class _RecentlyCleaned:
    """The last few pictures cleaned, so a form's check and the model's save decode once."""

    def __init__(self, max_bytes: int = 48 * 1024 * 1024, max_items: int = 8) -> None:
        self.max_bytes, self.max_items = max_bytes, max_items
        self.items: OrderedDict[tuple, CleanImage] = OrderedDict()
        self.lock = threading.Lock()  # the importer cleans pictures in threads

    def get(self, key: tuple) -> CleanImage | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
            return self.items.get(key)

    def put(self, key: tuple, clean: CleanImage) -> None:
        with self.lock:
            self.items[key] = clean
            while len(self.items) > self.max_items or (
                len(self.items) > 1
                and sum(len(c.data) for c in self.items.values()) > self.max_bytes
            ):
                self.items.popitem(last=False)


_recent = _RecentlyCleaned()


def _refusal_error(refusal: sandbox.Refused) -> ValidationError:
    """Return the ValidationError, worded for an author, for what the child refused."""
    code, params = refusal.code, refusal.params
    if code == "format":
        message = _("%(format)s pictures are not accepted; use JPEG, PNG, GIF or WebP.") % params
    elif code == "too_many_frames" and params["frames"] == params["limit"] + 1:
        message = _("The animation has more than %(limit)d frames, our limit.") % params
    elif code == "too_many_frames":
        message = _("The animation has %(frames)d frames; the limit is %(limit)d.") % params
    elif code == "too_many_pixels" and params["frames"] > 1:
        message = _(
            "The animation is %(w)d×%(h)d pixels in %(frames)d frames, %(mp)d megapixels in "
            "all; the limit is %(limit)d megapixels."
        ) % {
            "w": params["width"],
            "h": params["height"],
            "frames": params["frames"],
            "mp": params["width"] * params["height"] * params["frames"] // 1_000_000,
            "limit": params["limit"] // 1_000_000,
        }
    elif code == "too_many_pixels":
        message = _("The picture is %(w)d×%(h)d pixels; the limit is %(mp)d megapixels.") % {
            "w": params["width"],
            "h": params["height"],
            "mp": params["limit"] // 1_000_000,
        }
    elif code == "bomb":
        message = _("The picture is too large to open safely (a decompression bomb).")
    elif code == "not_image":
        message = _("The file is not a picture we can read; use JPEG, PNG, GIF or WebP.")
    elif code == "too_costly":
        message = _(
            "The picture takes more than %(seconds)d seconds or %(mb)d MB to process; "
            "make it smaller (fewer pixels or frames) and upload it again."
        ) % {"seconds": params["cpu_seconds"], "mb": params["memory_mb"]}
    else:
        log.info("Refused a damaged image upload: %s", params.get("reason", code))
        code = "damaged"
        message = _("The picture is damaged or cut short, and cannot be read.")
    return ValidationError(message, code=code)


def make_renditions(
    source: IO[bytes], stem: str, storage: Storage, written: list[str] | None = None
) -> list[dict]:
    """Write WebP and same-format renditions of a clean picture; return their descriptions.

    Made in the bounded child (see work.renditions). A picture whose renditions cannot be
    made within the limits gets none, as an animation does: the page shows the file itself.
    Each name is added to written once its file is, for a caller to remove if one fails.
    """
    try:
        answer = sandbox.run("renditions", source.read())
    except sandbox.Refused as refusal:
        log.warning("No renditions for %s: %s %s", stem, refusal.code, refusal.params)
        return []
    renditions = []
    for (fmt, width, height), data in zip(answer.fields["renditions"], answer.files, strict=True):
        name = f"{stem}-{width}.{EXTENSIONS[fmt]}"
        if storage.exists(name):
            storage.delete(name)
        storage.save(name, ContentFile(data))
        if written is not None:
            written.append(name)
        renditions.append(
            {"name": name, "format": fmt, "width": width, "height": height, "bytes": len(data)}
        )
    return sorted(renditions, key=lambda r: (r["width"], r["format"] != "WEBP"))
