"""Markdown files with front matter (Jekyll's _posts, Hugo's content, our own export) as Posts."""

import multiprocessing
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from posts.importers import frontmatter
from posts.importers.body import check_links, convert_body, find_cover, picture_notes
from posts.importers.export import GENERATOR
from posts.importers.fields import (
    as_flag,
    as_slug,
    as_text,
    author_of,
    coauthors_of,
    first_date,
    series_of,
    summary_before_more,
    tags_of,
)
from posts.importers.pages import PAGES_DIR
from posts.importers.people import AUTHORS_DIR, SERIES_DIR
from posts.importers.records import PARALLEL_FROM, Author, ImportFailed, Post, Problem, Report
from posts.importers.sites import Site, folder_site, from_name, import_key, old_paths
from posts.models import Entry

SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
# An export's folders beside posts/ that hold no posts: their own importers read them.
EXPORT_FOLDERS = {PAGES_DIR, AUTHORS_DIR, SERIES_DIR}
MAX_FILE_BYTES = 5_000_000


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
    site_root: Path | None = None  # where a plain folder's site keeps /assets, /static…


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
    # An export's pages/, authors/ and series/ hold no posts (pages and people read them).
    export = any(entry.name == "_redirects" for entry in entries)
    for entry in entries:
        if entry.name.startswith(".") or (export and entry.name in EXPORT_FOLDERS):
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


def _title(meta: dict, name_slug: str, ours: bool) -> str:
    """Return the post's title: as written in ours, on one line otherwise, else from its name."""
    title = as_text(meta.get("title"), exact=ours)
    title = title if ours else " ".join(title.split())
    if not title and not ours:
        title = " ".join(as_text(meta.get("subject")).split())  # some blogs' own key
    return title or name_slug.replace("-", " ").capitalize()


def _is_draft(meta: dict) -> bool:
    """Return True if the front matter says, in any dialect's words, that it is not public."""
    if as_flag(meta.get("draft")) or as_flag(meta.get("published"), default=True) is False:
        return True
    return as_text(meta.get("status")).lower() in ("draft", "private", "pending")


def read_post(path: Path, options: Options, report: Report) -> Post:
    """Return the Post one Markdown file describes."""
    origin = str(path)
    text = _read_text(path, origin)
    document = frontmatter.split(text, origin)
    meta = document.meta
    # Our own export holds every field exactly as it was: nothing to convert or tidy.
    ours = meta.get("generator") == GENERATOR
    site = _site(path, options)
    name_date, name_slug = from_name(path)
    published = first_date(meta, ("date", "publishdate", "pubdate"), document, origin)
    updated = first_date(
        meta, ("last_modified_at", "lastmod", "updated", "modified"), document, origin
    )
    if published is None and not ours:  # ours says when it has a date: a draft has none
        # The file name's date, else when it was last changed: better than the import's time.
        published = name_date or updated
    created = first_date(meta, ("created",), document, origin)
    slug = as_slug(as_text(meta.get("slug")) or name_slug) or as_slug(as_text(meta.get("title")))
    title = _title(meta, name_slug, ours)
    draft = _is_draft(meta)
    excerpt = meta.get("excerpt") or meta.get("description") or meta.get("summary")
    if not excerpt and not ours:
        excerpt = summary_before_more(document.body)
    post = Post(
        origin=origin,
        key=as_text(meta.get("import_key")) if ours else import_key(path, site),
        title=title,
        slug=slug or "entry",
        body="",
        excerpt=as_text(excerpt, exact=ours),
        draft=draft,
        published_at=published,
        created_at=created,
        updated_at=updated,
        author=author_of(meta, exact=ours) or options.default_author,
        tags=tags_of(meta, exact=ours),
    )
    post.coauthors = coauthors_of(meta, post.author, exact=ours)
    post.series, post.series_part = series_of(meta)
    if published is None and not draft and not ours:
        report.notes[
            f"{origin}: no date in its front matter (date, publishDate, updated, lastmod) or "
            "its file name: dated at the time of the import"
        ] += 1
    pictures = picture_notes(meta)
    try:
        post.body = convert_body(
            document.body, path, site, post, pictures, report, ours, options.roots
        )
    except (ValueError, TypeError, AttributeError, OverflowError, RecursionError) as err:
        # A flaw in one body never costs the post, let alone the blog: its text as written.
        report.notes[f"{origin}: body kept as written, it could not be converted: {err}"] += 1
        post.images = []
        post.body = document.body.strip("\n") + "\n"
    if not ours:
        first_line = text.count("\n", 0, len(text) - len(document.body)) + 1
        check_links(document.body, origin, first_line, report)
    post.cover = find_cover(meta, path, site, pictures, report, options.roots)
    post.old_paths = old_paths(meta, site, post, path, name_slug)
    return post


def _read_text(path: Path, origin: str) -> str:
    """Return a file's text; raise FrontMatterError if it is too large, not UTF-8 or empty."""
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
    return text


def _site(path: Path, options: Options) -> Site:
    # The files of one folder share its site: the folder is resolved once, not every file
    # (a fifth of reading a post went to resolving its path). A link goes by its target.
    folder = path.resolve().parent if path.is_symlink() else path.parent
    site = options.folder_sites.get(folder)
    if site is None:
        site = options.folder_sites[folder] = folder_site(
            folder.resolve(),
            options.sites,
            options.permalink,
            options.site_urls,
            options.site_root.resolve() if options.site_root else None,
        )
    return site
