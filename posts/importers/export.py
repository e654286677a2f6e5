"""The way out: every entry as a Markdown file with YAML front matter, its pictures, its redirects.

The folder is what import_markdown reads back, field for field, and what Jekyll or Hugo read
with little change: posts/<date>-<slug>.md, pages/<address>.md (posts.importers.pages),
authors/<slug>.md and series/<slug>.md (posts.importers.people), media/<the stored names>,
_redirects.
"""

import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import ngettext
from taggit.models import TaggedItem

from posts.importers import frontmatter
from posts.importers.pages import export_pages
from posts.importers.people import export_people
from posts.models import Entry, EntryAuthor, Image, Redirect
from posts.models.redirect import rule_address

# Marks our own files: the importer then takes the body exactly as it is, template tags and all.
GENERATOR = "blogsite"
CHUNK = 500
# A dated file's name starts so: an undated draft's slug may too (its title began with a date).
DATED_NAME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}-")


@dataclass
class ExportReport:
    entries: int = 0
    entries_unchanged: int = 0  # of entries: their files held these very bytes already
    pictures: int = 0
    pictures_unchanged: int = 0  # of pictures, likewise
    redirects: int = 0
    pages: int = 0
    profiles: int = 0
    series: int = 0
    missing: list[str] | None = None

    def describe(self, folder: Path) -> str:
        """Say in a sentence what the export wrote and what it found as it was."""
        entries = _written_or_unchanged(self.entries, self.entries_unchanged, "entry", "entries")
        pictures = _written_or_unchanged(
            self.pictures, self.pictures_unchanged, "picture", "pictures"
        )
        redirects = counted(self.redirects, "redirect", "redirects")
        others = [
            counted(count, one, many)
            for count, one, many in [
                (self.pages, "page", "pages"),
                (self.profiles, "author profile", "author profiles"),
                (self.series, "series", "series"),
            ]
            if count
        ]
        rest = "".join(f"; {other}" for other in others)
        return f"Exported to {folder}: {entries}; {pictures}; {redirects}{rest}."


def counted(count: int, one: str, many: str) -> str:
    """Return "1 entry", "2 entries": the count and the noun that goes with it."""
    return f"{count} {ngettext(one, many, count)}"


def _written_or_unchanged(total: int, unchanged: int, one: str, many: str) -> str:
    """Return "3 entries written", "8 entries unchanged" or "1 entry written, 7 unchanged"."""
    written = total - unchanged
    if total and not written:
        return f"{counted(total, one, many)} unchanged"
    if not unchanged:
        return f"{counted(total, one, many)} written"
    return f"{counted(written, one, many)} written, {unchanged} unchanged"


def export_markdown(folder: Path, progress=None) -> ExportReport:
    """Write every entry, page, profile, series, picture and redirect under folder; say what."""
    report = ExportReport(missing=[])
    posts_dir, media_dir = folder / "posts", folder / "media"
    posts_dir.mkdir(parents=True, exist_ok=True)
    zone = timezone.get_current_timezone()
    pictures, written = _write_posts(posts_dir, zone, report, progress)
    for stale in posts_dir.glob("*.md"):
        if stale.name not in written:  # an entry deleted since the last export
            stale.unlink()
    report.pages, page_pictures = export_pages(folder)
    pictures.update(page_pictures)
    report.profiles, report.series, people_pictures = export_people(folder)
    pictures.update(people_pictures)
    for image in pictures.values():
        _copy_picture(image, media_dir, report)
    _remove_stale_pictures(media_dir, {image.file.name for image in pictures.values()})
    report.redirects = _write_redirects(folder / "_redirects", zone)
    return report


def _write_posts(
    posts_dir: Path, zone, report: ExportReport, progress
) -> tuple[dict[int, Image], set[str]]:
    """Write every entry as a Markdown file; return the pictures they show and the files' names."""
    media_url = settings.MEDIA_URL
    media_link = re.compile(r"(?<![\w./:-])" + re.escape(media_url) + r"([^\s\"')>]+)")
    # Pictures as a plain list: through the related manager, each entry's cost more to
    # set up than the query that fetched them all. Authors are few: read once, not per row.
    entries = (
        Entry.objects.select_related("cover", "series")
        .prefetch_related(Prefetch("images", to_attr="image_list"))
        .defer("body_html", "body_text", "summary", "tag_names")
    )
    ids = list(Entry.objects.order_by("pk").values_list("pk", flat=True))
    writers = get_user_model().objects.filter(pk__in=Entry.objects.values("author_id"))
    authors = {user.pk: user for user in writers}
    pictures: dict[int, Image] = {}
    written = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        tags, old_paths, bylines = _tag_names(chunk), _old_paths(chunk), _bylines(chunk)
        for entry in entries.filter(pk__in=chunk).order_by("pk"):
            if entry.author_id in authors:  # else an entry saved since by a new author
                entry.author = authors[entry.author_id]
            # Every stored file the body points to, linked or shown, and the cover. (Most
            # bodies name none: the pattern, slow to try at every place, is not tried.)
            links = media_url in entry.body
            names = {unquote(name) for name in media_link.findall(entry.body)} if links else set()
            shown = [entry.cover] if entry.cover else []
            shown += [image for image in entry.image_list if image.pk != entry.cover_id]
            known = {image.file.name for image in shown}
            if names - known:
                shown += list(Image.objects.named(names - known).values())
            for image in shown:
                pictures[image.pk] = image
            name = _file_name(entry, zone)
            meta = _front_matter(
                entry,
                shown,
                tags.get(entry.pk, []),
                old_paths.get(entry.pk, []),
                bylines.get(entry.pk, []),
            )
            # Only the addresses of the pictures exported beside it: other /media/ links
            # (a PDF uploaded elsewhere) stay as they are.
            body = entry.body
            if links:
                body = media_link.sub(_relative_to({image.file.name for image in shown}), body)
            # A file that already says this is left alone, its time with it: rsync, make
            # and backups then see only what changed since the last export.
            data = (meta + body).encode("utf-8")
            if _holds(posts_dir / name, data):
                report.entries_unchanged += 1
            else:
                (posts_dir / name).write_bytes(data)
            written.add(name)
            report.entries += 1
            if progress:
                progress(1)
    return pictures, written


def _relative_to(exported: set[str]):
    """Return a substitution that points the exported pictures' addresses at ../media/."""

    def relative(match: re.Match) -> str:
        return f"../media/{match.group(1)}" if unquote(match.group(1)) in exported else match[0]

    return relative


def _file_name(entry: Entry, zone) -> str:
    # A draft with no date gets no date in its name: the importer would take it for one.
    # A slug that starts like a date is marked, or "2014-01-02-hello" (undated) and "hello"
    # (of that day) would share one file, and the later would overwrite the earlier.
    if entry.published_at is None:
        return f"{entry.slug}.undated.md" if DATED_NAME.match(entry.slug) else f"{entry.slug}.md"
    return f"{timezone.localtime(entry.published_at, zone):%Y-%m-%d}-{entry.slug}.md"


def _tag_names(ids: list[int]) -> dict[int, list[str]]:
    names = defaultdict(list)
    rows = TaggedItem.objects.filter(
        content_type__app_label="posts", content_type__model="entry", object_id__in=ids
    ).values_list("object_id", "tag__name")
    for pk, name in rows:
        names[pk].append(name)
    return {pk: sorted(found) for pk, found in names.items()}


def _old_paths(ids: list[int]) -> dict[int, list[str]]:
    paths = defaultdict(list)
    rows = Redirect.objects.filter(entry_id__in=ids).order_by("old_path")
    for pk, old_path in rows.values_list("entry_id", "old_path"):
        paths[pk].append(old_path)
    return paths


def _bylines(ids: list[int]) -> dict[int, list]:
    """Return each entry's authors (users) in byline order: one query for the chunk."""
    found = defaultdict(list)
    rows = EntryAuthor.objects.filter(entry_id__in=ids).select_related("user")
    for row in rows.order_by("entry_id", "position", "pk"):
        found[row.entry_id].append(row.user)
    return found


def _person(user) -> dict:
    return {"login": user.get_username(), "name": user.get_full_name(), "email": user.email}


def _front_matter(
    entry: Entry, shown: list[Image], tags: list[str], old_paths: list[str], byline: list
) -> str:
    series = entry.series
    meta = {
        "generator": GENERATOR,
        "title": entry.title,
        "slug": entry.slug,
        "status": entry.status,
        "date": _time(entry.published_at),
        "created": _time(entry.created_at),
        "updated": _time(entry.updated_at),
        "author": entry.author.get_username(),
        "author_name": entry.author.get_full_name(),
        "author_email": entry.author.email,
        # Only for more than one: the first is `author` above, as one-author entries have it.
        "authors": [_person(user) for user in byline] if len(byline) > 1 else [],
        "series": (
            {"slug": series.slug, "title": series.title, "description": series.description}
            if series is not None
            else None
        ),
        "series_part": entry.series_part if series is not None else None,
        "import_key": entry.import_key,
        "excerpt": entry.excerpt,
        "tags": tags,
        "cover": f"../media/{entry.cover.file.name}" if entry.cover else None,
        "pictures": [
            {
                "file": f"../media/{image.file.name}",
                "alt": image.alt_text,
                "caption": image.caption,
                "credit": image.credit,
                "decorative": image.decorative,
            }
            for image in {image.pk: image for image in shown}.values()
        ],
        "redirect_from": old_paths,
    }
    kept = {"author_name"}  # an empty name is still the name: the importer must not guess one
    return frontmatter.dump({k: v for k, v in meta.items() if k in kept or v not in (None, "", [])})


def _time(value) -> str | None:
    return value.isoformat() if value else None


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _copy_picture(image: Image, media_dir: Path, report: ExportReport) -> None:
    target = media_dir / image.file.name
    try:
        with image.file.open("rb") as source:
            data = source.read()
    except OSError:
        report.missing.append(image.file.name)
        return
    report.pictures += 1
    if _holds(target, data):
        report.pictures_unchanged += 1
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _remove_stale_pictures(media_dir: Path, exported: set[str]) -> None:
    """Remove the pictures an earlier export wrote that no entry shows now, and empty folders."""
    # A picture missing from storage is in exported: its earlier copy is all that is left.
    for parent, _folders, files in os.walk(media_dir, topdown=False):
        here = Path(parent)
        for name in files:
            if (here / name).relative_to(media_dir).as_posix() not in exported:
                (here / name).unlink()
        if here != media_dir and not any(here.iterdir()):
            here.rmdir()


def _write_redirects(path: Path, zone) -> int:
    """Write every redirect, entries' too, in the `old new 301` form static hosts read."""
    rows = Redirect.objects.order_by("old_path").values_list(
        "old_path", "target", "entry__slug", "entry__published_at", "entry__created_at",
        "page__path",
    )  # fmt: skip
    lines = []
    for old_path, target, slug, published, created, page in rows:
        new = Entry.path_for(slug, published, created, zone) if slug else page or target
        lines.append(f"{rule_address(old_path)} {rule_address(new)} 301")
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return len(lines)
