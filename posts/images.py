"""Checking uploaded pictures: decoded by Pillow, never trusted by name or content type."""

import logging
import warnings
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
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
    max_pixels = settings.BLOGSITE_MAX_IMAGE_PIXELS
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
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
