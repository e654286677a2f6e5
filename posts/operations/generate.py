"""Made-up content for benchmarks: entries with prose, code, covers and tags over ten years."""

import io
import random
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from taggit.models import Tag, TaggedItem

from posts.models import Entry, EntryAuthor, Image
from posts.operations.maintenance import analyze_database
from posts.search import index_entries

# A vocabulary written for this generator, to make sentences of a plausible shape.
WORDS = (
    "kernel build network cache server release patch test module library compiler package "
    "runtime storage driver protocol parser thread memory socket deploy config migrate index "
    "query schema render request response latency throughput cluster node replica backup "
    "the a of to and in for with on at from by about into over after before under between "
    "we they it this that these those our their its fast slow small large simple careful "
    "new old first last next every some many few more less better worse stable broken "
    "writes reads builds ships tests fixes breaks measures runs starts stops waits "
    "quickly slowly carefully again often rarely always never together apart"
).split()
LANGUAGES = ["python", "rust", "go", "c", "javascript", "sql", "bash", "ocaml"]
CODE = {
    "python": "def handler(request):\n    items = load(request.args)\n    return render(items)\n",
    "rust": 'fn main() {\n    let total: u64 = (1..=10).sum();\n    println!("{total}");\n}\n',
    "go": "func main() {\n\tfor i := 0; i < 3; i++ {\n\t\tfmt.Println(i)\n\t}\n}\n",
    "c": "int main(void) {\n    int n = 0;\n    while (n < 10) n++;\n    return n;\n}\n",
    "javascript": "const total = [1, 2, 3].reduce((a, b) => a + b, 0);\nconsole.log(total);\n",
    "sql": "SELECT id, title FROM entries WHERE published ORDER BY date DESC LIMIT 10;\n",
    "bash": 'for f in *.md; do\n  wc -w "$f"\ndone\n',
    "ocaml": "let rec fact n = if n <= 1 then 1 else n * fact (n - 1)\n",
}
TAG_POOL = 200
COVER_POOL = 24


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 20))
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random) -> str:
    blocks = []
    for index in range(rng.randint(5, 15)):
        if index and index % 4 == 0:
            blocks.append(f"## {_sentence(rng)[:-1].title()}")
        blocks.append(" ".join(_sentence(rng) for _ in range(rng.randint(2, 6))))
        if rng.random() < 0.25:
            language = rng.choice(LANGUAGES)
            blocks.append(f"```{language}\n{CODE[language]}```")
    return "\n\n".join(blocks)


def _cover(rng: random.Random, number: int) -> Image:
    picture = PILImage.new("RGB", (1600, 900), tuple(rng.randint(30, 220) for _ in range(3)))
    draw = ImageDraw.Draw(picture)
    for _ in range(12):
        x, y = rng.randint(0, 1500), rng.randint(0, 800)
        draw.ellipse([x, y, x + rng.randint(40, 300), y + rng.randint(40, 300)],
                     fill=tuple(rng.randint(0, 255) for _ in range(3)))  # fmt: skip
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return Image.objects.create(
        file=ContentFile(buffer.getvalue(), name=f"generated-{number}.jpg"),
        alt_text=f"Generated cover number {number}",
    )


def generate_entries(count: int, seed: int = 1, batch: int = 500, progress=None) -> int:
    """Add count published entries with covers and three tags each; return how many."""
    rng = random.Random(seed)
    author, _ = get_user_model().objects.get_or_create(
        username="generator", defaults={"first_name": "Generated", "last_name": "Writer"}
    )
    covers = list(Image.objects.filter(alt_text__startswith="Generated cover")[:COVER_POOL])
    while len(covers) < COVER_POOL:
        covers.append(_cover(rng, len(covers)))
    tags = [Tag.objects.get_or_create(name=f"topic-{n:03d}")[0] for n in range(TAG_POOL)]
    start = Entry.objects.count()
    now = timezone.now()
    made = 0
    while made < count:
        size = min(batch, count - made)
        entries, entry_tags = [], []
        for offset in range(size):
            number = start + made + offset
            chosen = rng.sample(tags, 3)
            entry = Entry(
                title=f"{_sentence(rng)[:-1][:80]} ({number})",
                slug=f"generated-{number}",
                author=author,
                body=_body(rng),
                status=Entry.Status.PUBLISHED,
                published_at=now - timedelta(minutes=rng.randint(60, 10 * 365 * 24 * 60)),
                cover=rng.choice(covers),
                tag_names=" ".join(sorted(tag.name for tag in chosen)),
            )
            entry.render()
            entries.append(entry)
            entry_tags.append(chosen)
        # Each batch is indexed as it is written, with the tag names it already has: a
        # second pass (rebuild_index) over 100,000 entries took longer than making them.
        with transaction.atomic():
            created = Entry.objects.bulk_create(entries)
            TaggedItem.objects.bulk_create(
                TaggedItem(content_object=entry, tag=tag)
                for entry, chosen in zip(created, entry_tags, strict=True)
                for tag in chosen
            )
            # A byline row each, as the admin and the importers write: without one, a page
            # looks the author's profile up by itself, which real entries never need.
            EntryAuthor.objects.bulk_create(
                EntryAuthor(entry=entry, user=author, position=0) for entry in created
            )
            index_entries(created)
        made += size
        if progress:
            progress(size)
    analyze_database()
    return made


def write_markdown_posts(folder: Path, count: int, pictures_every: int = 0, seed: int = 1) -> None:
    """Write count Jekyll posts under folder/_posts (for importer benchmarks and tests).

    One post in pictures_every shows a local picture from folder/images (0: none).
    """
    rng = random.Random(seed)
    posts, pictures = folder / "_posts", folder / "images"
    posts.mkdir(parents=True, exist_ok=True)
    pictures.mkdir(exist_ok=True)
    start = date(2015, 1, 1)
    for number in range(count):
        day = start + timedelta(days=rng.randint(0, 3650))
        title = " ".join(rng.choices(WORDS, k=rng.randint(4, 9))).capitalize()
        tags = ", ".join(f"topic-{n:03d}" for n in rng.sample(range(TAG_POOL), 3))
        body = _body(rng)
        if pictures_every and number % pictures_every == 0:
            name = f"picture-{number}.png"
            picture = PILImage.new("RGB", (320, 200), (number % 256, (number // 256) % 256, 90))
            picture.save(pictures / name, format="PNG")
            body = f"![A generated picture](/images/{name})\n\n{body}"
        (posts / f"{day:%Y-%m-%d}-post-{number}.md").write_text(
            f'---\ntitle: "{title} ({number})"\ndate: {day} 09:00:00 +0000\n'
            f"tags: [{tags}]\nauthor: Bench Writer\n---\n{body}\n",
            encoding="utf-8",
        )
