import io
import os
import signal
import subprocess
import sys
import threading
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image as PILImage

from posts.imagefiles import sandbox
from posts.imagefiles.containers import png_chunks
from posts.imagefiles.processing import check_image_file, clean_image
from tests.factories import image_bytes
from tests.imagefiles.bombs import animation, apng_bomb, gif_bomb, multipage_tiff, webp_bomb


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


# Issue 22: bombs that count more than their first frame. Each was accepted, or took a
# worker past its 30 s timeout, before every frame was counted.


def refusal(data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        check(data)
    return err.value


def test_the_gif_bomb_of_issue_22_is_refused_by_its_frames_times_its_screen():
    data = gif_bomb(7000, 7000, frames=10, comment=True)
    assert len(data) < 300
    err = refusal(data)
    assert err.code == "too_many_pixels"
    assert "7000×7000 pixels in 10 frames, 490 megapixels" in err.messages[0]


@pytest.mark.parametrize(
    ("name", "data"),
    [("APNG", apng_bomb(7000, frames=10)), ("animated WebP", webp_bomb(7000, 7000, frames=10))],
)
def test_animation_bombs_are_refused_by_their_frames_times_their_canvas(name, data):
    assert len(data) < 100_000
    err = refusal(data)
    assert err.code == "too_many_pixels", name
    assert "in 10 frames" in err.messages[0]


@pytest.mark.parametrize(
    ("name", "data", "frames"),
    [
        # Counted no further than one past the limit: "more than 300".
        ("GIF of 100,000 one-pixel frames", gif_bomb(1, 1, frames=100_000, comment=False), 301),
        ("APNG claiming 2**31 - 1 frames", apng_bomb(64, frames=3, declared=2**31 - 1), 2**31 - 1),
        ("WebP of 5,000 frames", webp_bomb(16, 16, frames=5_000), 5_000),
    ],
)
def test_frame_count_bombs_are_refused_by_the_frame_limit(name, data, frames):
    err = refusal(data)
    assert err.code == "too_many_frames", name
    expected = "more than 300 frames" if frames == 301 else f"{frames} frames; the limit is 300"
    assert f"The animation has {expected}" in err.messages[0]


def test_the_frame_limit_is_a_setting(settings):
    settings.BLOGSITE_MAX_IMAGE_FRAMES = 5
    assert check(animation("GIF", frames=5)) == ("GIF", 40, 30)
    assert refusal(animation("GIF", frames=6)).code == "too_many_frames"


def test_a_multipage_tiff_is_refused_by_its_format_without_reading_its_pages():
    err = refusal(multipage_tiff(pages=50))
    assert err.code == "format"
    assert err.messages == ["TIFF pictures are not accepted; use JPEG, PNG, GIF or WebP."]


def test_a_bomb_past_the_counting_is_still_stopped_by_the_childs_limits(settings):
    # As if the pixel count missed it: the decode itself runs out of CPU time or memory.
    settings.BLOGSITE_MAX_IMAGE_PIXELS = 10**12
    err = refusal(gif_bomb(7000, 7000, frames=10))
    assert err.code == "too_costly"
    assert "more than 2 seconds or 256 MB" in err.messages[0]


def test_a_picture_over_the_memory_limit_gets_a_clear_error(settings):
    settings.BLOGSITE_IMAGE_MEMORY_MB = 80
    err = refusal(image_bytes((6000, 4000), fmt="PNG"))  # 72 MB of RGB pixels
    assert err.code == "too_costly"
    assert "80 MB" in err.messages[0]


def test_the_child_process_never_imports_django():
    # The child's own start, with its work's imports, and a look at what it loaded.
    start = sandbox.CHILD_CODE.rsplit(";", 1)[0]  # all but the call of the zygote's loop
    code = (
        start
        + "; import PIL.Image, PIL.ImageOps; "
        + ("print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'blogsite')))")
    )
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, check=True)
    assert out.stdout == b"[]\n"


# Issue 22, 6a: a PNG keeps only the chunks a picture needs.


def png_with(extra: list[tuple[bytes, bytes]], size=(30, 20)) -> bytes:
    """A PNG written by Pillow (with gAMA and pHYs), with extra chunks before its IEND."""
    buffer = io.BytesIO()
    PILImage.new("RGBA", size, (10, 200, 30, 128)).save(
        buffer, format="PNG", dpi=(144, 144), pnginfo=_gamma()
    )
    data = buffer.getvalue()
    chunks = b"".join(_png_chunk(kind, body) for kind, body in extra)
    return data[:-12] + chunks + data[-12:]


def _gamma():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add(b"gAMA", (45455).to_bytes(4, "big"))
    return info


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def test_private_png_chunks_are_dropped_and_the_pictures_chunks_kept_byte_for_byte():
    script = b"<script>alert(document.cookie)</script>"
    data = png_with([(b"prVt", script), (b"tEXt", b"Comment\0" + script)])
    cleaned = clean_image(io.BytesIO(data), size=len(data)).data
    assert script not in cleaned
    kinds = [kind for kind, _start, _end in png_chunks(cleaned)]
    assert kinds == [b"IHDR", b"gAMA", b"pHYs", b"IDAT", b"IEND"]
    kept = {kind: data[start:end] for kind, start, end in png_chunks(data)}
    assert all(kept[kind] == cleaned[start:end] for kind, start, end in png_chunks(cleaned))
    with PILImage.open(io.BytesIO(cleaned)) as picture:
        assert picture.getpixel((3, 3)) == (10, 200, 30, 128)


def test_an_apng_with_text_loses_the_text_and_keeps_its_frames():
    data = animation("PNG", frames=4)
    chunks = png_chunks(data)
    text = _png_chunk(b"tEXt", b"Author\0<script>x</script>")
    with_text = data[: chunks[1][1]] + text + data[chunks[1][1] :]
    cleaned = clean_image(io.BytesIO(with_text), size=len(with_text)).data
    assert b"<script>" not in cleaned
    with PILImage.open(io.BytesIO(cleaned)) as picture:
        assert picture.n_frames == 4


def test_a_jpeg_segment_pillow_does_not_name_is_not_kept():
    data = image_bytes((30, 20), fmt="JPEG")
    segment = b"\xff\xef" + (2 + 25).to_bytes(2, "big") + b"<script>x</script>1234567"
    hidden = data[:2] + segment + data[2:]
    cleaned = clean_image(io.BytesIO(hidden), size=len(hidden)).data
    assert b"<script>" not in cleaned
    assert clean_image(io.BytesIO(data), size=len(data)).data == data  # plain: kept as it is


def test_an_animated_webp_with_metadata_keeps_its_frames():
    data = animation("WEBP", frames=3, exif=b"Exif\0\0MM\0*\0\0\0\x08\0\0")
    cleaned = clean_image(io.BytesIO(data), size=len(data))
    with PILImage.open(io.BytesIO(cleaned.data)) as picture:
        assert picture.n_frames == 3 and "exif" not in picture.info


def test_a_gif_application_extension_other_than_looping_is_not_kept():
    data = animation("GIF", frames=2)
    payload = b"<script>alert(1)</script>"
    extension = b"\x21\xff\x0bEVILAPP1.00" + bytes([len(payload)]) + payload + b"\x00"
    at = data.index(b"\x21\xff")  # before the NETSCAPE2.0 (looping) extension
    hidden = data[:at] + extension + data[at:]
    with PILImage.open(io.BytesIO(hidden)) as picture:
        assert picture.n_frames == 2  # the file is a valid GIF that Pillow plays
    cleaned = clean_image(io.BytesIO(hidden), size=len(hidden)).data
    assert payload not in cleaned
    with PILImage.open(io.BytesIO(cleaned)) as picture:
        assert picture.n_frames == 2 and picture.info["loop"] == 0
    assert clean_image(io.BytesIO(data), size=len(data)).data == data  # plain: kept


def test_a_zygote_that_died_is_replaced_and_the_next_picture_is_checked():
    data = image_bytes((30, 20))
    assert check(data) == ("PNG", 30, 20)
    zygote = sandbox._idle[-1]  # the one that just answered
    os.killpg(zygote.pid, signal.SIGKILL)
    zygote.wait()
    other = image_bytes((31, 20))  # not the same bytes: not answered from the memo
    assert check(other) == ("PNG", 31, 20)
    assert zygote not in sandbox._idle and sandbox._idle


def test_threads_that_come_and_go_share_the_idle_zygotes():
    # The development server starts a thread per request: one zygote each would pile up.
    check(image_bytes((32, 20)))
    started = len(sandbox._started)
    for width in range(40, 60):
        thread = threading.Thread(target=check, args=(image_bytes((width, 20)),))
        thread.start()
        thread.join()
    assert len(sandbox._started) == started


def test_a_picture_stopped_for_its_cost_leaves_the_next_one_its_whole_budget(settings):
    settings.BLOGSITE_MAX_IMAGE_PIXELS = 10**12  # the bomb reaches the decoder
    check(image_bytes((33, 20)))
    zygote = sandbox._idle[-1]
    assert refusal(gif_bomb(7000, 7000, frames=10)).code == "too_costly"
    settings.BLOGSITE_MAX_IMAGE_PIXELS = 50_000_000
    assert check(image_bytes((3000, 2000), fmt="JPEG")) == ("JPEG", 3000, 2000)
    assert zygote in sandbox._idle  # only the bomb's child was stopped
