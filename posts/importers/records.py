"""What every importer shares: the records a source becomes, its problems, the report.

A reader (markdown, wordpress) turns its source into Posts without touching the database; the
writer (posts.importers.writer) stores them. A picture stands in a Post's body as a mark.
"""

import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from posts.rendering.markdown import render_entry

# A picture the source refers to stands in the body as this mark until it is an Image. The
# token, new for each import, keeps a source's own text from ever reading as a mark (a body
# holding "@@blogsite-image-7@@" once stopped the import with an IndexError).
_MARK_TOKEN = secrets.token_hex(6)
IMAGE_MARK = f"@@blogsite-image-{_MARK_TOKEN}-{{}}@@"
_IMAGE_MARK = re.compile(rf"@@blogsite-image-{_MARK_TOKEN}-(\d+)@@")
MISSING_PICTURE = "picture not found, address kept: "  # then the address, a tab, the file
# From this many entries on, rendering is shared among the machine's cores.
PARALLEL_FROM = 200


@dataclass
class Problem:
    """Why one source file (or one item of it) cannot be imported."""

    origin: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.origin}:{self.line}" if self.line else self.origin
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The source holds problems and nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class Author:
    username: str
    name: str = ""
    email: str = ""
    # The source names the account exactly (our export): "bob" is not "Bob", and another
    # account with the same email is someone else.
    exact: bool = False


@dataclass
class SeriesRef:
    """The series a post belongs to, as its source names it."""

    slug: str
    title: str
    description: str = ""


@dataclass
class ImageRef:
    """A local picture file and what the source says about it."""

    path: Path
    alt: str = ""
    caption: str = ""
    credit: str = ""
    decorative: bool = False
    # The stored name our export wrote it from (images/2024/05/a.jpg), when it came from one.
    stored_name: str = ""


@dataclass
class Post:
    """One entry as a source describes it, before it touches the database."""

    origin: str  # the file (and item) it came from, for messages
    key: str  # what identifies the source for the next import: "jekyll:<file name>", …
    title: str
    slug: str
    body: str  # Markdown; IMAGE_MARK.format(n) stands for images[n]
    excerpt: str = ""
    draft: bool = False
    published_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    author: Author | None = None
    # The byline after the first author, in order (front matter's `authors:` list).
    coauthors: list[Author] = field(default_factory=list)
    series: SeriesRef | None = None
    series_part: int | None = None
    tags: list[str] = field(default_factory=list)
    cover: ImageRef | None = None
    images: list[ImageRef] = field(default_factory=list)
    old_paths: list[str] = field(default_factory=list)
    # Its readers' comments (posts.signals.ImportedComment), for the app that keeps comments.
    comments: list = field(default_factory=list)
    # (body_html, body_text, summary), when a reader could render it already (a new post
    # showing no pictures): the writer then does not render it again.
    rendered: tuple[str, str, str] | None = None

    def authors(self) -> list[Author | None]:
        """Return the byline: the author (None: the importer's default), then co-authors."""
        return [self.author, *self.coauthors]

    def prerender(self) -> None:
        """Render the body now, if nothing the database holds can change the result."""
        if self.images or settings.MEDIA_URL in self.body:
            return
        html, text, summary, _images = render_entry(
            self.body, self.excerpt, has_cover=self.cover is not None, known={}
        )
        self.rendered = (html, text, summary)

    def add_image(self, ref: ImageRef) -> str:
        """Return the mark that stands for this picture in the body."""
        for index, known in enumerate(self.images):
            if known.path == ref.path:
                return IMAGE_MARK.format(index)
        self.images.append(ref)
        return IMAGE_MARK.format(len(self.images) - 1)

    def with_pictures(self, address: Callable[[ImageRef], str]) -> str:
        """Return the body with each picture's mark replaced by address(picture)."""
        return _IMAGE_MARK.sub(lambda m: address(self.images[int(m.group(1))]), self.body)


@dataclass
class Report:
    """What an import did (or, in a dry run, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # invalid sources, with --skip-invalid
    images_new: int = 0
    images_reused: int = 0
    tags_new: int = 0
    users_new: int = 0
    redirects_new: int = 0
    comments_new: int = 0
    comments_known: int = 0
    comments_unkept: int = 0  # no app received them: they stay in the source
    notes: Counter = field(default_factory=Counter)  # "kept as text: {% include %}" -> times
    counted: Counter = field(default_factory=Counter)  # things seen and not imported


def aware(value: datetime | None) -> datetime | None:
    """Return the time with a time zone: a naive one is taken as the site's TIME_ZONE."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)
