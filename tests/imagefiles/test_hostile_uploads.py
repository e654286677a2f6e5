"""Hostile uploads: damaged pictures through the admin get a form error or a valid Image.

Real PNG, JPEG, GIF and WebP files made with Pillow, and animations in each format that has
them, are mutated (bit flips, truncations, header swaps, spliced and random bytes) and
uploaded through the admin's add form; bombs and every multi-frame or multi-size format Pillow
reads and we refuse (built in tests/imagefiles/multiframe.py) are too. Never a 500, and never
a stored file Pillow cannot open: after every upload the media folder holds exactly the files
of the Image rows (originals and renditions), and each decodes.
"""

import io
import random
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image as PILImage

from posts.models import Image
from tests.imagefiles import multiframe
from tests.imagefiles.bombs import animation, apng_bomb, gif_bomb, multipage_tiff, webp_bomb

# Pillow warns that its IM reader goes in Pillow 15; until then it opens IM files: tested.
pytestmark = pytest.mark.filterwarnings("ignore:IM image format is deprecated:DeprecationWarning")

SEED = 9
FORMATS = ["PNG", "JPEG", "GIF", "WEBP"]
MAGIC = {
    "PNG": b"\x89PNG\r\n\x1a\n",
    "JPEG": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "GIF": b"GIF89a",
    "WEBP": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
}


def picture(fmt: str, size: tuple[int, int], seed: int) -> bytes:
    """Return a small real picture with some detail, so its encoders have work to do."""
    rng = random.Random(seed)
    image = PILImage.new("RGB", size)
    image.putdata(
        [(rng.randrange(256), (x * 7) % 256, (x * 3) % 256) for x in range(size[0] * size[1])]
    )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def mutants(rng: random.Random) -> list[tuple[str, bytes]]:
    cases = []
    for fmt in FORMATS:
        for size in [(16, 12), (500, 20)]:
            data = picture(fmt, size, rng.randrange(1 << 30))
            cases.append((f"{fmt} {size} intact", data))
            for flips in (1, 4, 32):
                mutated = bytearray(data)
                for _ in range(flips):
                    mutated[rng.randrange(len(mutated))] ^= 1 << rng.randrange(8)
                cases.append((f"{fmt} {size} {flips} bit flips", bytes(mutated)))
            for cut in (len(MAGIC[fmt]), len(data) // 3, len(data) - 1):
                cases.append((f"{fmt} {size} cut at {cut}", data[:cut]))
            for other in FORMATS:
                if other != fmt:
                    swapped = MAGIC[other] + data[len(MAGIC[other]) :]
                    cases.append((f"{fmt} {size} with a {other} header", swapped))
            start = rng.randrange(len(data))
            cases.append((f"{fmt} {size} spliced", data[:start] + rng.randbytes(64) + data[start:]))
            cases.append((f"{fmt} {size} doubled", data + data))
    for fmt in FORMATS:
        cases.append((f"{fmt} header then noise", MAGIC[fmt] + rng.randbytes(300)))
    cases += [("random bytes", rng.randbytes(2000)), ("empty", b""), ("one byte", b"\x89")]
    return cases


def stored_files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def expected_files() -> set[str]:
    names = set()
    for image in Image.objects.all():
        names.add(image.file.name)
        names.update(rendition["name"] for rendition in image.renditions)
    return names


def upload_all(client, media_root: Path, cases: list[tuple[str, bytes]]) -> tuple[dict, list]:
    """Upload every case through the admin's add form; return what happened and what went wrong.

    Never a 500, and after every upload the media folder holds exactly the files of the
    Image rows, each of which Pillow opens and decodes.
    """
    url = reverse("admin:posts_image_add")
    results = {"stored": [], "refused": []}
    problems = []
    for number, (name, data) in enumerate(cases):
        upload = io.BytesIO(data)
        upload.name = f"upload-{number}.{name.split()[0].lower()}"
        try:
            response = client.post(
                url, {"file": upload, "alt_text": f"case {number}", "caption": name}
            )
        except Exception as err:  # the test client re-raises a view's exception: a 500
            problems.append((name, repr(err)[:200]))
            continue
        if response.status_code == 302:
            results["stored"].append(name)
        elif response.status_code == 200 and response.context["adminform"].form.errors:
            results["refused"].append((name, response.context["adminform"].form.errors["file"]))
        else:
            problems.append((name, response.status_code))
        on_disk = stored_files(media_root)
        if on_disk != expected_files():
            problems.append((name, "files on disk differ from Image rows", on_disk))
        for stored in on_disk:
            try:
                with PILImage.open(media_root / stored) as image:
                    for frame in range(getattr(image, "n_frames", 1)):
                        image.seek(frame)
                        image.load()
            except Exception as err:
                problems.append((name, f"stored file {stored} does not open: {err!r}"))
    return results, problems


def test_mutated_pictures_get_a_form_error_or_a_valid_image(staff_client, media_root):
    results, problems = upload_all(staff_client, media_root, mutants(random.Random(SEED)))
    assert problems == []
    # Intact pictures and some harmless mutations are stored; the rest are refused.
    assert len(results["stored"]) >= len(FORMATS) * 2
    assert len(results["refused"]) > len(results["stored"])


# Every animated or multi-frame format Pillow opens here and can write: the three we accept
# as animations, mutated as above, and those we refuse, intact.
ANIMATED = ["GIF", "PNG", "WEBP"]


def animated_mutants(rng: random.Random) -> list[tuple[str, bytes]]:
    cases = []
    for fmt in ANIMATED:
        data = animation(fmt, size=(48, 32), frames=4)
        cases.append((f"{fmt} animation intact", data))
        for flips in (1, 4, 32):
            mutated = bytearray(data)
            for _ in range(flips):
                mutated[rng.randrange(len(mutated))] ^= 1 << rng.randrange(8)
            cases.append((f"{fmt} animation {flips} bit flips", bytes(mutated)))
        for cut in (len(data) // 3, len(data) * 2 // 3, len(data) - 1):
            cases.append((f"{fmt} animation cut at {cut}", data[:cut]))
        start = rng.randrange(len(data))
        cases.append((f"{fmt} animation spliced", data[:start] + rng.randbytes(64) + data[start:]))
        cases.append((f"{fmt} animation doubled", data + data))
    return cases


def test_animations_mutated_get_a_form_error_or_a_valid_image_that_stays_animated(
    staff_client, media_root
):
    cases = animated_mutants(random.Random(SEED))
    results, problems = upload_all(staff_client, media_root, cases)
    assert problems == []
    assert {f"{fmt} animation intact" for fmt in ANIMATED} <= set(results["stored"])
    for image in Image.objects.filter(caption__endswith="animation intact"):
        with PILImage.open(media_root / image.file.name) as picture:
            assert picture.n_frames == 4, image.caption
        assert image.renditions == []  # resizing would drop the frames


def refused_multiframe_cases() -> list[tuple[str, str, bytes]]:
    """(format, description, file) for every multi-frame or multi-size format we refuse."""
    cases = [
        (fmt, f"{fmt} of 3 frames", animation(fmt, frames=3)) for fmt in ["TIFF", "MPO", "AVIF"]
    ]
    cases += [
        ("TIFF", "TIFF of 50 pages", multipage_tiff(pages=50)),
        ("DCX", "DCX of 3 pages", multiframe.dcx(3)),
        ("FLI", "FLI animation of 3 frames", multiframe.fli(3)),
        ("PSD", "PSD of 3 layers", multiframe.psd(3)),
        ("IM", "IM of 3 images", multiframe.im(3)),
        ("SPIDER", "SPIDER stack of 3 images", multiframe.spider_stack(3)),
        ("ICO", "ICO at 3 sizes", multiframe.icon("ICO")),
        ("ICNS", "ICNS at 8 sizes", multiframe.icon("ICNS")),
    ]
    return cases


def test_multiframe_formats_we_do_not_take_are_refused_by_name(staff_client, media_root):
    cases = refused_multiframe_cases()
    for fmt, name, data in cases:  # each file is what it claims, not a damaged one
        with PILImage.open(io.BytesIO(data)) as opened:
            assert opened.format == fmt, name
            assert getattr(opened, "n_frames", 1) > 1 or len(opened.info.get("sizes", ())) > 1
    results, problems = upload_all(staff_client, media_root, [case[1:] for case in cases])
    assert problems == [] and results["stored"] == []
    for (name, errors), (fmt, *_rest) in zip(results["refused"], cases, strict=True):
        assert errors == [f"{fmt} pictures are not accepted; use JPEG, PNG, GIF or WebP."], name


def multiframe_readers() -> set[str]:
    """Every format Pillow opens here whose reader can hold more than one frame."""
    PILImage.init()
    found = {"MPO"}  # read through JPEG's factory function, not a class of its own
    for fmt, (reader, _accept) in PILImage.OPEN.items():
        if not isinstance(reader, type):
            continue
        own = [cls for cls in reader.__mro__ if cls.__module__.endswith("ImagePlugin")]
        if any("seek" in vars(cls) or "n_frames" in vars(cls) for cls in own):
            found.add(fmt)
    return found


def test_every_multiframe_reader_pillow_has_here_is_uploaded_in_these_tests():
    """A Pillow that learns a new multi-frame format (or MIC and FPX, once olefile is
    installed) fails this until a hostile upload of that format is added above."""
    covered = set(ANIMATED) | {fmt for fmt, _name, _data in refused_multiframe_cases()}
    readers = multiframe_readers()
    assert {"GIF", "PNG", "WEBP", "TIFF", "FLI", "PSD", "IM", "SPIDER", "DCX"} <= readers
    assert readers - covered == set()


def test_bombs_get_a_form_error_and_store_nothing(staff_client, media_root):
    cases = [
        ("GIF 7000x7000 screen, 10 frames and a comment", gif_bomb(7000, 7000, 10)),
        ("GIF of 100,000 frames", gif_bomb(1, 1, 100_000, comment=False)),
        ("PNG animation of 10 frames of 7000x7000", apng_bomb(7000, frames=10)),
        ("PNG claiming 2**31 - 1 frames", apng_bomb(64, frames=3, declared=2**31 - 1)),
        ("WEBP animation of a 7000x7000 canvas", webp_bomb(7000, 7000, frames=10)),
        ("WEBP of 5,000 frames", webp_bomb(16, 16, frames=5_000)),
    ]
    results, problems = upload_all(staff_client, media_root, cases)
    assert problems == [] and results["stored"] == []
    messages = [" ".join(errors) for _name, errors in results["refused"]]
    assert all("frames" in message for message in messages), messages
    assert Image.objects.count() == 0 and stored_files(media_root) == set()
