"""A Webmention author's photo, copied here small: readers' browsers never ask another site
(the CSP allows only this site's pictures, and a third party would learn who reads what).

The photo is fetched through outbound.fetch (a small size limit), its header checked before
any pixel is decoded, shrunk to AVATAR_SIZE and stored as WebP in the default storage.
"""

import hashlib
import io
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from outbound.fetch import FetchRefused, fetch

log = logging.getLogger(__name__)

AVATAR_SIZE = 64
MAX_BYTES = 512 * 1024
MAX_PIXELS = 4096 * 4096  # checked from the header, before decoding


def copy_photo(url: str) -> str:
    """Return the stored name of a small copy of the picture at url, or "" if there is none."""
    from PIL import Image, UnidentifiedImageError

    if not url:
        return ""
    try:
        fetched = fetch(url, max_bytes=MAX_BYTES, headers={"Accept": "image/*"})
    except FetchRefused as err:
        log.info("Webmention photo %s not fetched: %s", url, err)
        return ""
    if fetched.status != 200 or fetched.truncated:
        return ""
    try:
        with Image.open(io.BytesIO(fetched.body)) as picture:
            width, height = picture.size
            if width * height > MAX_PIXELS or picture.format not in {"JPEG", "PNG", "GIF", "WEBP"}:
                return ""
            picture.draft("RGB", (AVATAR_SIZE * 2, AVATAR_SIZE * 2))
            small = picture.convert("RGB")
            small.thumbnail((AVATAR_SIZE, AVATAR_SIZE))
            out = io.BytesIO()
            small.save(out, "WEBP", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return ""
    name = f"comments/photos/{hashlib.sha256(url.encode()).hexdigest()[:32]}.webp"
    if default_storage.exists(name):
        default_storage.delete(name)  # the same address, perhaps a new picture
    return default_storage.save(name, ContentFile(out.getvalue()))
