import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image as PILImage

from posts.images import check_image_file
from tests.factories import image_bytes


def check(data: bytes):
    return check_image_file(io.BytesIO(data), size=len(data))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_accepts_common_formats(fmt):
    assert check(image_bytes((30, 20), fmt=fmt)) == (fmt, 30, 20)


def test_refuses_what_is_not_a_picture():
    with pytest.raises(ValidationError) as err:
        check(b"%PDF-1.7 this is not a picture")
    assert err.value.code == "not_image"


def test_refuses_a_picture_named_right_but_holding_html():
    with pytest.raises(ValidationError):
        check(b"<html><script>alert(1)</script></html>")


def test_refuses_a_truncated_picture():
    data = image_bytes((400, 300), fmt="JPEG")
    with pytest.raises(ValidationError) as err:
        check(data[: len(data) // 2])
    assert err.value.code == "damaged"


def test_refuses_a_file_over_the_size_limit(settings):
    settings.BLOGSITE_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError) as err:
        check_image_file(io.BytesIO(image_bytes()), size=2 * 1024 * 1024)
    assert err.value.code == "too_large"
    assert "limit is 1 MB" in err.value.messages[0]


def bomb_bytes(side: int = 10_000) -> bytes:
    """A tiny PNG file that opens as a side-by-side square of pixels."""
    buffer = io.BytesIO()
    PILImage.new("1", (side, side)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_refuses_a_decompression_bomb():
    data = bomb_bytes(8_000)
    assert len(data) < 100_000  # small on disk, 64 megapixels when opened: over our 50
    with pytest.raises(ValidationError) as err:
        check(data)
    assert err.value.code == "too_many_pixels"


def test_refuses_what_pillow_itself_calls_a_bomb(settings):
    settings.BLOGSITE_MAX_IMAGE_PIXELS = 10**12  # only Pillow's own limit stands
    with pytest.raises(ValidationError) as err:
        check(bomb_bytes(14_000))  # 196 megapixels: over twice Pillow's limit
    assert err.value.code == "bomb"


def test_refuses_svg():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
    with pytest.raises(ValidationError):
        check(svg)
