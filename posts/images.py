"""Pictures: uploads checked by decoding them, cleaned of metadata, and resized renditions.

Pillow is imported where a picture is opened, not with this module: the workers that only
serve pages never open one, and Pillow is 3.4 MB of each worker's memory.
"""

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass
from functools import cache
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from PIL import Image as PILImage

log = logging.getLogger(__name__)

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


def check_image_file(fileobj: IO[bytes], size: int | None = None) -> tuple[str, int, int]:
    """Return (format, width, height) of an image file, or raise ValidationError saying why not.

    Refuses files over BLOGSITE_MAX_UPLOAD_MB, files that are not JPEG, PNG, GIF or WebP,
    truncated or damaged files, and pictures over BLOGSITE_MAX_IMAGE_PIXELS (bombs).
    """
    max_mb = settings.BLOGSITE_MAX_UPLOAD_MB
    if size is not None and size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": size / 1024 / 1024, "limit": max_mb},
            code="too_large",
        )
    from PIL import Image as PILImage

    max_pixels = settings.BLOGSITE_MAX_IMAGE_PIXELS
    _refuse_what_pillow_calls_bombs()
    fileobj.seek(0)
    try:
        with PILImage.open(fileobj) as image:
            fmt, (width, height) = image.format, image.size
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError(
                    _("%(format)s pictures are not accepted; use JPEG, PNG, GIF or WebP.")
                    % {"format": fmt},
                    code="format",
                )
            if width * height > max_pixels:
                raise _too_many_pixels(width, height, max_pixels)
            image.verify()
            # verify() leaves the image unusable, and misses truncated pixel data: decode it all.
            fileobj.seek(0)
            with PILImage.open(fileobj) as image:
                image.load()
    except ValidationError:
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as err:
        raise ValidationError(
            _("The picture is too large to open safely (a decompression bomb)."), code="bomb"
        ) from err
    except PILImage.UnidentifiedImageError as err:
        raise ValidationError(
            _("The file is not a picture we can read; use JPEG, PNG, GIF or WebP."),
            code="not_image",
        ) from err
    except Exception as err:  # Pillow raises many kinds of error on damaged files.
        log.info("Refused a damaged image upload: %r", err)
        raise ValidationError(
            _("The picture is damaged or cut short, and cannot be read."), code="damaged"
        ) from err
    finally:
        fileobj.seek(0)
    return fmt, width, height


@cache
def _refuse_what_pillow_calls_bombs() -> None:
    """Make Pillow's warning of a decompression bomb an error, once for the whole process.

    Not with warnings.catch_warnings() around each check: that swaps the process's filters
    and puts them back, and pictures are checked in several threads at once during imports.
    """
    from PIL import Image as PILImage

    warnings.filterwarnings("error", category=PILImage.DecompressionBombWarning)


def _too_many_pixels(width: int, height: int, limit: int) -> ValidationError:
    return ValidationError(
        _("The picture is %(w)d×%(h)d pixels; the limit is %(mp)d megapixels.")
        % {"w": width, "h": height, "mp": limit // 1_000_000},
        code="too_many_pixels",
    )


def validate_image_upload(value) -> None:
    """Model field validator: check a new upload; a file already stored was checked before."""
    if getattr(value, "_committed", True):
        return
    check_image_file(value.file, size=value.size)


# Rendition widths in CSS pixels' worth of image: a phone, a phone at 2x or a laptop,
# a wide screen at 2x. Never larger than the upload.
RENDITION_WIDTHS = (480, 960, 1600)
# Pillow's save() options per format; WebP at 80 is about JPEG 85 at two-thirds the bytes.
SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80, "method": 4},
    "GIF": {},
}
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "icc_profile")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True)
class CleanImage:
    """An upload made safe to serve: turned upright, metadata gone but the colour profile."""

    data: bytes
    format: str
    width: int
    height: int
    sha256: str  # of the bytes as uploaded, so the same upload is recognised again


# What a decoder reports of a file with nothing personal in it (what _encode writes, and
# what most editors' "export for web" writes): such a file is stored as it is.
PLAIN_INFO = {
    "JPEG": {"jfif", "jfif_density", "jfif_unit", "jfif_version", "progression", "progressive",
             "dpi", "adobe", "adobe_transform", "icc_profile"},
    "PNG": {"dpi", "gamma", "srgb", "transparency", "icc_profile", "chromaticity", "aspect"},
    "WEBP": {"background", "loop", "duration", "icc_profile"},
    "GIF": {"background", "version", "duration", "loop", "transparency", "extension"},
}  # fmt: skip
# The last bytes of each format: anything after them (a polyglot's payload) means re-encoding.
ENDINGS = {"JPEG": b"\xff\xd9", "PNG": b"IEND\xaeB`\x82", "GIF": b";"}


def is_plain(image: "PILImage.Image", fmt: str, data: bytes) -> bool:
    """Return True if a file holds a picture and nothing else: no EXIF, no XMP, no trailer."""
    if set(image.info) - PLAIN_INFO[fmt] or image.getexif():
        return False
    if fmt == "WEBP":
        return data[:4] == b"RIFF" and int.from_bytes(data[4:8], "little") + 8 == len(data)
    return data.endswith(ENDINGS[fmt])


def clean_image(fileobj: IO[bytes], size: int | None = None) -> CleanImage:
    """Check an upload, apply its EXIF orientation and re-encode it without EXIF, GPS or XMP.

    A file that is already plain is kept byte for byte: re-encoding it would only lose quality
    (and an exported picture, imported again, comes back the same).
    """
    from PIL import Image as PILImage
    from PIL import ImageOps

    fmt, _width, _height = check_image_file(fileobj, size=size)
    original = fileobj.read()
    fileobj.seek(0)
    with PILImage.open(io.BytesIO(original)) as image:
        if is_plain(image, fmt, original):
            return CleanImage(original, fmt, image.width, image.height, _sha256(original))
        if fmt == "GIF":
            # Animated GIFs keep every frame; GIF carries no EXIF and no GPS.
            data = _encode(image, "GIF", save_all=getattr(image, "is_animated", False))
            return CleanImage(data, fmt, image.width, image.height, _sha256(original))
        icc_profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
        data = _encode(upright, fmt, icc_profile=icc_profile)
        return CleanImage(data, fmt, upright.width, upright.height, _sha256(original))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _encode(
    image: "PILImage.Image", fmt: str, icc_profile: bytes | None = None, **options
) -> bytes:
    """Encode a picture with no metadata at all, except an ICC profile when given."""
    if fmt == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    # Some encoders copy metadata from image.info on their own (WebP its EXIF and XMP, GIF
    # its comment): take it out, keeping what animation needs (duration, loop, transparency).
    for key in METADATA_KEYS:
        image.info.pop(key, None)
    options["exif"] = b""
    if icc_profile:
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **SAVE_OPTIONS[fmt], **options)
    return buffer.getvalue()


def target_widths(width: int) -> list[int]:
    """Return the rendition widths for a picture: the standard ones below it, then its own."""
    widths = [w for w in RENDITION_WIDTHS if w < width]
    return list(dict.fromkeys([*widths, min(width, RENDITION_WIDTHS[-1])]))


def make_renditions(
    source: IO[bytes], stem: str, storage: Storage, written: list[str] | None = None
) -> list[dict]:
    """Write WebP and same-format renditions of a clean picture; return their descriptions.

    A narrower rendition that would weigh more than a wider one of its format is left out
    (flat drawings resized gain colours and bytes): the browser takes the wider one instead.
    Animated GIFs get none: resizing would drop their frames, so the page uses the file.
    Each name is added to written once its file is, for a caller to remove if one fails.
    """
    from PIL import Image as PILImage

    with PILImage.open(source) as image:
        if image.format == "GIF":
            return []
        image.load()
        icc_profile = image.info.get("icc_profile")
        lanczos = PILImage.Resampling.LANCZOS
        encoded = {}
        for width in reversed(target_widths(image.width)):
            height = max(1, round(image.height * width / image.width))
            resized = image if width == image.width else image.resize((width, height), lanczos)
            for fmt in dict.fromkeys(["WEBP", image.format]):
                data = _encode(resized, fmt, icc_profile=icc_profile)
                wider = encoded.get(fmt, [])
                if not wider or len(data) < len(wider[-1][2]):
                    encoded.setdefault(fmt, []).append((width, height, data))
    renditions = []
    for fmt, sizes in encoded.items():
        for width, height, data in sizes:
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
