"""Hostile uploads: damaged pictures through the admin get a form error or a valid Image.

Real PNG, JPEG, GIF and WebP files made with Pillow are mutated (bit flips, truncations,
header swaps, spliced and random bytes) and uploaded through the admin's add form. Never a
500, and never a stored file Pillow cannot open: after every upload the media folder holds
exactly the files of the Image rows (originals and renditions), and each decodes.
"""

import io
import random
from pathlib import Path

from django.urls import reverse
from PIL import Image as PILImage

from posts.models import Image

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


def test_mutated_pictures_get_a_form_error_or_a_valid_image(staff_client, media_root):
    url = reverse("admin:posts_image_add")
    results = {"stored": 0, "refused": 0}
    problems = []
    for number, (name, data) in enumerate(mutants(random.Random(SEED))):
        upload = io.BytesIO(data)
        upload.name = f"upload-{number}.{name.split()[0].lower()}"
        try:
            response = staff_client.post(
                url, {"file": upload, "alt_text": f"case {number}", "caption": name}
            )
        except Exception as err:  # the test client re-raises a view's exception: a 500
            problems.append((name, repr(err)[:200]))
            continue
        if response.status_code == 302:
            results["stored"] += 1
        elif response.status_code == 200 and response.context["adminform"].form.errors:
            results["refused"] += 1
        else:
            problems.append((name, response.status_code))
        on_disk = stored_files(media_root)
        if on_disk != expected_files():
            problems.append((name, "files on disk differ from Image rows", on_disk))
        for stored in on_disk:
            try:
                with PILImage.open(media_root / stored) as image:
                    image.load()
            except Exception as err:
                problems.append((name, f"stored file {stored} does not open: {err!r}"))
    assert problems == []
    # Intact pictures and some harmless mutations are stored; the rest are refused.
    assert results["stored"] >= len(FORMATS) * 2
    assert results["refused"] > results["stored"]
