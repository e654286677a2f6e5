"""Picture files read as containers of blocks, without decoding a pixel.

Frames counted in a GIF before Pillow composes any of them, PNG files kept to the chunks a
picture needs, and the chunks of a WebP file listed. Pure byte work on the standard library:
it runs in the bounded child of posts.imagefiles.sandbox as well as in the site's process.
"""

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What a picture needs of a PNG: its header, palette, pixels and end; transparency, colour
# (profile, gamma, chromaticities, sRGB) and pixel density; and the animation chunks (APNG).
# Everything else (text, EXIF, timestamps, private chunks that may hold a script) goes.
PNG_KEPT_CHUNKS = frozenset(
    {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"pHYs"}
    | {b"acTL", b"fcTL", b"fdAT"}
)
# The application extensions of a GIF that say how to play it (loop count, buffering).
GIF_PLAYING_EXTENSIONS = frozenset({b"NETSCAPE2.0", b"ANIMEXTS1.0"})
# The chunks of a WebP file that hold its picture, alpha, animation or colour profile.
WEBP_PICTURE_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})


def gif_frame_count(data: bytes, stop: int) -> int:
    """Return the number of frames of a GIF, counting no further than stop + 1.

    Pillow counts frames by seeking through them; a file of a million one-pixel frames
    would take it longer than we give a picture, so they are counted here first.
    """
    frames = 0
    for block, _label in gif_blocks(data):
        frames += block == 0x2C
        if frames > stop:
            break
    return frames


def gif_extensions(data: bytes) -> set[bytes]:
    """Return the extensions of a GIF: b"comment", b"text", or an application's identifier."""
    found = set()
    for block, label in gif_blocks(data):
        if block == 0x21 and label[:1] == b"\xfe":
            found.add(b"comment")
        elif block == 0x21 and label[:1] == b"\x01":
            found.add(b"text")
        elif block == 0x21 and label[:1] == b"\xff":
            found.add(label[2:13])  # the application's identifier and code
    return found


def gif_blocks(data: bytes):
    """Yield (0x21, label and first bytes) for each extension and (0x2C, b"") for each frame."""
    if len(data) < 13:
        return
    pos = 13 + _colour_table_size(data[10])
    while pos < len(data):
        block = data[pos]
        if block == 0x21:  # an extension: label, then sub-blocks
            yield block, data[pos + 1 : pos + 14]
            pos = _after_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # an image descriptor
            yield block, b""
            if pos + 10 > len(data):
                return
            pos += 10 + _colour_table_size(data[pos + 9]) + 1  # + LZW minimum code size
            pos = _after_sub_blocks(data, pos)
        else:  # the trailer, or damage that Pillow will report
            return


def _colour_table_size(flags: int) -> int:
    return 3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0


def _after_sub_blocks(data: bytes, pos: int) -> int:
    while pos < len(data):
        size = data[pos]
        pos += 1 + size
        if size == 0:
            break
    return pos


def png_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """Return (type, start, end) of each chunk of a PNG up to IEND; raise ValueError if cut."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks, pos = [], len(PNG_SIGNATURE)
    while True:
        if pos + 12 > len(data):
            raise ValueError("a PNG chunk is cut short")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, end = data[pos + 4 : pos + 8], pos + 12 + length
        if end > len(data):
            raise ValueError("a PNG chunk is cut short")
        chunks.append((kind, pos, end))
        pos = end
        if kind == b"IEND":
            return chunks


def strip_png(data: bytes) -> bytes:
    """Return the PNG with only the chunks a picture needs, each byte for byte, and no trailer."""
    kept = [data[start:end] for kind, start, end in png_chunks(data) if kind in PNG_KEPT_CHUNKS]
    return PNG_SIGNATURE + b"".join(kept)


def webp_chunk_types(data: bytes) -> list[bytes] | None:
    """Return the chunk types of a WebP file, or None if its RIFF structure does not add up."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    if int.from_bytes(data[4:8], "little") + 8 != len(data):
        return None  # bytes after the picture (a polyglot's payload), or a cut file
    kinds, pos = [], 12
    while pos < len(data):
        if pos + 8 > len(data):
            return None
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        kinds.append(data[pos : pos + 4])
        pos += 8 + size + (size & 1)
    return kinds if pos == len(data) else None


def webp_canvas(data: bytes) -> tuple[int, int, int] | None:
    """Return (width, height, frames) of an extended WebP file from its chunks, else None.

    Pillow's WebP decoder makes a canvas of width x height as it opens a file, before a
    frame is counted: an animation's size is read here first.
    """
    kinds = webp_chunk_types(data)
    if not kinds or kinds[0] != b"VP8X" or len(data) < 30:
        return None
    width = int.from_bytes(data[24:27], "little") + 1
    height = int.from_bytes(data[27:30], "little") + 1
    return width, height, max(1, kinds.count(b"ANMF"))
