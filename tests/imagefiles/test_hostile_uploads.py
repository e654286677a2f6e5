"""Hostile uploads: damaged pictures through the admin get a form error or a valid Image.

Real PNG, JPEG, GIF and WebP files made with Pillow, and animations in each format that has
them, are mutated (bit flips, truncations, header swaps, spliced and random bytes) and
uploaded through the admin's add form; bombs and multi-frame formats we refuse are too. Never a
500, and never a stored file Pillow cannot open: after every upload the media folder holds
exactly the files of the Image rows (originals and renditions), and each decodes.
"""

import io
import random
import struct
from pathlib import Path

from django.urls import reverse
from PIL import Image as PILImage

from posts.models import Image
from tests.imagefiles.bombs import animation, apng_bomb, gif_bomb, multipage_tiff, webp_bomb

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
REFUSED_MULTIFRAME = ["TIFF", "MPO", "AVIF", "DCX"]


def dcx(pages: int = 3) -> bytes:
    """A DCX file (pages of PCX, as fax software wrote them): Pillow opens it, cannot write it."""
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


def test_multiframe_formats_we_do_not_take_are_refused_by_name(staff_client, media_root):
    cases = [(f"{fmt} of 3 frames", animation(fmt, frames=3)) for fmt in REFUSED_MULTIFRAME[:-1]]
    cases.append(("DCX of 3 pages", dcx(3)))
    cases.append(("TIFF of 50 pages", multipage_tiff(pages=50)))
    results, problems = upload_all(staff_client, media_root, cases)
    assert problems == [] and results["stored"] == []
    for (name, errors), fmt in zip(results["refused"], [*REFUSED_MULTIFRAME, "TIFF"], strict=True):
        assert errors == [f"{fmt} pictures are not accepted; use JPEG, PNG, GIF or WebP."], name


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
