"""Static publishing: every internal link of the output resolves, and rebuilds are minimal."""

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection

from posts.models import Entry
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

BASE = "https://blog.example.org"
LINK = re.compile(r'(?:href|src)="([^"]+)"')
SRCSET = re.compile(r'srcset="([^"]+)"')


@pytest.fixture
def site(settings, tmp_path):
    settings.ALLOWED_HOSTS = ["blog.example.org"]
    call_command("load_demo", verbosity=0)
    EntryFactory(title="Ölmühle am Fluß", tags=["café"])  # non-ASCII paths, decoded on disk
    out = tmp_path / "site"
    call_command("publish_static", str(out), "--base-url", BASE, verbosity=0)
    return out


def resolves(out: Path, path: str) -> bool:
    target = out / unquote(path).lstrip("/")
    if path.endswith("/"):
        return (target / "index.html").is_file() or (target / "index.xml").is_file()
    return target.is_file()


def internal_links(html: str) -> set[str]:
    links = set(LINK.findall(html))
    for srcset in SRCSET.findall(html):
        links.update(part.split()[0] for part in srcset.split(","))
    paths = set()
    for link in links:
        parts = urlsplit(link.replace("&amp;", "&"))
        ours = parts.scheme in ("", "https") and parts.netloc in ("", "blog.example.org")
        if ours and parts.path.startswith("/"):
            paths.add(parts.path)
    return paths


def test_every_internal_link_and_picture_resolves_to_a_file(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 15  # entries, the index, tags, the tag list, archives, the 404
    missing = {}
    for page in pages:
        for path in internal_links(page.read_text()):
            # Search, comments (forms, feeds, Webmention) and the statistics pixel need the
            # server.
            if path in ("/search/", "/stats/pixel.gif") or path.startswith("/comments/"):
                continue
            if not resolves(site, path):
                missing.setdefault(path, str(page.relative_to(site)))
    assert missing == {}


def test_the_output_holds_every_kind_of_page(site):
    for entry in Entry.objects.published():
        assert (site / unquote(entry.get_absolute_url()).lstrip("/") / "index.html").is_file()
    assert (site / "tags" / "café" / "index.html").is_file()
    assert (site / "feed" / "index.xml").read_bytes().startswith(b"<?xml")
    assert (site / "feed" / "rss" / "index.xml").is_file()
    assert (site / "tags" / "meta" / "feed" / "index.xml").is_file()
    assert b"Demo Writer" in (site / "authors" / "demo-writer" / "index.html").read_bytes()
    assert (site / "authors" / "demo-writer" / "feed" / "index.xml").is_file()
    assert b"Demo Writer" in (site / "authors" / "index.html").read_bytes()
    assert (site / "series" / "index.html").is_file()
    rules = (site / "_redirects").read_text()
    assert "/authors/demo-writer/feed/ /authors/demo-writer/feed/index.xml 200" in rules
    assert b"<sitemapindex" in (site / "sitemap.xml").read_bytes()
    for section in ("index", "entries", "tags", "archives"):
        sitemap = (site / f"sitemap-{section}.xml").read_bytes()
        assert b"<urlset" in sitemap and b"https://blog.example.org/" in sitemap
    assert b"Sitemap: https://blog.example.org/sitemap.xml" in (site / "robots.txt").read_bytes()
    assert b"Nothing here" in (site / "404.html").read_bytes()
    assert "/feed/ /feed/index.xml 200" in (site / "_redirects").read_text()
    index = (site / "index.html").read_text()
    assert f'<link rel="canonical" href="{BASE}/">' in index
    assert not list(site.rglob("*.gz"))


def test_the_sitemap_index_lists_page_files_and_each_one_is_written(settings, tmp_path):
    # A static host ignores ?p=2: every page the index lists must be a file of its own.
    settings.ALLOWED_HOSTS = ["blog.example.org"]
    settings.BLOGSITE_SITEMAP_LIMIT = 2
    for number in range(5):
        EntryFactory(title=f"Entry {number}", tags=[f"tag-{number}"])
    out = tmp_path / "site"
    call_command("publish_static", str(out), "--base-url", BASE, verbosity=0)
    index = (out / "sitemap.xml").read_text()
    listed = re.findall(r"<loc>([^<]+)</loc>", index)
    assert f"{BASE}/sitemap-entries-3.xml" in listed
    entries = set()
    for url in listed:
        assert "?" not in url and url.startswith(BASE)
        sitemap = (out / urlsplit(url).path.lstrip("/")).read_text()
        entries.update(re.findall(rf"<loc>{BASE}(/\d{{4}}/\d\d/[^<]+)</loc>", sitemap))
    assert len(entries) == 5


def test_a_rebuild_rewrites_only_what_changed_and_removes_what_is_gone(site):
    from posts.delivery.publish import publish_site

    again = publish_site(site, BASE)
    assert again.written == [] and again.removed == [] and again.unchanged > 100
    entry = Entry.objects.published().get(slug="tables-footnotes-and-task-lists")
    entry.title = "Tables, footnotes and task lists, revised"
    entry.save()
    changed = publish_site(site, BASE)
    own_page = entry.get_absolute_url() + "index.html"
    assert own_page in changed.written
    assert len(changed.written) < again.unchanged / 4  # the pages that show it, not the site
    assert not any(
        path.startswith("/static/") or path.startswith("/media/") for path in changed.written
    )
    gone = Entry.objects.published().get(slug="code-blocks-highlighted-when-the-page-is-saved")
    gone_dir = site / gone.get_absolute_url().lstrip("/")
    gone.delete()
    removed = publish_site(site, BASE)
    assert not gone_dir.exists()
    assert any("code-blocks-highlighted" in path for path in removed.removed)


def test_old_addresses_become_forwarding_pages_and_rules(settings, tmp_path):
    from posts.models import Redirect

    settings.ALLOWED_HOSTS = ["blog.example.org"]
    entry = EntryFactory(title="Kept")
    Redirect.objects.create(old_path="/2013/01/kept.html", entry=entry)
    Redirect.objects.create(old_path="/old/kept/", entry=entry)
    Redirect.objects.create(old_path="/?p=12", entry=entry)
    Redirect.objects.create(old_path=entry.get_absolute_url(), target="/never/")
    Redirect.objects.create(old_path="/../../escape/", target="/x/")
    out = tmp_path / "site"
    call_command("publish_static", str(out), "--base-url", BASE, verbosity=0)
    new = entry.get_absolute_url()
    for page in ("2013/01/kept.html", "old/kept/index.html"):
        html = (out / page).read_text()
        assert f'<meta http-equiv="refresh" content="0; url={new}">' in html
    assert "refresh" not in (out / new.strip("/") / "index.html").read_text()  # live page kept
    assert not (tmp_path / "escape").exists()
    rules = (out / "_redirects").read_text()
    assert f"/2013/01/kept.html {new} 301\n" in rules and f"/ p=12 {new} 301\n" in rules
    nginx = (out / "nginx.conf").read_text()
    assert f'location = "/old/kept/" {{ return 301 "{new}"; }}' in nginx
    assert f'if ($request_uri = "/?p=12") {{ return 301 "{new}"; }}' in nginx


@pytest.mark.django_db(transaction=True)
def test_a_large_site_is_published_by_every_core_with_the_same_files(
    settings, tmp_path, monkeypatch
):
    from posts.delivery import publish

    settings.ALLOWED_HOSTS = ["blog.example.org"]
    for number in range(12):
        EntryFactory(title=f"Entry {number}", tags=["one", "two"])
    serial = tmp_path / "serial"
    call_command("publish_static", str(serial), "--base-url", BASE, verbosity=0)
    monkeypatch.setattr(publish, "PARALLEL_FROM", 2)
    monkeypatch.setattr(publish, "CHUNK", 5)
    parallel = tmp_path / "parallel"
    call_command("publish_static", str(parallel), "--base-url", BASE, verbosity=0)
    files = sorted(p.relative_to(serial) for p in serial.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(parallel) for p in parallel.rglob("*") if p.is_file())
    assert len(files) > 30
    year = str(Entry.objects.first().published_at.year)
    for listing in ("page/2", "tags/one/page/2", f"{year}/page/2"):  # 12 entries, 10 a page
        assert Path(listing, "index.html") in files, listing
    for name in files:
        assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name
    # Run again: every page is compared, nothing is written, nothing is removed.
    report = publish.publish_site(parallel, BASE)
    assert report.written == [] and report.removed == [] and report.failed == []
    # Forked workers cannot open the tests' in-memory SQLite database: there it stays in one
    # process; on PostgreSQL (CI's second pass) this compares real workers with one process.
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    assert report.workers == (1 if in_memory else min(os.cpu_count(), 4))


def test_a_folder_of_other_files_is_refused_and_only_our_own_files_are_ever_removed(
    settings, tmp_path
):
    from django.core.management import CommandError

    settings.ALLOWED_HOSTS = ["blog.example.org"]
    EntryFactory(title="Kept")
    theirs = tmp_path / "www"
    theirs.mkdir()
    (theirs / ".htpasswd").write_text("admin:secret")
    with pytest.raises(CommandError, match="holds files that publish_static did not write"):
        call_command("publish_static", str(theirs), "--base-url", BASE, verbosity=0)
    assert (theirs / ".htpasswd").read_text() == "admin:secret"
    out = tmp_path / "site"
    call_command("publish_static", str(out), "--base-url", BASE, verbosity=0)
    page = out / unquote(Entry.objects.get().get_absolute_url()).lstrip("/") / "index.html"
    assert page.is_file()
    (out / "notes.txt").write_text("mine")  # added by hand after the first publish
    Entry.objects.all().delete()
    call_command("publish_static", str(out), "--base-url", BASE, verbosity=0)
    assert (out / "notes.txt").read_text() == "mine"
    assert not page.exists() and not page.parent.exists()  # ours, and its empty folder


def test_redirect_rules_never_carry_a_dollar_into_nginx_and_are_encoded_for_netlify(
    settings, tmp_path
):
    from posts.models import Redirect

    settings.ALLOWED_HOSTS = ["blog.example.org"]
    Redirect.objects.create(old_path="/dollar/", target="https://evil.example/?c=$http_cookie")
    Redirect.objects.create(old_path="/café-au-lait/", target="/tags/café/")
    out = tmp_path / "site"
    call_command("publish_static", str(out), "--base-url", BASE, verbosity=0)
    nginx = (out / "nginx.conf").read_text()
    assert "$http_cookie" not in nginx and "1 old addresses holding $" in nginx
    rules = (out / "_redirects").read_text().splitlines()
    assert "/caf%C3%A9-au-lait/ /tags/caf%C3%A9/ 301" in rules
    assert all(len(line.split()) in (3, 4) for line in rules)
    assert "refresh" in (out / "dollar" / "index.html").read_text()  # still forwarded


def test_pages_the_archive_and_a_moved_page_are_published(settings, tmp_path):
    from tests.factories import PageFactory

    settings.ALLOWED_HOSTS = ["blog.example.org"]
    EntryFactory()
    parent = PageFactory(slug="projects", title="Projects")
    page = PageFactory(slug="lab-old", parent=parent, title="The lab")
    page.slug = "lab"
    page.save()
    PageFactory(slug="secret", title="Secret draft", status="draft")
    out = tmp_path / "site"
    call_command("publish_static", str(out), "--base-url", BASE, verbosity=0)
    assert "The lab" in (out / "projects" / "lab" / "index.html").read_text()
    assert (out / "projects" / "index.html").is_file()
    assert not (out / "secret").exists()
    assert 'href="/2' in (out / "archive" / "index.html").read_text()  # a year's link
    assert "/projects/lab-old/ /projects/lab/ 301" in (out / "_redirects").read_text()
    assert "/projects/lab/" in (out / "projects" / "lab-old" / "index.html").read_text()
    assert b"/projects/lab/" in (out / "sitemap-pages.xml").read_bytes()


def test_far_pages_links_with_cursors_become_page_paths(settings, tmp_path, monkeypatch):
    from posts.delivery import pagination

    monkeypatch.setattr(pagination, "PLAIN_PAGES", 1)  # every link carries a cursor
    settings.ALLOWED_HOSTS = ["blog.example.org"]
    for number in range(25):
        EntryFactory(title=f"Entry {number}", tags=["one"])
    out = tmp_path / "site"
    call_command("publish_static", str(out), "--base-url", BASE, verbosity=0)
    middle = (out / "page/2/index.html").read_text()
    assert 'rel="next" href="/page/3/"' in middle and 'rel="prev" href="/"' in middle
    assert 'rel="prev" href="/page/2/"' in (out / "page/3/index.html").read_text()
    for page in out.rglob("*.html"):
        assert "after=" not in page.read_text() and "before=" not in page.read_text(), page
