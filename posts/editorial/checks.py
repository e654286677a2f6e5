"""The pre-publish check: what to look at again before an entry goes out. Nothing here blocks."""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.urls import Resolver404, resolve

from posts.models import Entry, Image, Page, Redirect
from posts.models.redirect import candidates
from posts.rendering.markdown import build_parser
from posts.rendering.pictures import share_image

# An empty excerpt makes lists show the first paragraph, cut to 40 words; past this it reads cut.
LONG_FIRST_PARAGRAPH_WORDS = 60
# Search results cut a description after about this many characters.
DESCRIPTION_MAX_CHARS = 160
# The smallest picture the large link-preview cards show sharp (Open Graph's advice).
SOCIAL_IMAGE_MIN_SIZE = (1200, 630)


@dataclass(frozen=True)
class CheckWarning:
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def prepublish_warnings(entry: Entry | Page) -> list[CheckWarning]:
    """Return what an editor should look at before publishing this entry or page, in order."""
    tokens = build_parser().parse(entry.body or "", {})
    pictures = _pictures(entry)
    return [
        *_missing_alt_text(entry, tokens, pictures),
        *_skipped_headings(tokens),
        *_broken_internal_links(tokens, _own_tag_slugs(entry)),
        *_long_first_paragraph(entry, tokens),
        *_heavy_pictures(pictures),
        *_no_tags(entry),
        *_sharing_fields(entry),
    ]


def _pictures(entry: Entry) -> list[Image]:
    """Return the cover and the body's pictures, each once."""
    pictures = list(entry.images.all()) if entry.pk else []
    if entry.cover is not None and entry.cover not in pictures:
        pictures.insert(0, entry.cover)
    return pictures


def _inline_children(tokens, kind: str):
    for token in tokens:
        if token.type == "inline":
            for child in token.children or []:
                if child.type == kind:
                    yield child


def _missing_alt_text(entry: Entry, tokens, pictures: list[Image]) -> list[CheckWarning]:
    body_alt = {}  # each picture address in the body: whether every use gives an alt
    for image in _inline_children(tokens, "image"):
        src = image.attrGet("src") or ""
        alt = "".join(child.content for child in image.children or []).strip()
        body_alt[src] = body_alt.get(src, True) and bool(alt)
    warnings = []
    ours = set()
    for picture in pictures:
        url = picture.file.url if picture.file else ""
        ours.add(url)
        # The Markdown's own alt text covers a body picture; the cover has only the Image's.
        covered = picture.pk != entry.cover_id and body_alt.get(url, False)
        if not (picture.decorative or picture.alt_text.strip() or covered):
            warnings.append(
                CheckWarning(
                    "alt-text", f"The picture “{picture}” has no alt text and is not decorative."
                )
            )
    # Pictures from elsewhere have only the Markdown's alt text.
    warnings += [
        CheckWarning("alt-text", f"The picture {src} has no alt text.")
        for src, has_alt in body_alt.items()
        if not has_alt and src not in ours
    ]
    return warnings


def _skipped_headings(tokens) -> list[CheckWarning]:
    warnings = []
    previous = 1  # the entry's title is the page's h1
    for token in tokens:
        if token.type != "heading_open":
            continue
        level = int(token.tag[1])
        if level > previous + 1:
            warnings.append(
                CheckWarning(
                    "headings", f"A heading skips a level: h{previous} is followed by h{level}."
                )
            )
        previous = level
    return warnings


def _own_path(href: str) -> str | None:
    """Return the path of a link to this site, or None for other sites and anchors."""
    parts = urlsplit(href)
    if parts.scheme in ("http", "https") and parts.hostname:
        hosts = {host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"}
        return unquote(parts.path) or "/" if parts.hostname in hosts else None
    if not parts.scheme and not parts.netloc and href.startswith("/"):
        return unquote(parts.path)
    return None


def _own_tag_slugs(entry: Entry) -> frozenset[str]:
    """Return the slugs of the entry's own tags: their pages exist once it is published."""
    if not entry.pk or not hasattr(entry, "tags"):  # a page has none
        return frozenset()
    return frozenset(tag.slug for tag in entry.tags.all())


def link_is_broken(path: str, own_tags: frozenset[str] = frozenset()) -> bool:
    """Return True if a reader following this path on our site would get a 404, once the
    entry carrying own_tags (their slugs) is published."""
    if "\x00" in path:  # no page has one, and PostgreSQL refuses it in a query
        return True
    if path.startswith(settings.MEDIA_URL):
        try:
            return not default_storage.exists(path.removeprefix(settings.MEDIA_URL))
        except (SuspiciousFileOperation, ValueError, OSError):
            # A path out of the uploads ("/media/../") or one storage cannot name: no upload.
            return True
    try:
        match = resolve(path)
    except Resolver404:
        return not Redirect.objects.filter(old_path__in=candidates(path)).exists()
    if match.view_name == "posts:entry":
        # A draft linked to is a 404 for readers; a scheduled one will be there in time.
        published = Entry.objects.filter(status=Entry.Status.PUBLISHED)
        return not published.filter(slug=match.kwargs["slug"]).exists()
    if match.view_name in ("posts:tag", "posts:tag-feed", "posts:tag-feed-rss"):
        # A tag's page is a 404 until a published entry carries it (posts.delivery.visibility);
        # one carried by a scheduled entry, or by this one, will be there in time.
        slug = match.kwargs["slug"]
        published = Entry.objects.filter(status=Entry.Status.PUBLISHED)
        return slug not in own_tags and not published.filter(tags__slug=slug).exists()
    if match.view_name == "posts:page":
        # A page's address (a draft page is a 404 for readers, as a draft entry is), or any
        # address no route claims, which only an old address's redirect may still answer.
        if Page.objects.filter(status=Page.Status.PUBLISHED, path=path).exists():
            return False
        return not Redirect.objects.filter(old_path__in=candidates(path)).exists()
    return False


def _broken_internal_links(tokens, own_tags: frozenset[str]) -> list[CheckWarning]:
    warnings = []
    for link in _inline_children(tokens, "link_open"):
        href = link.attrGet("href") or ""
        path = _own_path(href)
        if path is not None and link_is_broken(path, own_tags):
            warnings.append(
                CheckWarning("broken-link", f"The link to {href} leads to a missing page.")
            )
    return warnings


def _long_first_paragraph(entry: Entry, tokens) -> list[CheckWarning]:
    if entry.excerpt.strip():
        return []
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open":
            words = len(tokens[index + 1].content.split())
            if words > LONG_FIRST_PARAGRAPH_WORDS:
                return [
                    CheckWarning(
                        "excerpt",
                        f"The excerpt is empty and the first paragraph has {words} words: "
                        "lists will show it cut short. Write an excerpt.",
                    )
                ]
            return []
    return []


def _heavy_pictures(pictures: list[Image]) -> list[CheckWarning]:
    limit_kb = settings.BLOGSITE_CHECK_IMAGE_MAX_KB
    warnings = []
    for picture in pictures:
        try:
            size = picture.file.size
        except (OSError, ValueError):
            warnings.append(CheckWarning("image-missing", f"The file of “{picture}” is missing."))
            continue
        if size > limit_kb * 1024:
            warnings.append(
                CheckWarning(
                    "image-size",
                    f"The picture “{picture}” is {size // 1024} KB, over {limit_kb} KB.",
                )
            )
    return warnings


def _no_tags(entry: Entry) -> list[CheckWarning]:
    if not hasattr(entry, "tags"):  # pages are found by menu and address, not by topic
        return []
    if entry.pk and entry.tags.exists():
        return []
    return [CheckWarning("tags", "The entry has no tags: readers will not find it by topic.")]


def _sharing_fields(entry: Entry) -> list[CheckWarning]:
    warnings = []
    length = len(entry.meta_description.strip())
    if length > DESCRIPTION_MAX_CHARS:
        warnings.append(
            CheckWarning(
                "description",
                f"The description has {length} characters: search results cut it after "
                f"about {DESCRIPTION_MAX_CHARS}.",
            )
        )
    picture = entry.social_image
    if picture is not None:
        # The size of the copy link previews are given, which is what they show.
        _url, width, height = share_image(picture)
        least_width, least_height = SOCIAL_IMAGE_MIN_SIZE
        if width < least_width or height < least_height:
            warnings.append(
                CheckWarning(
                    "social-image",
                    f"The social image “{picture}” is {width} × {height} pixels: link previews "
                    f"show it blurred or small below {least_width} × {least_height}.",
                )
            )
    return warnings
