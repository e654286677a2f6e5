"""Hostile picture files, made by hand or with Pillow: for the tests and bench/uploads.py.

Each is small on disk and costly to open naively: a huge canvas times many frames, or more
frames than anyone animates. Made from their containers' specifications (GIF89a, APNG,
WebP's RIFF layout), not from a decoder, so they reach the decoder as an attacker sends them.
"""

import io
import struct
import zlib

from PIL import Image as PILImage


def gif_bomb(width: int = 7000, height: int = 7000, frames: int = 10, comment: bool = True):
    """A GIF whose logical screen is width x height, with one-pixel frames (and a comment).

    Each frame is composed on the whole screen: ten frames of 7000x7000 are 490 megapixels
    to a decoder, in under 300 bytes. The comment makes the file "not plain", so it is
    re-encoded, which is where all the frames were pasted at full size.
    """
    out = bytearray(b"GIF89a" + struct.pack("<HH", width, height) + bytes([0x80, 0, 0]))
    out += bytes([0, 0, 0, 255, 255, 255])  # a global colour table of two colours
    if comment:
        out += b"\x21\xfe\x05hello\x00"
    for number in range(frames):
        out += b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control: 0.1 s a frame
        x, y = number % max(1, width), (number // max(1, width)) % max(1, height)
        out += b"\x2c" + struct.pack("<HHHH", x, y, 1, 1) + b"\x00"
        out += b"\x02\x02\x44\x01\x00"  # LZW, minimum code size 2: one pixel
    return bytes(out + b";")


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def apng_bomb(side: int = 7000, frames: int = 10, declared: int | None = None) -> bytes:
    """An animated PNG of frames full-size black frames of side x side (one-bit grey).

    A frame of 7000x7000 compresses to about 6 kB. declared, when given, is the number of
    frames the acTL chunk claims (a frame-count bomb claims billions and holds a few).
    """
    rows = zlib.compress((b"\0" * (1 + (side + 7) // 8)) * side, 9)
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)

    def control(sequence: int) -> bytes:
        body = struct.pack(">IIIIIHHBB", sequence, side, side, 0, 0, 1, 10, 0, 0)
        return _png_chunk(b"fcTL", body)

    chunks = [_png_chunk(b"IHDR", header)]
    chunks.append(_png_chunk(b"acTL", struct.pack(">II", declared or frames, 0)))
    chunks += [control(0), _png_chunk(b"IDAT", rows)]
    sequence = 1
    for _ in range(frames - 1):
        chunks.append(control(sequence))
        chunks.append(_png_chunk(b"fdAT", struct.pack(">I", sequence + 1) + rows))
        sequence += 2
    chunks.append(_png_chunk(b"IEND", b""))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def _riff_chunk(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def webp_bomb(width: int = 7000, height: int = 7000, frames: int = 10) -> bytes:
    """An animated WebP of a width x height canvas and frames one-pixel frames."""
    pixel = io.BytesIO()
    PILImage.new("RGBA", (1, 1), (255, 0, 0, 255)).save(pixel, format="WEBP", lossless=True)
    data = pixel.getvalue()
    bitstream = data[12:]  # the VP8L chunk of a one-pixel picture, as libwebp made it
    flags = 0x02 | 0x10  # animation, alpha
    vp8x = struct.pack("<I", flags) + (width - 1).to_bytes(3, "little")
    vp8x += (height - 1).to_bytes(3, "little")
    body = b"WEBP" + _riff_chunk(b"VP8X", vp8x)
    body += _riff_chunk(b"ANIM", struct.pack("<IH", 0, 0))
    for number in range(frames):
        x = (number * 2) % width // 2
        frame = x.to_bytes(3, "little") + (0).to_bytes(3, "little")
        frame += (0).to_bytes(3, "little") * 2 + (100).to_bytes(3, "little") + b"\0"
        body += _riff_chunk(b"ANMF", frame + bitstream)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def multipage_tiff(pages: int = 50, side: int = 2000) -> bytes:
    """A TIFF of many pages of side x side, compressed to almost nothing."""
    page = PILImage.new("1", (side, side))
    buffer = io.BytesIO()
    page.save(
        buffer, format="TIFF", save_all=True, append_images=[page] * (pages - 1),
        compression="group4",
    )  # fmt: skip
    return buffer.getvalue()


def animation(fmt: str, size: tuple[int, int] = (40, 30), frames: int = 3, **options) -> bytes:
    """An ordinary animation of frames frames in a colour each, written by Pillow."""
    colours = [((80 * n) % 256, (50 * n + 90) % 256, (30 * n + 200) % 256) for n in range(frames)]
    images = [PILImage.new("RGB", size, colour) for colour in colours]
    buffer = io.BytesIO()
    images[0].save(
        buffer, format=fmt, save_all=True, append_images=images[1:], duration=100, loop=0,
        **options,
    )  # fmt: skip
    return buffer.getvalue()
