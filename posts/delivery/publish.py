"""Static publishing: the whole public site as files any static host or CDN can serve.

Pages are rendered by the site itself (through Django's test client, with no cookies, as
an anonymous reader sees them) and written at pretty paths (`/2026/11/slug/index.html`).
List pages get their later pages at `page/N/`, and their `?page=N` links are rewritten to
match. Feeds go to `index.xml` files, with rewrites for hosts in `_redirects` and a matching
nginx `index` line. A file is written only when its bytes change, so a rebuild after an
edit rewrites only what changed.
"""

import multiprocessing
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.db.models import Count, Q
from django.http import Http404
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.views.defaults import page_not_found
from taggit.models import Tag

from posts.delivery.redirects import public_destination
from posts.delivery.sitemaps import ArchiveSitemap, sitemap_pages
from posts.links import tag_path
from posts.models import AuthorProfile, Entry, Image, Page, Redirect, Series
from posts.models.redirect import has_control_characters, rule_address

# A list's ?page=N link, with the cursor that far pages' links carry (pagination.py).
PAGE_LINK = re.compile(r'href="\?(?:[^"]*&amp;)?page=(\d+)(?:&amp;(?:after|before)=\d+)?"')
FEEDS = ("posts:feed", "posts:feed-rss")
WRITTEN_LIST = ".blogsite-published"  # what the last run wrote: the only files it may remove
PARALLEL_FROM = 400  # pages; below this, forking costs more than it saves
CHUNK = 100


@dataclass
class Report:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    workers: int = 1  # processes that rendered the pages


@dataclass
class Job:
    """A page to render: the address to ask for, the file it goes to, its list's base."""

    fetch: str
    relative: str
    list_base: str | None = None  # a list page: its ?page=N links become page/N/


class Publisher:
    def __init__(self, out: Path, base_url: str):
        parts = urlsplit(base_url)
        self.out = out
        self.base_url = base_url
        self.secure = parts.scheme == "https"
        self.host = parts.netloc
        self.client = Client(HTTP_HOST=parts.netloc)
        self.report = Report()
        self.touched: set[Path] = set()
        self.jobs: list[Job] = []

    def write(self, relative: str, content: bytes) -> None:
        """Write a file under the output, unless it already holds exactly these bytes."""
        target = self.out / relative.lstrip("/")
        self.touched.add(target)
        if target.exists() and target.read_bytes() == content:
            self.report.unchanged += 1
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        self.report.written.append(relative)

    def remove_stale(self) -> None:
        """Delete files an earlier run wrote that the site no longer has (a deleted entry).

        Only files listed in the last run's WRITTEN_LIST go: anything else in the folder
        (a .htpasswd, someone's notes) is not ours to remove.
        """
        listing = self.out / WRITTEN_LIST
        before = set(listing.read_text("utf-8").splitlines()) if listing.is_file() else set()
        now = {str(path.relative_to(self.out)) for path in self.touched}
        for relative in sorted(before - now, reverse=True):
            path = self.out / relative
            if path.is_file() and path.resolve().is_relative_to(self.out.resolve()):
                path.unlink()
                self.report.removed.append(relative)
                for parent in path.parents:
                    if parent == self.out or any(parent.iterdir()):
                        break
                    parent.rmdir()
        listing.write_text("".join(f"{name}\n" for name in sorted(now)), encoding="utf-8")

    def fetch(self, path: str) -> bytes | None:
        response = self.client.get(path, secure=self.secure)
        if response.status_code != 200:
            self.report.failed.append(f"{path}: {response.status_code}")
            return None
        return response.content

    def page(self, path: str, filename: str = "index.html", list_base: str | None = None) -> None:
        """Queue a page, to be written at its pretty path; list pages get their links fixed."""
        # reverse() percent-encodes non-ASCII slugs; static hosts look for the decoded name.
        relative = unquote(urlsplit(path).path).rstrip("/") + "/" + filename
        self.jobs.append(Job(path, relative, list_base))

    def listing(self, base: str, count: int) -> None:
        """Queue a list page and each of its later pages, at base/page/N/."""
        pages = Paginator(range(count), settings.BLOGSITE_PAGE_SIZE).num_pages if count else 1
        self.page(base, list_base=base)
        for number in range(2, pages + 1):
            relative = unquote(page_path(base, number)) + "index.html"
            self.jobs.append(Job(f"{base}?page={number}", relative, base))

    def render(self, job: Job) -> None:
        content = self.fetch(job.fetch)
        if content is None:
            return
        if job.list_base is not None:
            base = job.list_base
            content = PAGE_LINK.sub(
                lambda m: f'href="{page_path(base, int(m.group(1)))}"', content.decode()
            ).encode()
        self.write(job.relative, content)

    def run_jobs(self) -> None:
        """Render every queued page: in forked workers, one per core, for a large site."""
        jobs, self.jobs = self.jobs, []
        workers = min(os.cpu_count() or 1, 4)
        # Workers read through connections of their own: they would not see what an open
        # transaction here has not committed, nor a private in-memory database (tests').
        private = connection.vendor == "sqlite" and connection.is_in_memory_db()
        if len(jobs) < PARALLEL_FROM or workers < 2 or connection.in_atomic_block or private:
            for job in jobs:
                self.render(job)
            return
        self.report.workers = workers
        connections.close_all()
        caches.close_all()
        chunks = [jobs[start : start + CHUNK] for start in range(0, len(jobs), CHUNK)]
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, _start_worker, (self.out, self.base_url)) as pool:
            for report, touched in pool.imap_unordered(_render_chunk, chunks):
                self.report.written += report.written
                self.report.unchanged += report.unchanged
                self.report.failed += report.failed
                self.touched |= touched


_worker: Publisher | None = None


def _start_worker(out: Path, base_url: str) -> None:
    global _worker
    # Whatever connection this process inherited is the parent's (or another thread's):
    # drop it unused, neither queried nor closed, so that this worker opens its own.
    for alias in connections:
        connections[alias].connection = None
    _worker = Publisher(out, base_url)


def _large_page_cache(sender, connection, **kwargs) -> None:
    """Give each SQLite connection of a publish a page cache that holds what pages reread.

    Its default (2 MB) held too little: publishing 10,000 entries read the database 600
    times a page, 226 s of system time. The serving workers keep the default, to stay small.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -131072")  # in KiB: 128 MB


def _render_chunk(jobs: list[Job]) -> tuple[Report, set[Path]]:
    _worker.report, _worker.touched = Report(), set()
    for job in jobs:
        _worker.render(job)
    return _worker.report, _worker.touched


def page_path(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def publish_site(out: Path, base_url: str) -> Report:
    """Write the public site under out, as served at base_url; return what changed."""
    # Each page is rendered once: storing it in the page cache too would only cost time.
    # The pages are rendered in this process for the base URL's host, whatever hosts the
    # running site answers to.
    host = urlsplit(base_url).hostname or "localhost"
    hosts = [*settings.ALLOWED_HOSTS, host]
    connection_created.connect(_large_page_cache)  # the workers' connections, and any new
    if connection.connection is not None:
        _large_page_cache(None, connection)
    try:
        with override_settings(BLOGSITE_PAGE_CACHE=False, ALLOWED_HOSTS=hosts):
            return _publish(out, base_url)
    finally:
        connection_created.disconnect(_large_page_cache)


def _publish(out: Path, base_url: str) -> Report:
    publisher = Publisher(out, base_url)
    published = Entry.objects.published()
    publisher.listing(reverse("posts:index"), published.count())
    for entry in published.only("slug", "published_at", "created_at").iterator(chunk_size=500):
        publisher.page(entry.get_absolute_url())
    # Counts in two queries, not one a tag and one a period.
    tags = Tag.objects.filter(entry__in=published).annotate(published=Count("entry"))
    for tag in tags:
        publisher.listing(tag_path(tag.slug), tag.published)
        for name in ("posts:tag-feed", "posts:tag-feed-rss"):
            publisher.page(reverse(name, kwargs={"slug": tag.slug}), "index.xml")
    publisher.page(reverse("posts:tags"))
    more_feeds = _publish_authors_and_series(publisher)
    publisher.page(reverse("posts:archive"))
    for page in Page.objects.published().only("path"):
        publisher.page(iri_to_uri(page.get_absolute_url()))  # encoded, as reverse() gives
    in_period = Counter()
    for when in published.values_list("published_at", flat=True).iterator(chunk_size=2000):
        local = timezone.localtime(when)  # archives are in the site's time zone, as the views
        in_period[("year", local.year)] += 1
        in_period[("month", local.year, local.month)] += 1
    archives = ArchiveSitemap()
    for kind, period, _latest in archives.items():
        key = ("year", period.year) if kind == "year" else ("month", period.year, period.month)
        publisher.listing(archives.location((kind, period, None)), in_period[key])
    for name in FEEDS:
        publisher.page(reverse(name), "index.xml")
    publisher.run_jobs()
    # The sitemap index, and each page it lists at its own address (-2, -3…): files as is.
    for path in ["/sitemap.xml", *sitemap_pages(), "/robots.txt"]:
        content = publisher.fetch(path)
        if content is not None:
            publisher.write(path.lstrip("/"), content)
    # The site's own 404 template, as production shows it, whatever DEBUG says here.
    request = RequestFactory(HTTP_HOST=publisher.host).get("/404.html", secure=publisher.secure)
    publisher.write("404.html", page_not_found(request, Http404()).content)
    if settings.MEDIA_URL.startswith("/"):  # uploads on S3 stay there, pages point to them
        _copy_media(publisher)
    _copy_static(publisher)
    moved = _old_addresses(publisher)
    publisher.write("_redirects", _redirects(tags, moved, more_feeds))
    publisher.write("nginx.conf", (NGINX_SNIPPET + _nginx_redirects(moved)).encode())
    publisher.remove_stale()
    return publisher.report


def _publish_authors_and_series(publisher: Publisher) -> list[str]:
    """Queue the author and series pages, lists and feeds; return the feeds' paths."""
    published = Entry.objects.published()
    feeds = []
    authors = AuthorProfile.objects.public().annotate(
        published=Count("user__bylines", filter=Q(user__bylines__entry__in=published))
    )
    series_list = Series.objects.public().annotate(
        published=Count("entries", filter=Q(entries__in=published))
    )
    for item, feed_name in [(a, "posts:author-feed") for a in authors] + [
        (s, "posts:series-feed") for s in series_list
    ]:
        publisher.listing(item.get_absolute_url(), item.published)
        feeds.append(reverse(feed_name, kwargs={"slug": item.slug}))
        publisher.page(feeds[-1], "index.xml")
    publisher.page(reverse("posts:authors"))
    publisher.page(reverse("posts:series-list"))
    return feeds


def _copy_media(publisher: Publisher) -> None:
    storage = Image._meta.get_field("file").storage
    media = urlsplit(settings.MEDIA_URL).path
    for image in Image.objects.all().iterator(chunk_size=500):
        for name in [image.file.name, *(r["name"] for r in image.renditions)]:
            try:
                with storage.open(name, "rb") as handle:
                    publisher.write(media + name, handle.read())
            except OSError as err:  # one lost file must not stop the rest of the site
                publisher.report.failed.append(f"{media}{name}: {err.strerror or err}")


def _copy_static(publisher: Publisher) -> None:
    root = Path(settings.STATIC_ROOT)
    if not root.exists():
        return
    prefix = urlsplit(staticfiles_storage.base_url or settings.STATIC_URL).path
    for path in root.rglob("*"):
        if path.is_file() and not path.name.endswith((".gz", ".br")):
            publisher.write(prefix + str(path.relative_to(root)), path.read_bytes())


def _old_addresses(publisher: Publisher) -> list[tuple[str, str]]:
    """Write a page that forwards each old address (a static host has no 301 of its own).

    Return (old, new) for the redirect rules; a page the site publishes is never replaced.
    """
    moved = []
    for redirect in Redirect.objects.select_related("entry", "page").order_by("old_path"):
        old, new = redirect.old_path, public_destination(redirect)
        if not new:
            continue  # a draft's address is not given away, nor a javascript: target
        moved.append((old, new))
        if "?" in old:
            continue  # /?p=12 has no file of its own: only the rules can send it on
        path = unquote(old)
        filename = (
            path.lstrip("/") if PurePosixPath(path).suffix else path.strip("/") + "/index.html"
        )
        target = (publisher.out / filename).resolve()
        if target in publisher.touched or publisher.out.resolve() not in target.parents:
            continue
        publisher.write(filename, render_to_string("posts/moved.html", {"new": new}).encode())
    return moved


def _redirects(tags, moved: list[tuple[str, str]], feeds: list[str] = ()) -> bytes:
    """Netlify/Cloudflare Pages style rules: old addresses, and feeds' index.xml."""
    lines = []
    for old, new in moved:
        path, _, query = rule_address(old).partition("?")
        new = rule_address(new)
        lines.append(f"{path} {query} {new} 301" if query else f"{path} {new} 301")
    lines += [f"{reverse(name)} {reverse(name)}index.xml 200" for name in FEEDS]
    for tag in tags:
        for name in ("posts:tag-feed", "posts:tag-feed-rss"):
            path = reverse(name, kwargs={"slug": tag.slug})
            lines.append(f"{path} {path}index.xml 200")
    lines += [f"{path} {path}index.xml 200" for path in feeds]
    return ("\n".join(lines) + "\n").encode()


def _nginx_redirects(moved: list[tuple[str, str]]) -> str:
    """nginx rules for the old addresses: exact paths, and WordPress's /?p=ID as requested."""
    lines, left = [], 0
    for old, new in moved:
        if "$" in old + new or has_control_characters(old + new):
            left += 1  # nginx expands $variables even in quotes: a forwarding page serves it
            continue
        if "?" in old:
            lines.append(f"if ($request_uri = {_quoted(old)}) {{ return 301 {_quoted(new)}; }}")
        else:
            lines.append(f"location = {_quoted(unquote(old))} {{ return 301 {_quoted(new)}; }}")
    if left:
        lines.append(f"# {left} old addresses holding $ are served by their forwarding pages")
    return "\n# Old addresses (imports, renamed tags)\n" + "\n".join(lines) + "\n" if lines else ""


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


NGINX_SNIPPET = """\
# Inside a server block whose root is the published folder: pretty paths, feeds as
# index.xml (served as text/xml), the site's own 404 page.
index index.html index.xml;
error_page 404 /404.html;
"""
