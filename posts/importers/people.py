"""Author profiles and series in and out of an export folder: authors/<slug>.md, series/<slug>.md.

Entries name their authors and series, but not what readers see of them: a profile's display
name, bio, avatar and links, a series' creation time, or a series no entry is part of yet.
export_markdown writes each as a file (front matter for the fields, the body for the bio or
description, pictures in the shared media/ folder); import_markdown reads them back after the
entries, matched by login and by slug, so a second import changes nothing and a dry run writes
nothing. May use posts.models and the importers' front matter; nothing above them.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.dateparse import parse_datetime

from posts.importers import frontmatter
from posts.importers.records import Problem
from posts.models import AuthorProfile, Image, Series

AUTHORS_DIR = "authors"
SERIES_DIR = "series"
PROFILE_KIND = "author"
SERIES_KIND = "series"
LINKS = ("website", "mastodon", "github")
PROFILE_FIELDS = ("display_name", "slug", "bio", "avatar_id", *LINKS)
# A picture the export wrote beside the file, as the body names it.
EXPORTED_PICTURE = re.compile(r"(?<![\w./:-])\.\./media/([^\s\"')>]+)")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def line(self, what: str, dry_run: bool = False) -> str:
        """Say what was done, in the words the entries' summary uses."""
        would = "would be " if dry_run else ""
        return (
            f"{what} {would}created: {self.created}, {would}updated: {self.updated}, "
            f"unchanged: {self.unchanged}"
        )


@dataclass
class PeopleReport:
    profiles: Counts = field(default_factory=Counts)
    series: Counts = field(default_factory=Counts)
    problems: list[Problem] = field(default_factory=list)


def export_people(folder: Path) -> tuple[int, int, dict[int, Image]]:
    """Write every profile and series under folder; return their counts and pictures shown."""
    media_link = re.compile(r"(?<![\w./:-])" + re.escape(settings.MEDIA_URL) + r"([^\s\"')>]+)")
    pictures: dict[int, Image] = {}
    profiles = {}
    for profile in AuthorProfile.objects.select_related("user", "avatar").order_by("slug"):
        names = {unquote(name) for name in media_link.findall(profile.bio)}
        shown = [profile.avatar] if profile.avatar else []
        shown += [image for name, image in Image.objects.named(names).items()]
        shown = list({image.pk: image for image in shown}.values())
        pictures.update({image.pk: image for image in shown})
        bio = media_link.sub(_relative_to({image.file.name for image in shown}), profile.bio)
        profiles[f"{profile.slug}.md"] = _profile_meta(profile, shown) + bio
    series = {
        f"{row.slug}.md": _series_meta(row) + row.description
        for row in Series.objects.order_by("slug")
    }
    _write_folder(folder / AUTHORS_DIR, profiles)
    _write_folder(folder / SERIES_DIR, series)
    return len(profiles), len(series), pictures


def _relative_to(ours: set[str]):
    """Return a substitution pointing these pictures' addresses at ../media/, as entries'."""

    def relative(match: re.Match) -> str:
        return f"../media/{match[1]}" if unquote(match[1]) in ours else match[0]

    return relative


def _profile_meta(profile: AuthorProfile, shown: list[Image]) -> str:
    user = profile.user
    meta = {
        "generator": "blogsite",
        "kind": PROFILE_KIND,
        "login": user.get_username(),
        "name": user.get_full_name(),
        "email": user.email,
        "display_name": profile.display_name,
        "slug": profile.slug,
        "avatar": f"../media/{profile.avatar.file.name}" if profile.avatar else None,
        **{name: getattr(profile, name) for name in LINKS},
        "pictures": [
            {
                "file": f"../media/{image.file.name}",
                "alt": image.alt_text,
                "caption": image.caption,
                "credit": image.credit,
                "decorative": image.decorative,
            }
            for image in shown
        ],
    }
    kept = {"generator", "kind", "login", "name", "slug", "display_name"}
    return frontmatter.dump({k: v for k, v in meta.items() if k in kept or v not in (None, "", [])})


def _series_meta(series: Series) -> str:
    meta = {
        "generator": "blogsite",
        "kind": SERIES_KIND,
        "title": series.title,
        "slug": series.slug,
        "created": series.created_at.isoformat() if series.created_at else None,
    }
    return frontmatter.dump({k: v for k, v in meta.items() if v is not None})


def _write_folder(where: Path, files: dict[str, str]) -> None:
    """Write these files into where, leaving alone those that hold these bytes; drop the rest."""
    if not files and not where.exists():
        return
    where.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        data = text.encode("utf-8")
        target = where / name
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
    for stale in where.glob("*.md"):
        if stale.name not in files:  # deleted since the last export
            stale.unlink()


def export_root(paths: list[Path]) -> Path | None:
    """Return the export folder among these paths (or the one above its posts/), if any."""
    for path in paths:
        for root in (path, path.parent):
            if (root / "_redirects").is_file() and (root / "posts").is_dir():
                return root
    return None


def import_people(root: Path, dry_run: bool = False) -> PeopleReport:
    """Create or update an export's series (by slug) and author profiles (by login)."""
    report = PeopleReport()
    with transaction.atomic():
        for path, meta, body in _documents(root / SERIES_DIR, SERIES_KIND, "slug", report):
            _import_series(path, meta, body, report, dry_run)
        for path, meta, body in _documents(root / AUTHORS_DIR, PROFILE_KIND, "login", report):
            _import_profile(root / "media", path, meta, body, report, dry_run)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _documents(folder: Path, kind: str, key: str, report: PeopleReport):
    """Yield (path, front matter, body) of each file of ours in folder; note the others."""
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        try:
            # Bytes, not read_text: line ends stay as written.
            document = frontmatter.split(path.read_bytes().decode("utf-8"), str(path))
        except (frontmatter.FrontMatterError, UnicodeDecodeError, OSError) as err:
            report.problems.append(getattr(err, "problem", None) or Problem(str(path), str(err)))
            continue
        meta = document.meta
        if meta.get("kind") != kind or not isinstance(meta.get(key), str) or not meta[key]:
            report.problems.append(Problem(str(path), f"not an exported {kind}: no kind or {key}"))
            continue
        yield path, meta, document.body


def _text(meta: dict, key: str) -> str:
    value = meta.get(key)
    return "" if value is None else str(value)


def _import_series(path: Path, meta: dict, body: str, report: PeopleReport, dry_run: bool) -> None:
    series = Series.objects.filter(slug=meta["slug"]).first()
    created = series is None
    series = series or Series(slug=meta["slug"])
    before = (series.title, series.description, series.created_at)
    series.title, series.description = _text(meta, "title"), body
    stamp = parse_datetime(_text(meta, "created")) if meta.get("created") else None
    if stamp is not None:
        series.created_at = stamp
    if not created and (series.title, series.description, series.created_at) == before:
        report.series.unchanged += 1
        return
    try:
        series.full_clean(exclude=["created_at"])
    except ValidationError as err:
        report.problems.append(Problem(str(path), _said(err)))
        return
    if not dry_run:
        series.save()
        if stamp is not None:  # a new series is stamped with the time of its saving
            Series.objects.filter(pk=series.pk).update(created_at=stamp)
    report.series.created += created
    report.series.updated += not created


def _import_profile(
    media: Path, path: Path, meta: dict, body: str, report: PeopleReport, dry_run: bool
) -> None:
    user = _user(meta)
    profile = AuthorProfile.objects.filter(user=user).first() if user.pk else None
    created = profile is None
    profile = profile or AuthorProfile(user=user)
    before = tuple(getattr(profile, name) for name in PROFILE_FIELDS)
    pictures = {}
    for item in meta.get("pictures") or []:
        if isinstance(item, dict):
            image = _picture(media, item, dry_run, report.problems)
            if image is not None:
                pictures[str(item.get("file") or "").removeprefix("../media/")] = image

    def address(match: re.Match) -> str:
        image = pictures.get(unquote(match[1]))
        return image.file.url if image is not None else match[0]

    profile.bio = EXPORTED_PICTURE.sub(address, body)
    profile.display_name, profile.slug = _text(meta, "display_name"), _text(meta, "slug")
    for name in LINKS:
        setattr(profile, name, _text(meta, name))
    avatar = pictures.get(_text(meta, "avatar").removeprefix("../media/"))
    profile.avatar_id = avatar.pk if avatar is not None else None
    if not created and tuple(getattr(profile, name) for name in PROFILE_FIELDS) == before:
        report.profiles.unchanged += 1
        return
    try:
        # The user and avatar are ours to vouch for: a dry run's are not stored.
        profile.full_clean(exclude=["user", "avatar"])
    except ValidationError as err:
        report.problems.append(Problem(str(path), _said(err)))
        return
    if not dry_run:
        if user.pk is None:  # made only now: a refused profile leaves no account behind
            user.save()
            profile.user = user
        profile.save()
    report.profiles.created += created
    report.profiles.updated += not created


def _said(err: ValidationError) -> str:
    return "; ".join(f"{name}: {' '.join(said)}" for name, said in err.message_dict.items())


def _user(meta: dict):
    """Return the account with the file's login, or a new inactive one, not yet saved."""
    users = get_user_model().objects
    username = _text(meta, "login")[:150]
    user = users.filter(username=username).first()
    if user is not None:
        return user
    first, _, last = _text(meta, "name").partition(" ")
    # An author who never logs in here: an inactive account with no usable password.
    user = users.model(
        username=username, first_name=first[:150], last_name=last[:150],
        email=_text(meta, "email")[:254], is_active=False,
    )  # fmt: skip
    user.set_unusable_password()
    return user


def _picture(media: Path, item: dict, dry_run: bool, problems: list[Problem]) -> Image | None:
    """Return the Image an exported picture was written from, one with its bytes, or a new one."""
    name = str(item.get("file") or "").removeprefix("../media/")
    path = media / name
    if not name or ".." in Path(name).parts or not path.is_file():
        return None
    image = Image.objects.filter(file=name).first()
    if image is not None:
        return image
    with path.open("rb") as handle:
        image = Image.objects.with_bytes(handle)
        if image is not None or dry_run:  # a dry run stores no file
            return image
        image = Image(
            alt_text=str(item.get("alt") or "")[:300],
            caption=str(item.get("caption") or "")[:500],
            credit=str(item.get("credit") or "")[:200],
            decorative=bool(item.get("decorative")),
        )
        image.file = File(handle, name=path.name)
        try:
            image.save()
        except ValidationError as err:
            # Not a picture after all: the profile comes without it, and the summary says so.
            problems.append(Problem(str(path), " ".join(err.messages)))
            return None
    return image
