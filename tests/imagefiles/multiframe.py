"""Multi-frame and multi-size files in the formats Pillow reads but we do not take.

Pillow writes some of them (IM, SPIDER, ICO, ICNS); the rest it only reads, so they are put
together here byte by byte from their layouts (Autodesk's FLI/FLC, Adobe's PSD with layers,
SPIDER's image stacks, DCX's page table). Each opens in Pillow with more than one frame, or
more than one size, so a refusal cannot be put down to the file being damaged.
"""

import io
import struct

from PIL import Image as PILImage


def dcx(pages: int = 3) -> bytes:
    """A DCX file (pages of PCX, as fax software wrote them)."""
    files = []
    for page in range(pages):
        buffer = io.BytesIO()
        PILImage.new("L", (40, 30), page * 60).save(buffer, format="PCX")
        files.append(buffer.getvalue())
    offsets, at = [], 4 + 4 * (pages + 1)
    for data in files:
        offsets.append(at)
        at += len(data)
    header = struct.pack(f"<I{pages + 1}I", 987654321, *offsets, 0)
    return header + b"".join(files)


def fli(frames: int = 3, width: int = 40, height: int = 30) -> bytes:
    """An FLC animation: a 128-byte header, then one frame chunk per frame, each clearing the
    picture (a BLACK chunk); the first frame carries a 256-colour palette too."""
    chunks = []
    for number in range(frames):
        parts, count = b"", 0
        if number == 0:
            palette = struct.pack("<HBB", 1, 0, 0) + bytes(range(256)) * 3  # 0 means 256
            parts += struct.pack("<IH", 6 + len(palette), 4) + palette
            count += 1
        parts += struct.pack("<IH", 10, 13) + bytes(4)  # BLACK; the decoder wants 10 bytes
        count += 1
        chunks.append(struct.pack("<IHH8x", 16 + len(parts), 0xF1FA, count) + parts)
    body = b"".join(chunks)
    header = bytearray(
        struct.pack("<IHHHHHHI", 128 + len(body), 0xAF12, frames, width, height, 8, 0, 5)
    )
    header = header.ljust(128, b"\0")
    struct.pack_into("<I", header, 80, 128)  # where the first frame starts
    return bytes(header) + body


def psd(layers: int = 3, width: int = 40, height: int = 30) -> bytes:
    """A Photoshop file of layers RGB layers over a flat RGB picture, all uncompressed."""
    records, pixels = b"", b""
    for number in range(layers):
        name = f"Layer {number}".encode()
        pascal = bytes([len(name)]) + name
        pascal += b"\0" * (-len(pascal) % 4)
        extra = struct.pack(">II", 0, 0) + pascal  # no mask, no blending ranges, a name
        records += struct.pack(">iiiiH", 0, 0, height, width, 3)
        for channel in range(3):
            records += struct.pack(">hI", channel, 2 + width * height)
        records += b"8BIMnorm" + bytes([255, 0, 0, 0]) + struct.pack(">I", len(extra)) + extra
        for channel in range(3):
            pixels += struct.pack(">H", 0) + bytes([number * 40 + channel]) * (width * height)
    info = struct.pack(">h", layers) + records + pixels
    info += b"\0" * (len(info) % 2)
    layer_and_mask = struct.pack(">I", len(info)) + info
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    return (
        header
        + struct.pack(">II", 0, 0)  # no colour mode data, no image resources
        + struct.pack(">I", len(layer_and_mask))
        + layer_and_mask
        + struct.pack(">H", 0)
        + bytes(3 * width * height)
    )


def im(frames: int = 3, width: int = 40, height: int = 30) -> bytes:
    """An IM file (IFUNC's format) declaring frames images, each of its own grey."""
    buffer = io.BytesIO()
    PILImage.new("L", (width, height), 10).save(buffer, format="IM")
    data = buffer.getvalue().replace(
        b"File size (no of images): 1", f"File size (no of images): {frames}".encode()
    )
    return data + b"".join(bytes([50 * n]) * (width * height) for n in range(1, frames))


def spider_stack(images: int = 3, width: int = 40, height: int = 30) -> bytes:
    """A SPIDER stack: a stack header, then images each with its own header."""
    buffer = io.BytesIO()
    PILImage.new("F", (width, height), 1.0).save(buffer, format="SPIDER")
    data = buffer.getvalue()
    header_length = len(data) - 4 * width * height
    values = list(struct.unpack(f"<{header_length // 4}f", data[:header_length]))

    def header(stack: int, most: int, number: int) -> bytes:
        # Fields 24, 26 and 27 of SPIDER's header (counted from 1): ISTACK, MAXIM, IMGNUM.
        fields = values[:]
        fields[23], fields[25], fields[26] = stack, most, number
        return struct.pack(f"<{len(fields)}f", *fields)

    out = header(2, images, 0)
    for number in range(images):
        out += header(0, 0, number + 1) + struct.pack(
            f"<{width * height}f", *[number] * (width * height)
        )
    return out


def icon(fmt: str) -> bytes:
    """An ICO or ICNS holding one picture at several sizes, written by Pillow."""
    buffer = io.BytesIO()
    picture = PILImage.new("RGBA", (64, 64), (200, 40, 40, 255))
    options = {"sizes": [(16, 16), (32, 32), (64, 64)]} if fmt == "ICO" else {}
    picture.save(buffer, format=fmt, **options)
    return buffer.getvalue()
