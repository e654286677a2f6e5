"""Markdown files with front matter (Jekyll's _posts, Hugo's content, our own export) as Posts."""

import multiprocessing
import os
import re
import reprlib
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from django.utils.text import slugify

from posts.importers import frontmatter, templates
from posts.importers.base import (
    PARALLEL_FROM,
    Author,
    ImageRef,
    ImportFailed,
    Post,
    Problem,
    Report,
    check_picture,
)
from posts.importers.export import GENERATOR
from posts.models import Entry
from posts.textscan import sub_tag_matches, tag_matches

SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
# Jekyll's built-in permalink styles; "date" is its default.
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
MAX_FILE_BYTES = 5_000_000
MISSING = Path("/nonexistent/picture")  # what _resolve says of a picture it may not read
SLUG = re.compile(r"[-\w]+")
PICTURE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
# No "[" in the alt text, no "(" in the address (with one, it never named a picture file):
# from each "![" the pattern looks no further than the next, or a line of "![a](" took minutes.
# Around the address, spaces and at most one line break, as CommonMark allows.
_MD_IMAGE = re.compile(
    r'!\[([^\[\]]*+)\]\([ \t]*+\n?[ \t]*+<?([^()\s>]++)>?(\s+"[^"]*")?[ \t]*+\n?[ \t]*+\)'
)
_HTML_IMAGE = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["']?)([^"'\s>]+)\2""", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)  # where _HTML_IMAGE is tried: see tag_matches
_TAG_EDGE = re.compile(r"[<>]")
_HTML_ALT = re.compile(r"""\balt\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
# A definition's label holds no bracket; its address may follow on the next line.
_REFERENCE = re.compile(
    r"^( {0,3}\[[^\[\]]++\]:[ \t]*+\n?[ \t]*+<?)(\S+?)(>?(?:[ \t].*)?)$", re.MULTILINE
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_EXPORTED = re.compile(r"\.\./media/[^\s\"'<>()\[\]]+")
EXPORTED_MEDIA = "../media/"


@dataclass
class Site:
    """Where a file's site keeps its pictures and what its addresses look like."""

    root: Path | None  # the folder holding _posts/ (Jekyll) or content/ (Hugo)
    kind: str  # "jekyll", "hugo" or "markdown"
    permalink: str = ""
    urls: tuple[str, ...] = ()  # the site's own absolute addresses, for its pictures

    def picture_dirs(self) -> list[Path]:
        if self.root is None:
            return []
        return [self.root, self.root / "static", self.root / "assets"]


@dataclass
class Options:
    permalink: str = ""  # a Jekyll permalink pattern or style, overriding _config.yml
    site_urls: tuple[str, ...] = ()
    default_author: Author | None = None
    skip_invalid: bool = False
    sites: dict[Path, Site] = field(default_factory=dict)
    folder_sites: dict[Path, Site] = field(default_factory=dict)  # by folder as found, for _site
    roots: tuple[Path, ...] = ()  # pictures are read from inside these folders only
    known_keys: set[str] = field(default_factory=set)  # sources imported before


def find_files(paths: list[Path]) -> list[Path]:
    """Return the Markdown files under these paths, in a stable order; Hugo's _index files out."""
    found = []
    for path in paths:
        if path.is_dir():
            # Sorted by their parts, the order of Paths: comparing Paths themselves took
            # a third of the listing's time (0.15 s for 10,000 files).
            found += sorted(_markdown_files(path), key=lambda p: p.parts)
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _markdown_files(folder: Path) -> Iterator[Path]:
    """Yield the Markdown files in a folder and its subfolders, hidden ones (.git) left out.

    Links to folders are not followed; links to files are taken. One scandir per folder:
    each entry says what it is without another system call.
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # a folder that cannot be listed holds nothing to import
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _markdown_files(folder / entry.name)
        elif (
            os.path.splitext(entry.name)[1].lower() in SUFFIXES
            and not entry.name.startswith("_index.")
            and entry.is_file()
        ):
            yield folder / entry.name


def read_posts(paths: list[Path], options: Options, report: Report) -> list[Post]:
    """Parse every file; raise ImportFailed listing every broken one unless skip_invalid."""
    return [post for batch in read_batches(paths, options, report) for post in batch]


def read_batches(
    paths: list[Path], options: Options, report: Report, size: int = 500
) -> Iterator[list[Post]]:
    """Yield the posts as they are read, size at a time, so that writing can start early.

    Broken files are collected; at the end they raise ImportFailed (the writer's
    transaction then takes back what it wrote) unless skip_invalid lists them in the report.
    """
    files = find_files(paths)
    options.roots = (
        tuple((path if path.is_dir() else path.parent).resolve() for path in paths) + options.roots
    )
    with ExitStack() as stack:
        if len(files) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1:
            # Reading is pure (files in, Posts out): forked workers share it, and render
            # the posts that are new while they are at it (the writer renders the rest).
            options.known_keys = set(
                Entry.objects.exclude(import_key="").values_list("import_key", flat=True)
            )
            context = multiprocessing.get_context("fork")
            pool = stack.enter_context(
                context.Pool(min(os.cpu_count(), 4), _start_worker, (options,))
            )
            results = pool.imap(_read_in_worker, files, chunksize=100)
        else:
            results = (_read_one(path, options) for path in files)
        batch, problems = [], []
        for post, problem, notes in results:
            report.notes.update(notes)
            if problem is not None:
                problems.append(problem)
            elif not problems or options.skip_invalid:  # after a failure: only look on
                batch.append(post)
                if len(batch) >= size:
                    yield batch
                    batch = []
    if problems and not options.skip_invalid:
        raise ImportFailed(problems)
    report.skipped += problems
    if batch:
        yield batch


_worker_options: Options | None = None


def _start_worker(options: Options) -> None:
    global _worker_options
    _worker_options = options


def _read_in_worker(path: Path):
    post, problem, notes = _read_one(path, _worker_options)
    if post is not None and post.key not in _worker_options.known_keys:
        post.prerender()
    return post, problem, notes


def _read_one(path: Path, options: Options) -> tuple[Post | None, Problem | None, Counter]:
    report = Report()
    try:
        return read_post(path, options, report), None, report.notes
    except frontmatter.FrontMatterError as err:
        return None, err.problem, report.notes
    except OSError as err:
        return None, Problem(str(path), f"cannot be read: {err.strerror or err}"), report.notes
    except (TypeError, ValueError, AttributeError, OverflowError, RecursionError) as err:
        # A value of an unexpected kind that no check above caught: the file, not a traceback.
        return None, Problem(str(path), f"holds a value that cannot be read: {err}"), report.notes


def read_post(path: Path, options: Options, report: Report) -> Post:
    """Return the Post one Markdown file describes."""
    origin = str(path)
    with path.open("rb") as handle:  # one open for the size and the bytes
        if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
            raise frontmatter.FrontMatterError(
                Problem(origin, f"is larger than {MAX_FILE_BYTES // 1_000_000} MB: not a post")
            )
        data = handle.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise frontmatter.FrontMatterError(
            Problem(origin, f"is not UTF-8 text (byte {data[err.start]:#x})", line)
        ) from None
    if not text.strip():
        raise frontmatter.FrontMatterError(Problem(origin, "is empty"))
    document = frontmatter.split(text, origin)
    meta = document.meta
    # Our own export holds every field exactly as it was: nothing to convert or tidy.
    ours = meta.get("generator") == GENERATOR
    site = _site(path, options)
    name_date, name_slug = _from_name(path)
    published = _date(meta, ("date", "publishdate", "pubdate"), document, origin)
    if published is None and not ours:  # ours says when it has a date: a draft has none
        published = name_date
    updated = _date(meta, ("last_modified_at", "lastmod", "updated", "modified"), document, origin)
    created = _date(meta, ("created",), document, origin)
    slug = _slug(_text(meta.get("slug")) or name_slug) or _slug(_text(meta.get("title")))
    title = _text(meta.get("title"), exact=ours)
    title = title if ours else " ".join(title.split())
    title = title or name_slug.replace("-", " ").capitalize()
    draft = _flag(meta.get("draft")) or _flag(meta.get("published"), default=True) is False
    status = _text(meta.get("status")).lower()
    if status in ("draft", "private", "pending"):
        draft = True
    excerpt = meta.get("excerpt") or meta.get("description") or meta.get("summary")
    post = Post(
        origin=origin,
        key=_text(meta.get("import_key")) if ours else _key(path, site),
        title=title,
        slug=slug or "entry",
        body="",
        excerpt=_text(excerpt, exact=ours),
        draft=draft,
        published_at=published,
        created_at=created,
        updated_at=updated,
        author=_author(meta, exact=ours) or options.default_author,
        tags=_tags(meta, exact=ours),
    )
    pictures = _picture_notes(meta)
    post.body = _convert_body(document.body, path, site, post, pictures, report, ours, options)
    post.cover = _cover(meta, path, site, pictures, report, options)
    post.old_paths = _old_paths(meta, site, post, path, name_slug)
    return post


def _slug(text: str) -> str:
    """Keep a slug that is one already (case and all); make one from anything else."""
    if SLUG.fullmatch(text) and len(text) <= 200:
        return text
    return slugify(text, allow_unicode=True)[:200].strip("-")


def _flag(value, default=None) -> bool | None:
    """Read a yes/no value as YAML or TOML authors write it: true, "false", yes, 0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "0"):
        return False
    return default


def _key(path: Path, site: Site) -> str:
    """What names this file's post for the next import, wherever the folder then is."""
    if site.kind == "hugo":
        return f"hugo:{path.resolve().relative_to(site.root / 'content').as_posix()}"[:500]
    return f"{site.kind}:{path.name}"[:500]


def _site(path: Path, options: Options) -> Site:
    # The files of one folder share its site: the folder is resolved once, not every file
    # (a fifth of reading a post went to resolving its path). A link goes by its target.
    folder = path.resolve().parent if path.is_symlink() else path.parent
    site = options.folder_sites.get(folder)
    if site is None:
        site = options.folder_sites[folder] = _folder_site(folder.resolve(), options)
    return site


def _folder_site(directory: Path, options: Options) -> Site:
    export = export_folder(directory)
    if export is not None:
        # Our export's posts/: its pictures are in media/ beside it, inside the export.
        site = Site(export, "markdown", urls=options.site_urls)
        return options.sites.setdefault(directory, site)
    for parent in (directory, *directory.parents):
        if parent in options.sites:
            return options.sites[parent]
        if parent.name == "_posts":
            return options.sites.setdefault(parent, _jekyll_site(parent.parent, options))
        if parent.name == "content":
            site = Site(parent.parent, "hugo", urls=options.site_urls)
            return options.sites.setdefault(parent, site)
    return options.sites.setdefault(directory, Site(directory, "markdown", urls=options.site_urls))


def export_folder(folder: Path) -> Path | None:
    """Return the folder export_markdown wrote, if this is its posts/ folder; else None."""
    if folder.name == "posts" and (folder.parent / "_redirects").is_file():
        return folder.parent
    return None


def _jekyll_site(root: Path, options: Options) -> Site:
    permalink, urls = options.permalink, list(options.site_urls)
    config = root / "_config.yml"
    if config.is_file():
        try:
            settings = yaml.safe_load(config.read_text("utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            settings = {}
        if isinstance(settings, dict):
            permalink = permalink or _text(settings.get("permalink"))
            if settings.get("url"):
                urls.append(_text(settings["url"]))
    permalink = permalink or "date"
    return Site(root, "jekyll", JEKYLL_STYLES.get(permalink, permalink), tuple(urls))


def _from_name(path: Path) -> tuple[datetime | None, str]:
    stem = path.stem if path.stem != "index" else path.parent.name  # a Hugo page bundle
    match = JEKYLL_NAME.match(stem)
    if not match:
        return None, stem
    year, month, day, slug = match.groups()
    try:
        return datetime(int(year), int(month), int(day)), slug
    except ValueError:
        return None, stem


def _text(value, exact: bool = False) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value) if exact else str(value).strip()


def _date(meta: dict, keys: tuple[str, ...], document, origin: str) -> datetime | None:
    for key in keys:
        value = meta.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime.combine(value, time())
        elif isinstance(value, str | int | float):
            parsed = parse_date(str(value))
        else:
            parsed = None  # a list or a mapping
        if parsed is None or not 1000 <= parsed.year <= 9000:
            shown = reprlib.repr(value)
            raise frontmatter.FrontMatterError(
                Problem(origin, f"{key}: {shown} is not a date", document.line_of(key))
            )
        return parsed
    return None


def parse_date(text: str) -> datetime | None:
    """Return the time a front-matter string gives ("2014-01-02 10:00:00 -0500"), or None."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    iso = f"{int(year):04d}-{int(month):02d}-{int(day):02d}T{int(hour or 0):02d}"
    iso += f":{minute or '00'}:{second or '00'}"
    if zone and zone != "Z":
        zone = zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
        iso += zone
    elif zone == "Z":
        iso += "+00:00"
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def _author(meta: dict, exact: bool = False) -> Author | None:
    value = meta.get("author") or meta.get("authors")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        name = _text(value.get("name") or value.get("display_name"))
        login = _text(value.get("login") or value.get("username")) or slugify(name)
        return Author(login, name, _text(value.get("email"))) if login else None
    name = _text(value)
    if not name:
        return None
    # "author: ada" names an account; "author: Ada Lovelace" a person (account ada-lovelace).
    username = name if re.fullmatch(r"[\w.@+-]+", name) else slugify(name) or name
    full_name = _text(meta["author_name"]) if "author_name" in meta else name
    return Author(username, full_name, _text(meta.get("author_email")), exact=exact)


def _tags(meta: dict, exact: bool = False) -> list[str]:
    names = []
    for key in ("tags", "tag", "categories", "category", "keywords"):
        names += _words(meta.get(key))
    tidy = (lambda n: n[:100]) if exact else (lambda n: " ".join(n.split())[:100])
    return list(dict.fromkeys(tidy(n) for n in names if n and n.strip()))


def _words(value) -> list[str]:
    """A list of names as front matter gives it: a list, or a string of them."""
    if isinstance(value, str):
        # Jekyll splits a string of tags on spaces; a comma means a list of phrases.
        return value.split(",") if "," in value else value.split()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]  # "tags: 2014": YAML reads a number, Jekyll a tag
    if isinstance(value, list | tuple):
        return [_text(item) for item in value if not isinstance(item, dict | list)]
    return []


def _picture_notes(meta: dict) -> dict[str, dict]:
    """Return what our export wrote about each picture: alt text, caption, credit."""
    notes = {}
    items = meta.get("pictures")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("file"):
            notes[str(item["file"])] = item
    return notes


def _resolve(src: str, path: Path, site: Site, roots: tuple[Path, ...]) -> Path | None:
    """Return the local file a picture address points to, or None if it is not one of ours."""
    address = src.strip()
    for url in site.urls:
        base = url.rstrip("/")
        if base and address.lower().startswith(base.lower() + "/"):
            address = address[len(base) :]
            break
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    relative = unquote(parts.path)
    if Path(relative).suffix.lower() not in PICTURE_SUFFIXES:
        return None
    if relative.startswith("/"):
        candidates = [base / relative.lstrip("/") for base in site.picture_dirs()]
    else:
        candidates = [path.parent / relative]
    allowed = (*roots, *([site.root.resolve()] if site.root else []))
    for candidate in candidates:
        # ../../etc/x.png, /../.. or a link to elsewhere: only pictures inside the site go in.
        real = candidate.resolve()
        if candidate.is_file() and any(real.is_relative_to(root) for root in allowed):
            return real
    return MISSING  # ours by its address, but not here (or not inside the site)


def _picture(src: str, alt: str, path: Path, site: Site, notes: dict, report: Report, roots):
    """Return an ImageRef for a picture that can be imported, or None (and note why)."""
    found = _resolve(src, path, site, roots)
    if found is None:
        return None
    if found is MISSING:
        report.notes[f"picture not found, address kept: {src}"] += 1
        return None
    problem = check_picture(found)
    if problem:
        report.notes[f"picture not imported, address kept: {problem}"] += 1
        return None
    # A body holds the address as the site wrote it, non-ASCII names percent-encoded.
    note = notes.get(src) or notes.get(unquote(src)) or {}
    # Where our export put it: only the same bytes under that name make it that Image.
    exported = src.startswith(EXPORTED_MEDIA)
    return ImageRef(
        found,
        alt=_text(note.get("alt")) or alt,
        caption=_text(note.get("caption")),
        credit=_text(note.get("credit")),
        decorative=bool(note.get("decorative")),
        stored_name=unquote(src.removeprefix(EXPORTED_MEDIA)) if exported else "",
    )


def _convert_body(
    body: str, path: Path, site: Site, post: Post, notes: dict, report: Report, ours: bool, options
) -> str:
    roots = options.roots
    if ours:
        # Our exporter wrote every address of an exported picture as ../media/<name>,
        # wherever it stood (a picture, a link, a code block): each one comes back.
        def exported(match: re.Match) -> str:
            ref = _picture(match.group(0), "", path, site, notes, report, roots)
            return post.add_image(ref) if ref else match.group(0)

        return _EXPORTED.sub(exported, body)
    body = templates.convert(body, path, report)
    if "![" not in body and "]:" not in body and not any(tag_matches(_IMG_TAG, _HTML_IMAGE, body)):
        # No picture can be referenced: nothing to look up. (Half of the generated
        # benchmark posts hold a "<" in code, and went through the loop below for nothing.)
        return body.strip("\n") + "\n"

    def markdown_image(match: re.Match) -> str:
        alt, src, title = match.group(1), match.group(2), match.group(3) or ""
        ref = _picture(src, alt, path, site, notes, report, roots)
        return f"![{alt}]({post.add_image(ref)}{title})" if ref else match.group(0)

    def html_image(match: re.Match) -> str:
        tag_start = match.string.rfind("<", 0, match.start(3))
        # The alt is looked for up to the next "<" or ">": in "<img src=a <img src=a …" with
        # no ">", each picture's look ran to the end of the line (320 kB: 68 s).
        tag_end = _TAG_EDGE.search(match.string, match.end())
        tag_end = tag_end.start() if tag_end else len(match.string)
        alt = _HTML_ALT.search(match.string, tag_start, tag_end)
        alt = alt.group(2) if alt else ""
        ref = _picture(match.group(3), alt, path, site, notes, report, roots)
        if ref is None:
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{post.add_image(ref)}{match.group(2)}"

    def reference(match: re.Match) -> str:
        ref = _picture(match.group(2), "", path, site, notes, report, roots)
        return f"{match.group(1)}{post.add_image(ref)}{match.group(3)}" if ref else match.group(0)

    def pictures(prose: str) -> str:
        # Whole stretches between code fences: a picture's address or an <img>'s attributes
        # may go on over a line break ("![a](x.png\n)" is a picture in CommonMark).
        if "![" in prose:
            prose = _MD_IMAGE.sub(markdown_image, prose)
        if "<" in prose:
            prose = sub_tag_matches(_IMG_TAG, _HTML_IMAGE, html_image, prose)
        if "]:" in prose:
            prose = _REFERENCE.sub(reference, prose)
        return prose

    parts, prose, fence = [], [], None
    for line in body.split("\n"):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            parts.append(line)
        elif opening:
            fence = opening.group(1)
            if prose:
                parts.append(pictures("\n".join(prose)))
                prose = []
            parts.append(line)
        else:
            prose.append(line)
    if prose:
        parts.append(pictures("\n".join(prose)))
    return "\n".join(parts).strip("\n") + "\n"


def _cover(meta: dict, path: Path, site: Site, notes: dict, report: Report, options):
    value = None
    for key in ("cover", "image", "featured_image", "feature_image", "thumbnail", "images"):
        value = meta.get(key)
        if value:
            break
    alt = _text(meta.get("cover_alt"))
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        alt = _text(value.get("alt")) or alt
        value = value.get("image") or value.get("src") or value.get("file")
    if not isinstance(value, str) or not value.strip():
        return None
    return _picture(value.strip(), alt, path, site, notes, report, options.roots)


def _old_paths(meta: dict, site: Site, post: Post, path: Path, name_slug: str) -> list[str]:
    paths = []
    for key in ("redirect_from", "aliases"):
        value = meta.get(key)
        if isinstance(value, str):
            paths.append(value)
        elif isinstance(value, list):
            paths += [_text(v) for v in value if isinstance(v, str | int)]
    own = _text(meta.get("permalink") or meta.get("url"))
    if own:
        paths.append(own)
    elif site.kind == "jekyll" and post.published_at:
        categories = _words(meta.get("categories") or meta.get("category"))
        paths.append(jekyll_permalink(site.permalink, post, name_slug, categories))
    elif site.kind == "hugo":
        section = path.resolve().relative_to(site.root / "content").parts
        prefix = f"/{section[0]}" if len(section) > 1 else ""
        paths.append(f"{prefix}/{post.slug}/")
    return [p if p.startswith(("/", "http")) else "/" + p for p in paths if p]


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
