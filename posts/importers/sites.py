"""Which site a Markdown file comes from (Jekyll, Hugo, our export) and its addresses there.

A file's site says where its pictures are and what its posts' addresses were: the permalink
pattern of a Jekyll site, the sections of a Hugo one, the `_redirects` file beside an export.
"""

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import yaml
from django.utils.text import slugify

from posts.importers.fields import as_text, names_in
from posts.importers.records import Post, Report

JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
# Jekyll's built-in permalink styles; "date" is its default.
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


@dataclass
class Site:
    """Where a file's site keeps its pictures and what its addresses look like."""

    root: Path | None  # the folder holding _posts/ (Jekyll) or content/ (Hugo)
    kind: str  # "jekyll", "hugo" or "markdown"
    permalink: str = ""
    urls: tuple[str, ...] = ()  # the site's own absolute addresses, for its pictures
    params: dict = field(default_factory=dict)  # a Hugo site's [params], for {{< param >}}
    permalinks: dict = field(default_factory=dict)  # a Hugo site's, by section ("" for all)

    def param(self, name: str) -> str | None:
        """Return a site parameter as text ("author" or "social.github"), or None."""
        value = self.params
        for part in name.split("."):
            if not isinstance(value, dict):
                return None
            value = next((v for k, v in value.items() if str(k).lower() == part.lower()), None)
        return None if value is None or isinstance(value, dict | list) else str(value)

    def reference(self, target: str, path: Path) -> str:
        """Return the old address a Hugo relref or ref, or a Jekyll post_url, names.

        Hugo's is /section/slug/; Jekyll's the permalink its name gives (without categories,
        which only the linked post's front matter holds). The writer then points it at the
        imported entry (posts.importers.internal_links).
        """
        if self.kind == "jekyll":
            name = target.strip().rsplit("/", 1)[-1].removesuffix(".md")
            when, slug = from_name(Path(name + ".md"))
            if when is None:
                return "/" + slug + "/"
            stand_in = Post(origin="", key="", title="", slug=slug, body="", published_at=when)
            return jekyll_permalink(self.permalink or JEKYLL_STYLES["date"], stand_in, slug, [])
        target, hash_, fragment = target.partition("#")
        parts = [p for p in target.strip().removesuffix(".md").split("/") if p]
        if parts and parts[0] == "content":
            parts = parts[1:]
        if parts and parts[-1] in ("index", "_index"):
            parts = parts[:-1]
        if not parts:
            return f"#{fragment}" if fragment else "/"
        if len(parts) == 1 and self.root is not None:
            try:
                section = path.resolve().relative_to(self.root / "content").parts
            except ValueError:
                section = ()
            parts = [section[0], *parts] if len(section) > 1 else parts
        return (
            "/"
            + "/".join([parts[0], parts[-1]] if len(parts) > 1 else parts)
            + "/"
            + (hash_ + fragment)
        )

    def picture_dirs(self) -> list[Path]:
        if self.root is None:
            return []
        return [self.root, self.root / "static", self.root / "assets"]


def folder_site(
    directory: Path,
    sites: dict[Path, Site],
    permalink: str,
    site_urls: tuple[str, ...],
    site_root: Path | None = None,
) -> Site:
    """Return the site of a folder's files; sites holds the ones found before, by folder."""
    export = export_folder(directory)
    if export is not None:
        # Our export's posts/: its pictures are in media/ beside it, inside the export.
        site = Site(export, "markdown", urls=site_urls)
        return sites.setdefault(directory, site)
    for parent in (directory, *directory.parents):
        if parent in sites:
            return sites[parent]
        if parent.name == "_posts":
            site = _jekyll_site(site_root or parent.parent, permalink, site_urls)
            return sites.setdefault(parent, site)
        if parent.name == "content":
            site = _hugo_site(parent.parent, permalink, site_urls)  # its content/ decides
            return sites.setdefault(parent, site)
    return sites.setdefault(
        directory, Site(site_root or _walk_up(directory), "markdown", urls=site_urls)
    )


def _walk_up(directory: Path, levels: int = 3) -> Path:
    """Return the folder of the site a plain folder of posts belongs to: the nearest folder
    above it (three at most) holding a Jekyll or Hugo config, else the folder itself."""
    for parent in (directory, *directory.parents[:levels]):
        if any((parent / mark).is_file() for mark in ("_config.yml", *HUGO_CONFIGS)):
            return parent
    return directory


HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml",
                "config.yml", "config.json")  # fmt: skip


def hugo_config(root: Path) -> dict:
    """Return a Hugo site's settings from its config file, or {} if it has none it can read."""
    for name in HUGO_CONFIGS:
        config = root / name
        if not config.is_file():
            continue
        try:
            text = config.read_text("utf-8")
            if name.endswith(".toml"):
                values = tomllib.loads(text)
            elif name.endswith(".json"):
                values = json.loads(text)
            else:
                values = yaml.safe_load(text)
        except (ValueError, yaml.YAMLError, UnicodeDecodeError, OSError):
            return {}  # tomllib's and json's errors are ValueErrors
        return values if isinstance(values, dict) else {}
    return {}


def _hugo_site(root: Path, permalink: str, site_urls: tuple[str, ...]) -> Site:
    config = hugo_config(root)
    params = config.get("params")
    patterns = config.get("permalinks")
    if isinstance(patterns, dict) and isinstance(patterns.get("page"), dict):
        patterns = patterns["page"]  # Hugo 0.120's form: [permalinks.page]
    patterns = {
        str(k).lower(): v for k, v in (patterns or {}).items() if isinstance(v, str) and v.strip()
    }
    if permalink:  # --permalink wins over the site's config, for every section
        patterns = {"": permalink}
    base = config.get("baseURL") or config.get("baseurl")
    urls = (*site_urls, *([base] if isinstance(base, str) and base.strip() else ()))
    return Site(
        root, "hugo", urls=urls, params=params if isinstance(params, dict) else {},
        permalinks=patterns,
    )  # fmt: skip


def export_folder(folder: Path) -> Path | None:
    """Return the folder export_markdown wrote, if this is its posts/ folder; else None."""
    if folder.name == "posts" and (folder.parent / "_redirects").is_file():
        return folder.parent
    return None


def _jekyll_site(root: Path, permalink: str, site_urls: tuple[str, ...]) -> Site:
    urls = list(site_urls)
    config = root / "_config.yml"
    if config.is_file():
        try:
            settings = yaml.safe_load(config.read_text("utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            settings = {}
        if isinstance(settings, dict):
            permalink = permalink or as_text(settings.get("permalink"))
            if settings.get("url"):
                urls.append(as_text(settings["url"]))
    permalink = permalink or "date"
    return Site(root, "jekyll", JEKYLL_STYLES.get(permalink, permalink), tuple(urls))


def from_name(path: Path) -> tuple[datetime | None, str]:
    """Return the date and slug a file's name gives (Jekyll's 2014-01-02-title.md), if any."""
    stem = path.stem if path.stem != "index" else path.parent.name  # a Hugo page bundle
    match = JEKYLL_NAME.match(stem)
    if not match:
        return None, stem
    year, month, day, slug = match.groups()
    try:
        return datetime(int(year), int(month), int(day)), slug
    except ValueError:
        return None, stem


def import_key(path: Path, site: Site) -> str:
    """What names this file's post for the next import, wherever the folder then is."""
    if site.kind == "hugo":
        return f"hugo:{path.resolve().relative_to(site.root / 'content').as_posix()}"[:500]
    return f"{site.kind}:{path.name}"[:500]


def old_paths(meta: dict, site: Site, post: Post, path: Path, name_slug: str) -> list[str]:
    """Return the addresses the post had: its aliases, its own, or the one its site gave it."""
    paths = []
    for key in ("redirect_from", "aliases"):
        value = meta.get(key)
        if isinstance(value, str):
            paths.append(value)
        elif isinstance(value, list):
            paths += [as_text(v) for v in value if isinstance(v, str | int)]
    own = as_text(meta.get("permalink") or meta.get("url"))
    if own:
        paths.append(own)
    elif site.kind == "jekyll" and post.published_at:
        categories = names_in(meta.get("categories") or meta.get("category"))
        paths.append(jekyll_permalink(site.permalink, post, name_slug, categories))
    elif site.kind == "hugo":
        section = path.resolve().relative_to(site.root / "content").parts
        pattern = site.permalinks.get(section[0].lower() if len(section) > 1 else "")
        pattern = pattern or site.permalinks.get("")
        if pattern and (post.published_at or not re.search(r":(year|month|day)", pattern)):
            paths.append(hugo_permalink(pattern, post, meta, path, section))
        else:
            prefix = f"/{section[0]}" if len(section) > 1 else ""
            paths.append(f"{prefix}/{post.slug}/")
    return [p if p.startswith(("/", "http")) else "/" + p for p in paths if p]


def hugo_permalink(pattern: str, post: Post, meta: dict, path: Path, section: tuple) -> str:
    """Return the address Hugo gave a page under a section's permalink pattern."""
    when = post.published_at or datetime(2000, 1, 1)
    filename = path.parent.name if path.stem == "index" else path.stem
    slug = as_text(meta.get("slug"))
    title = slugify(post.title, allow_unicode=True)
    values = {
        ":year": f"{when.year:04d}",
        ":month": f"{when.month:02d}",
        ":monthname": when.strftime("%B").lower(),
        ":day": f"{when.day:02d}",
        ":weekday": str(when.isoweekday() % 7),
        ":weekdayname": when.strftime("%A").lower(),
        ":yearday": str(when.timetuple().tm_yday),
        ":section": section[0] if len(section) > 1 else "",
        ":sections": "/".join(section[:-1]),
        ":title": title,
        ":slug": slug or title,
        ":filename": filename,
        ":slugorfilename": slug or filename,
        ":contentbasename": filename,
        ":slugorcontentbasename": slug or filename,
    }
    address = re.sub(r":\w+", lambda m: values.get(m.group(0), m.group(0)), pattern)
    return re.sub(r"/{2,}", "/", "/" + address.lstrip("/"))


def jekyll_permalink(pattern: str, post: Post, name_slug: str, categories: list) -> str:
    """Return the address Jekyll gave a post under a permalink pattern."""
    when = post.published_at
    values = {
        ":categories": "/".join(slugify(str(c)) for c in categories if str(c).strip()),
        ":year": f"{when.year:04d}",
        ":short_year": f"{when.year % 100:02d}",
        ":month": f"{when.month:02d}",
        ":i_month": str(when.month),
        ":day": f"{when.day:02d}",
        ":i_day": str(when.day),
        ":y_day": f"{when.timetuple().tm_yday:03d}",
        ":title": name_slug,
        ":slug": post.slug,
        ":output_ext": ".html",
    }
    address = pattern
    for name in sorted(values, key=len, reverse=True):
        address = address.replace(name, values[name])
    return re.sub(r"/{2,}", "/", "/" + address.lstrip("/"))


def read_redirects(paths: list[Path], report: Report) -> dict[str, str]:
    """Return the old -> new addresses of a `_redirects` file (ours or Netlify's) in the folders.

    A line is `old [query] new [status]`. Rewrites (200), splats and placeholders are rules
    for a static host, not addresses: they are left out and reported with their line.
    """
    redirects = {}
    for folder in (path for path in paths if path.is_dir()):
        listing = folder / "_redirects"
        export = export_folder(folder.resolve())
        if not listing.is_file() and export is not None:
            listing = export / "_redirects"  # an export's posts/ was named: it lies beside
        if not listing.is_file():
            continue
        lines = listing.read_text("utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            words = line.split()
            if len(words) < 2 or words[0].startswith("#"):
                continue
            status = words[-1] if words[-1].rstrip("!").isdigit() else "301"
            if words[-1] == status:
                words = words[:-1]
            old, new = words[0], words[-1]
            if len(words) == 3:  # Netlify's query form: "/ p=12 /new"
                old = f"{old}?{words[1]}"
            if not status.rstrip("!").startswith("3") or "*" in old or ":" in old.split("?")[0]:
                report.notes[
                    f"{listing}:{number}: not an old address, left out: {line.strip()}"
                ] += 1
                continue
            redirects[old] = unquote(new)  # the file percent-encodes
    return redirects
