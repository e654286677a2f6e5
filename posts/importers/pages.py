"""Pages in and out of an export folder: pages/<address>.md beside the entries' posts/.

export_markdown writes each page with its fields as front matter and its pictures in the
shared media/ folder; import_markdown reads them back after the entries, parents before
children, matched by address, so a second import changes nothing.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.utils.dateparse import parse_datetime

from posts.importers import frontmatter
from posts.importers.records import Problem
from posts.models import Image, Page, Redirect

PAGES_DIR = "pages"
KIND = "page"
# The fields a page's front matter holds as they are stored.
TEXT_FIELDS = ("title", "slug", "status", "excerpt", "seo_title", "meta_description")
TIME_FIELDS = {"date": "published_at", "created": "created_at", "updated": "updated_at"}


@dataclass
class PagesReport:
    written: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


def file_name(path: str) -> str:
    """Return the file a page at this address is exported to: /a/b/ -> a--b.md."""
    return path.strip("/").replace("/", "--") + ".md"


def export_pages(folder: Path) -> tuple[int, dict[int, Image]]:
    """Write every page under folder/pages; return how many and the pictures they show."""
    pages_dir = folder / PAGES_DIR
    pages = list(
        Page.objects.select_related("parent", "author", "cover", "social_image")
        .prefetch_related("images", "redirects")
        .order_by("path")
    )
    if not pages and not pages_dir.exists():
        return 0, {}
    pages_dir.mkdir(parents=True, exist_ok=True)
    media_link = re.compile(r"(?<![\w./:-])" + re.escape(settings.MEDIA_URL) + r"([^\s\"')>]+)")
    pictures: dict[int, Image] = {}
    written = set()
    for page in pages:
        shown = [image for image in (page.cover, page.social_image) if image is not None]
        shown += list(page.images.all())
        names = {unquote(name) for name in media_link.findall(page.body)}
        known = {image.file.name for image in shown}
        shown += list(Image.objects.named(names - known).values())
        shown = list({image.pk: image for image in shown}.values())
        pictures.update({image.pk: image for image in shown})
        body = media_link.sub(_relative_to({image.file.name for image in shown}), page.body)
        name = file_name(page.path)
        data = (_front_matter(page, shown) + body).encode("utf-8")
        target = pages_dir / name
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
        written.add(name)
    for stale in pages_dir.glob("*.md"):
        if stale.name not in written:  # a page deleted since the last export
            stale.unlink()
    return len(pages), pictures


def _relative_to(ours: set[str]):
    """Return a substitution pointing these pictures' addresses at ../media/, as entries'."""

    def relative(match: re.Match) -> str:
        name = unquote(match.group(1))
        return f"../media/{name}" if name in ours else match.group(0)

    return relative


def _front_matter(page: Page, shown: list[Image]) -> str:
    def media(image: Image | None) -> str | None:
        return f"../media/{image.file.name}" if image is not None else None

    meta = {
        "generator": "blogsite",
        "kind": KIND,
        "path": page.path,
        "parent": page.parent.path if page.parent_id else None,
        **{name: getattr(page, name) for name in TEXT_FIELDS},
        **{key: _time(getattr(page, name)) for key, name in TIME_FIELDS.items()},
        "author": page.author.get_username(),
        "author_name": page.author.get_full_name(),
        "author_email": page.author.email,
        "cover": media(page.cover),
        "social_image": media(page.social_image),
        "pictures": [
            {
                "file": media(image),
                "alt": image.alt_text,
                "caption": image.caption,
                "credit": image.credit,
                "decorative": image.decorative,
            }
            for image in shown
        ],
        "redirect_from": sorted(page.redirects.values_list("old_path", flat=True)),
    }
    kept = {"author_name", "excerpt", "seo_title", "meta_description"}
    return frontmatter.dump({k: v for k, v in meta.items() if k in kept or v not in (None, "", [])})


def _time(value) -> str | None:
    return value.isoformat() if value else None


def pages_folder(paths: list[Path]) -> Path | None:
    """Return the pages/ folder of the export among these paths (or beside its posts/)."""
    for path in paths:
        for root in (path, path.parent):
            candidate = root / PAGES_DIR
            if (root / "_redirects").is_file() and candidate.is_dir():
                return candidate
    return None


def import_pages(folder: Path, dry_run: bool = False) -> PagesReport:
    """Create or update a page for each file in an export's pages/ folder, by address."""
    report = PagesReport()
    documents = []
    for path in sorted(folder.glob("*.md")):
        try:
            # Bytes, not read_text: line ends stay as written (a browser writes CRLF).
            document = frontmatter.split(path.read_bytes().decode("utf-8"), str(path))
        except (frontmatter.FrontMatterError, UnicodeDecodeError, OSError) as err:
            problem = getattr(err, "problem", None) or Problem(str(path), str(err))
            report.problems.append(problem)
            continue
        meta = document.meta
        if meta.get("kind") != KIND or not isinstance(meta.get("path"), str):
            report.problems.append(Problem(str(path), "not a page of ours: no kind or path"))
            continue
        documents.append((path, meta, document.body))
    # Parents first: a child's address starts with its parent's.
    documents.sort(key=lambda item: item[1]["path"].count("/"))
    with transaction.atomic():
        for _path, meta, body in documents:
            _import_one(folder.parent / "media", meta, body, report, dry_run)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _import_one(media: Path, meta: dict, body: str, report: PagesReport, dry_run: bool) -> None:
    pictures = {}
    for item in meta.get("pictures") or []:
        image = _picture(media, item)
        if image is not None:
            pictures[item["file"]] = image
    for address, image in pictures.items():
        body = body.replace(address, image.file.url)
    page = Page.objects.filter(path=meta["path"]).first()
    created = page is None
    page = page or Page()
    before = _state(page) if not created else None
    page.parent = Page.objects.filter(path=meta["parent"]).first() if meta.get("parent") else None
    for name in TEXT_FIELDS:
        setattr(page, name, str(meta.get(name) or ""))
    page.body = body
    page.author = _user(meta)
    page.cover = pictures.get(meta.get("cover"))
    page.social_image = pictures.get(meta.get("social_image"))
    times = {name: parse_datetime(str(meta[key])) if meta.get(key) else None
             for key, name in TIME_FIELDS.items()}  # fmt: skip
    page.published_at = times["published_at"]
    if times["created_at"]:
        page.created_at = times["created_at"]
    if not created and _state(page, times["updated_at"]) == before:
        report.unchanged += 1
        return
    page.save()
    # save() stamps the time of this import: the page's own time is kept instead.
    if times["updated_at"]:
        Page.objects.filter(pk=page.pk).update(updated_at=times["updated_at"])
    for old in meta.get("redirect_from") or []:
        Redirect.objects.update_or_create(
            old_path=old, defaults={"page": page, "entry": None, "target": ""}
        )
    report.created += created
    report.updated += not created


def _state(page: Page, updated_at=None) -> tuple:
    names = (*TEXT_FIELDS, "body", "parent_id", "author_id", "cover_id", "social_image_id")
    return (
        *(getattr(page, name) for name in names),
        page.published_at,
        page.created_at,
        updated_at or page.updated_at,
    )


def _picture(media: Path, item: dict) -> Image | None:
    """Return the Image this exported picture was written from, or one made from its file."""
    name = str(item.get("file") or "").removeprefix("../media/")
    path = media / name
    if not name or ".." in Path(name).parts or not path.is_file():
        return None
    image = Image.objects.filter(file=name).first()
    if image is not None:
        return image
    with path.open("rb") as handle:
        image = Image.objects.with_bytes(handle)
        if image is not None:
            return image
        handle.seek(0)
        image = Image(
            alt_text=str(item.get("alt") or "")[:300],
            caption=str(item.get("caption") or "")[:500],
            credit=str(item.get("credit") or "")[:200],
            decorative=bool(item.get("decorative")),
        )
        image.file = File(handle, name=path.name)
        image.save()
    return image


def _user(meta: dict):
    users = get_user_model().objects
    username = str(meta.get("author") or "imported")[:150]
    user = users.filter(username=username).first()
    if user is None:
        first, _, last = str(meta.get("author_name") or "").partition(" ")
        user = users.model(
            username=username, first_name=first[:150], last_name=last[:150],
            email=str(meta.get("author_email") or ""), is_active=False,
        )  # fmt: skip
        user.set_unusable_password()
        user.save()
    return user
