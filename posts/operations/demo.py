"""Demo content for a first local run: a few entries that show what the renderer does."""

import io
import math
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw

from posts.models import AuthorProfile, Entry, Image

DEMO_USERNAME = "demo"
ADMIN_USERNAME = "admin"


def _png(draw_picture, size=(1200, 800)) -> bytes:
    picture = PILImage.new("RGB", size)
    draw_picture(picture, ImageDraw.Draw(picture))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _hills(picture: PILImage.Image, draw: ImageDraw.ImageDraw) -> None:
    width, height = picture.size
    for y in range(height):  # an evening sky, dark blue above to orange at the horizon
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=(int(30 + 220 * t), int(40 + 110 * t), int(90 - 40 * t))
        )
    draw.ellipse([width * 0.62, height * 0.38, width * 0.74, height * 0.56], fill=(255, 214, 120))
    for layer, colour in enumerate([(52, 70, 60), (34, 50, 42), (20, 30, 26)]):
        base = height * (0.62 + 0.1 * layer)
        points = [(0, height)]
        for x in range(0, width + 20, 20):
            wave = math.sin(x / (140 + 60 * layer) + layer * 1.7) * (40 - 8 * layer)
            points.append((x, base + wave))
        points.append((width, height))
        draw.polygon(points, fill=colour)


def _blocks(picture: PILImage.Image, draw: ImageDraw.ImageDraw) -> None:
    width, height = picture.size
    draw.rectangle([0, 0, width, height], fill=(245, 243, 236))
    palette = [(29, 78, 216), (220, 38, 38), (234, 179, 8), (22, 163, 74), (17, 24, 39)]
    step = 100
    for row in range(height // step):
        for col in range(width // step):
            colour = palette[(row * 3 + col * 7 + row * col) % len(palette)]
            inset = 12 + (row + col) % 3 * 10
            x, y = col * step, row * step
            if (row + col) % 2:
                draw.ellipse(
                    [x + inset, y + inset, x + step - inset, y + step - inset], fill=colour
                )
            else:
                draw.rectangle(
                    [x + inset, y + inset, x + step - inset, y + step - inset], fill=colour
                )


def _phone_photo(size=(3000, 2000)) -> bytes:
    """A photo as a phone would send it: a grainy evening scene, with GPS and camera EXIF."""
    width, height = size
    sky = PILImage.linear_gradient("L").resize(size).convert("RGB")
    sky = PILImage.merge("RGB", [band.point(lambda v, k=k: 40 + v * k) for k, band in
                                 zip((0.8, 0.45, 0.2), sky.split(), strict=True)])  # fmt: skip
    grain = PILImage.effect_noise(size, 24).convert("RGB")
    picture = PILImage.blend(sky, grain, 0.18)
    draw = ImageDraw.Draw(picture)
    draw.rectangle([0, height * 0.72, width, height], fill=(28, 34, 30))
    draw.ellipse([width * 0.6, height * 0.45, width * 0.68, height * 0.57], fill=(250, 205, 120))
    exif = PILImage.Exif()
    exif[0x010F] = "Demo Phone"  # camera maker
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}  # GPS
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


ENTRIES = [
    {
        "title": "Hello from a fresh blogsite",
        "days_ago": 70,
        "tags": ["meta", "getting started"],
        "cover": "hills",
        "body": """\
This is the first of a few demo entries. They exist so that a new install has
something to show, and so that you can see what an entry can hold before you write
your own. Delete them whenever you like, from the admin at `/admin/`.

## What you are looking at

Every entry is written in **Markdown** and turned into HTML once, when it is saved.
Readers get plain, fast pages that need no JavaScript.

- Entries have a title, a body, tags and an optional cover picture.
- Drafts stay private; published entries appear at their publish time.
- A publish time in the future schedules an entry. Nothing else needs to run.

## Where to go next

1. Log in to the admin with the account printed when the site started.
2. Write an entry, and watch the preview beside the editor.
3. Drag a picture into the editor to upload it.
""",
    },
    {
        "title": "Code blocks, highlighted when the page is saved",
        "days_ago": 45,
        "tags": ["code", "python"],
        "cover": None,
        "body": """\
Fenced code gets its colours from Pygments when the entry is saved, so a reader's
browser only has to show it. Name the language after the opening fence:

```python
from datetime import date


def days_until(day: date) -> int:
    \"\"\"Return how many days are left until a date.\"\"\"
    return (day - date.today()).days
```

A shell session reads better with its own colours:

```console
$ python manage.py migrate
$ python manage.py runserver
```

Inline code such as `Entry.objects.published()` keeps a fixed-width font. A block
without a language name is shown as it is:

```
plain text, exactly as typed
```
""",
    },
    {
        "title": "Tables, footnotes and task lists",
        "days_ago": 30,
        "tags": ["markdown", "meta"],
        "cover": "blocks",
        "body": """\
Beyond plain CommonMark, entries understand a few extensions that long-form writing
keeps asking for.

## A table

| Format | Good for            | Lossy? |
| :----- | :------------------ | -----: |
| PNG    | screenshots, charts |     no |
| JPEG   | photographs         |    yes |
| WebP   | both, smaller       | either |

## Footnotes

A claim that needs a source gets a footnote[^source], and the note lands at the
bottom of the page with a link back to where you were reading.[^back]

[^source]: Written for this demo; there is nothing to cite.
[^back]: Follow the arrow to return.

## A task list

- [x] Install blogsite
- [x] Read the demo entries
- [ ] Write the first real one

~~Struck-through text~~ marks something that no longer holds.
""",
    },
    {
        "title": "Pictures inside an entry",
        "days_ago": 8,
        "tags": ["pictures", "getting started"],
        "cover": None,
        "body": """\
Pictures are uploaded once and then used wherever they are needed. Dropping a file
into the editor uploads it and writes the Markdown for you. This one was drawn by
the demo loader with Pillow:

![Rows of coloured squares and circles on a cream background]({blocks})

Every picture keeps its alt text, caption and credit in the admin, under *Images*.
""",
    },
]

PHOTO_ENTRY = {
    "title": "A photo straight from a phone",
    "days_ago": 2,
    "tags": ["pictures"],
    "cover": "photo",
    "body": """\
The cover above was uploaded as a 3000 pixel wide JPEG with the phone's GPS position
in it. What readers get is different:

- The position, the camera's name and every other EXIF field are gone from every file
  we serve. Only the colour profile stays.
- Each picture is resized once, when it is uploaded, into WebP and its own format at a
  few widths. A phone downloads the small one; a wide screen the large one.
- Width and height are in the HTML, so the text does not jump while pictures load.

A video or a slide deck works the same way: paste its address on a line of its own,
and it becomes an embedded player. YouTube videos play from youtube-nocookie.com.

```markdown
https://www.youtube.com/watch?v=VIDEO_ID
```
""",
}

SCHEDULED = {
    "title": "An entry scheduled for next week",
    "days_ago": -7,
    "tags": ["meta"],
    "body": "This entry has a publish time in the future. It appears by itself at that time.",
}

DRAFT = {
    "title": "A draft only staff can see",
    "tags": ["meta"],
    "body": "Drafts are private. Staff can preview them with *View on site* in the admin.",
}


def demo_loaded() -> bool:
    """Return True if demo content was loaded before, or the blog already has entries."""
    return (
        Entry.objects.exists() or get_user_model().objects.filter(username=DEMO_USERNAME).exists()
    )


@transaction.atomic
def load_demo() -> int:
    """Create the demo author, pictures and entries; return how many entries were made."""
    author = get_user_model().objects.create(
        username=DEMO_USERNAME, first_name="Demo", last_name="Writer", is_active=False
    )
    author.set_unusable_password()
    author.save()
    pictures = {
        "hills": _image("hills.png", _png(_hills), "Green hills under an orange evening sky"),
        "blocks": _image(
            "blocks.png",
            _png(_blocks, size=(1000, 600)),
            "Rows of coloured squares and circles on a cream background",
        ),
        "photo": _image("evening.jpg", _phone_photo(), "A dark field under a warm evening sky"),
    }
    # The byline links to a page about the writer.
    AuthorProfile.objects.create(
        user=author,
        display_name="Demo Writer",
        slug="demo-writer",
        bio="Made up by the demo loader to fill this blog. Replace me under *Author profiles*.",
        avatar=pictures["blocks"],
    )
    now = timezone.now()
    count = 0
    for spec in [*ENTRIES, PHOTO_ENTRY, SCHEDULED]:
        entry = Entry.objects.create(
            title=spec["title"],
            author=author,
            body=_link_pictures(spec["body"], pictures),
            status=Entry.Status.PUBLISHED,
            published_at=now - timedelta(days=spec["days_ago"]),
            cover=pictures.get(spec.get("cover")),
        )
        entry.tags.set(spec["tags"])
        count += 1
    draft = Entry.objects.create(title=DRAFT["title"], author=author, body=DRAFT["body"])
    draft.tags.set(DRAFT["tags"])
    return count + 1


def _link_pictures(body: str, pictures: dict[str, Image]) -> str:
    for name, picture in pictures.items():
        body = body.replace(f"{{{name}}}", picture.file.url)
    return body


def _image(name: str, data: bytes, alt_text: str) -> Image:
    return Image.objects.create(
        file=ContentFile(data, name=name), alt_text=alt_text, credit="Drawn by the demo loader"
    )


def ensure_demo_admin() -> str | None:
    """Make the local admin account if it is missing; return its new password, else None."""
    users = get_user_model().objects
    if users.filter(username=ADMIN_USERNAME).exists():
        return None
    password = secrets.token_urlsafe(12)
    users.create_superuser(ADMIN_USERNAME, email="", password=password)
    return password
