"""The Pillow work on an upload's bytes, run in a child process with CPU and memory limits.

Every decode and re-encode of an uploaded picture happens here, started by
posts.imagefiles.sandbox: the child limits itself (resource.setrlimit) before it decodes a byte,
so a bomb costs at most those limits and the site's worker only waits. Imports the standard
library, Pillow and posts.imagefiles.containers; never Django (the child has no settings).
Pillow is imported in the functions, not with the module: the site's process imports this
module for its constants and never opens a picture.

A long-lived zygote (started once per worker thread) forks a child per picture; the child
answers with one JSON line (the answer, with the lengths of the files it made) and those
files.
"""

import io
import json
import os
import resource
import sys
import warnings
from typing import IO, TYPE_CHECKING

from posts.imagefiles.containers import (
    GIF_PLAYING_EXTENSIONS,
    PNG_KEPT_CHUNKS,
    WEBP_PICTURE_CHUNKS,
    gif_extensions,
    gif_frame_count,
    png_chunks,
    strip_png,
    webp_canvas,
    webp_chunk_types,
)

if TYPE_CHECKING:
    from PIL import Image as PILImage

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
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
# Renditions are made often and served in place of the file: PNG's optimize (zlib's slowest
# level, tried with every filter) cost 1.8 s of a 20 MP picture's 2 s for a few per cent.
RENDITION_OPTIONS = {"PNG": {"optimize": False, "compress_level": 6}}
# A progressive or optimized JPEG holds all its coefficients in memory while it is written
# (another 72 MB at 24 MP): a larger picture is written in one pass, a few per cent heavier.
ONE_PASS_JPEG_PIXELS = 16_000_000
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "icc_profile")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
ORIENTATION = 0x0112

# What a decoder reports of a file with nothing personal in it (what _encode writes, and
# what most editors' "export for web" writes): such a file is stored as it is.
PLAIN_INFO = {
    "JPEG": {"jfif", "jfif_density", "jfif_unit", "jfif_version", "progression", "progressive",
             "dpi", "adobe", "adobe_transform", "icc_profile"},
    "PNG": {"dpi", "gamma", "srgb", "transparency", "icc_profile", "chromaticity", "aspect"},
    "WEBP": {"background", "loop", "duration", "icc_profile"},
    "GIF": {"background", "version", "duration", "loop", "transparency", "extension"},
}  # fmt: skip
# JPEG segments that hold a picture's format, colour profile and colour transform only.
PLAIN_JPEG_SEGMENTS = {"APP0", "APP2", "APP14"}
# The last bytes of each format: anything after them (a polyglot's payload) means re-encoding.
ENDINGS = {"JPEG": b"\xff\xd9", "PNG": b"IEND\xaeB`\x82", "GIF": b";"}


class Refusal(Exception):
    """A picture we will not take: a code the site turns into a message, and its figures."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code, params)
        self.code, self.params = code, params


def target_widths(width: int) -> list[int]:
    """Return the rendition widths for a picture: the standard ones below it, then its own."""
    widths = [w for w in RENDITION_WIDTHS if w < width]
    return list(dict.fromkeys([*widths, min(width, RENDITION_WIDTHS[-1])]))


def inspect(data: bytes, max_pixels: int, max_frames: int) -> tuple[str, int, int, int]:
    """Return (format, width, height, frames) after decoding every frame, or raise Refusal.

    Everything is counted before anything is decoded: the format from the header (a TIFF is
    refused without reading its pages), the frames (from the GIF's blocks, a PNG's acTL or
    WebP's demuxer), and width x height x frames against max_pixels, since a GIF's frames
    are each composed on a canvas the size of its logical screen.
    """
    from PIL import Image as PILImage

    warnings.filterwarnings("error", category=PILImage.DecompressionBombWarning)
    canvas = webp_canvas(data)
    if canvas is not None:
        _check_counts(*canvas, max_pixels, max_frames)
    try:
        with PILImage.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
            if fmt not in ALLOWED_FORMATS:
                raise Refusal("format", format=fmt)
            if fmt == "GIF":
                frames = gif_frame_count(data, stop=max_frames)
            else:
                frames = getattr(image, "n_frames", 1)
            _check_counts(width, height, frames, max_pixels, max_frames)
            image.verify()
        # verify() leaves the image unusable, and misses truncated pixel data: decode it all.
        with PILImage.open(io.BytesIO(data)) as image:
            for frame in range(frames or 1):
                image.seek(frame)
                image.load()
    except (Refusal, MemoryError):
        raise
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as err:
        raise Refusal("bomb") from err
    except PILImage.UnidentifiedImageError as err:
        raise Refusal("not_image") from err
    except Exception as err:  # Pillow raises many kinds of error on damaged files.
        raise Refusal("damaged", reason=repr(err)[:200]) from err
    return fmt, width, height, frames


def _check_counts(width: int, height: int, frames: int, max_pixels: int, max_frames: int):
    if frames > max_frames:
        # A GIF's frames are counted to one past the limit: then "more than" the limit.
        raise Refusal("too_many_frames", frames=frames, limit=max_frames)
    if width * height * max(frames, 1) > max_pixels:
        raise Refusal(
            "too_many_pixels", width=width, height=height, frames=frames, limit=max_pixels
        )


def is_plain(image: "PILImage.Image", fmt: str, data: bytes) -> bool:
    """Return True if a file holds a picture and nothing else: no EXIF, no XMP, no trailer."""
    if set(image.info) - PLAIN_INFO[fmt] or image.getexif():
        return False
    if fmt == "JPEG":
        return data.endswith(ENDINGS[fmt]) and all(
            marker in PLAIN_JPEG_SEGMENTS for marker, _body in image.applist
        )
    if fmt == "WEBP":
        kinds = webp_chunk_types(data)
        return kinds is not None and set(kinds) <= WEBP_PICTURE_CHUNKS
    if fmt == "PNG":
        return all(kind in PNG_KEPT_CHUNKS for kind, *_ in png_chunks(data)) and data.endswith(
            ENDINGS[fmt]
        )
    # GIF: Pillow names one application extension at most; any but looping's is not plain.
    return data.endswith(ENDINGS[fmt]) and gif_extensions(data) <= GIF_PLAYING_EXTENSIONS


def clean(data: bytes, max_pixels: int, max_frames: int) -> tuple[bytes, str, int, int]:
    """Check an upload, turn it upright and re-encode it without metadata; return the file.

    A file that is already plain is kept byte for byte: re-encoding it would only lose quality
    (and an exported picture, imported again, comes back the same). A PNG keeps its pixel
    chunks byte for byte and loses the rest. Animations keep every frame.
    """
    from PIL import Image as PILImage
    from PIL import ImageOps

    fmt, _width, _height, frames = inspect(data, max_pixels, max_frames)
    with PILImage.open(io.BytesIO(data)) as image:
        if is_plain(image, fmt, data):
            return data, fmt, image.width, image.height
        turned = image.getexif().get(ORIENTATION, 1) not in (1, None) and frames <= 1
        if fmt == "PNG" and not turned:
            return strip_png(data), fmt, image.width, image.height
        if frames > 1 or fmt == "GIF":
            # GIF carries no EXIF and no GPS; an animation is not turned, and keeps its frames.
            encoded = _encode(image, fmt, save_all=frames > 1)
            return encoded, fmt, image.width, image.height
        icc_profile = image.info.get("icc_profile")
        image.load()
        upright = image
        if turned:
            upright = ImageOps.exif_transpose(image)
            image.close()  # its pixels are not needed again: half the memory while encoding
        encoded = _encode(upright, fmt, icc_profile=icc_profile)
        if fmt == "PNG":
            encoded = strip_png(encoded)
        return encoded, fmt, upright.width, upright.height


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
    if fmt == "JPEG" and image.width * image.height > ONE_PASS_JPEG_PIXELS:
        options.update(progressive=False, optimize=False)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **{**SAVE_OPTIONS[fmt], **options})
    return buffer.getvalue()


def renditions(data: bytes) -> list[tuple[str, int, int, bytes]]:
    """Return (format, width, height, bytes) of WebP and same-format renditions of a picture.

    A narrower rendition that would weigh more than a wider one of its format is left out
    (flat drawings resized gain colours and bytes): the browser takes the wider one instead.
    Animations get none: resizing would drop their frames, so the page uses the file.
    """
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(data)) as image:
        if image.format == "GIF" or getattr(image, "is_animated", False):
            return []
        fmt, (full_width, full_height) = image.format, image.size
        widths = target_widths(full_width)
        # A JPEG decodes at 1/2, 1/4 or 1/8 scale for less: no wider than twice what we need.
        image.draft(image.mode, (widths[-1] * 2, round(full_height * widths[-1] * 2 / full_width)))
        image.load()
        icc_profile = image.info.get("icc_profile")
        lanczos = PILImage.Resampling.LANCZOS
        encoded: dict[str, list[tuple[str, int, int, bytes]]] = {}
        resized = image
        for width in reversed(widths):
            height = max(1, round(full_height * width / full_width))
            if (width, height) != resized.size:
                # Each from the next wider one, the widest with a reducing gap: the same
                # picture to the eye at a third of the CPU time of three resizes of the original.
                previous = resized
                resized = previous.resize((width, height), lanczos, reducing_gap=3.0)
                previous.close()  # the original's pixels, or a wider rendition's, already encoded
            for kind in dict.fromkeys(["WEBP", fmt]):
                options = RENDITION_OPTIONS.get(kind, {})
                made = _encode(resized, kind, icc_profile=icc_profile, **options)
                wider = encoded.get(kind, [])
                if not wider or len(made) < len(wider[-1][3]):
                    encoded.setdefault(kind, []).append((kind, width, height, made))
    return [rendition for sizes in encoded.values() for rendition in sizes]


def limit_self(cpu_seconds: int, memory_mb: int) -> None:
    """Bound this process: CPU seconds (then SIGXCPU), address space, no files, no core."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def zygote() -> None:
    """Serve requests of posts.imagefiles.sandbox: each picture in a fresh fork, limited.

    This process imports Pillow once and does no picture work itself: for each request
    (a JSON line with the bytes' length, then the bytes) it forks a child that limits
    itself, does the work and writes its answer to a pipe; it then writes the child's exit
    code and the answer's length as a JSON line, and the answer, on stdout. A fork costs a
    millisecond where a new Python with Pillow costs fifty.
    """
    # The plugins of the formats we take, so that Pillow imports its thirty others only to
    # name a format it then refuses.
    from PIL import GifImagePlugin, ImageOps, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

    del GifImagePlugin, ImageOps, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while line := stdin.readline():
        request = json.loads(line)
        data = stdin.read(request["length"])
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: limited before it looks at a byte of the picture
            code = 1
            try:
                os.close(reader)
                with os.fdopen(writer, "wb") as out:
                    serve(request, data, out)
                code = 0
            finally:
                os._exit(code)
        os.close(writer)
        with os.fdopen(reader, "rb") as answer:
            payload = answer.read()
        _pid, status, _usage = os.wait4(pid, 0)
        exit_code = os.waitstatus_to_exitcode(status)
        stdout.write(json.dumps({"exit": exit_code, "length": len(payload)}).encode() + b"\n")
        stdout.write(payload)
        stdout.flush()


def serve(request: dict, data: bytes, out: IO[bytes]) -> None:
    """Do one request within its limits; write a JSON line and the files it made to out."""
    limit_self(request["cpu_seconds"], request["memory_mb"])
    files: list[bytes] = []
    try:
        if request["op"] == "clean":
            cleaned, fmt, width, height = clean(data, request["max_pixels"], request["max_frames"])
            answer = {"format": fmt, "width": width, "height": height}
            files.append(cleaned)
        else:
            made = renditions(data)
            answer = {"renditions": [[fmt, width, height] for fmt, width, height, _ in made]}
            files.extend(data for *_, data in made)
    except Refusal as refusal:
        answer, files = {"refused": refusal.code, "params": refusal.params}, []
    except Exception as err:
        # The picture decoded (inspect() refuses damaged ones): an encoder or a resize that
        # fails after that has run out of memory, whatever error its library turned it into.
        answer = {"refused": "too_costly", "params": {"reason": repr(err)[:200]}}
        files = []
    answer["files"] = [len(file) for file in files]
    out.write(json.dumps(answer).encode() + b"\n")
    for file in files:
        out.write(file)
