"""Imports under bad conditions: mutated files, and a process killed while it writes."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from taggit.models import Tag

from posts.models import Entry, Image, Redirect
from posts.operations.generate import write_markdown_posts

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
WXR = CORPUS / "wordpress" / "themeunittestdata.wordpress.xml"
JEKYLL = CORPUS / "jekyll" / "benbalter.github.com" / "_posts"


def state(media_root: Path) -> tuple:
    """What an import could change: rows, and the files under MEDIA_ROOT."""
    files = sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())
    return (
        sorted(Entry.objects.values_list("slug", "title", "body", "status", "updated_at")),
        Tag.objects.count(),
        Image.objects.count(),
        sorted(Redirect.objects.values_list("old_path", "entry_id", "target")),
        files,
    )


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Return data with a few bytes flipped, inserted, deleted, or cut short."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(data))
        kind = rng.choice(["flip", "insert", "delete", "cut", "swap"])
        if kind == "flip":
            data[where] ^= 1 << rng.randrange(8)
        elif kind == "insert":
            data[where:where] = bytes([rng.choice(b"<>&;:-\n\x00\xff'\"[]{}%")])
        elif kind == "delete":
            del data[where : where + rng.randint(1, 40)]
        elif kind == "cut":
            del data[where:]
        elif len(data) > 2:
            other = rng.randrange(len(data))
            data[where], data[other] = data[other], data[where]
        if not data:
            break
    return bytes(data)


@pytest.mark.django_db
@pytest.mark.skipif(not WXR.exists(), reason=f"WordPress corpus not found at {WXR}")
def test_mutated_wordpress_exports_fail_cleanly_or_import(tmp_path, media_root):
    """Seeded mutants of the theme unit test: a clear error and nothing changed, or an import."""
    call_command("import_wordpress", str(WXR), stdout=StringIO())
    original = WXR.read_bytes()
    rng = random.Random(9)
    refused = imported = 0
    for number in range(40):
        mutant = tmp_path / f"mutant-{number}.xml"
        mutant.write_bytes(mutate(original, rng))
        before = state(media_root)
        try:
            call_command("import_wordpress", str(mutant), stdout=StringIO())
        except CommandError as err:
            assert "Nothing was imported." in str(err) and str(mutant) in str(err)
            assert state(media_root) == before, number
            refused += 1
        else:
            imported += 1
    assert refused >= 20  # most mutants break the XML; the rest still import


@pytest.mark.django_db
@pytest.mark.skipif(not JEKYLL.exists(), reason=f"Jekyll corpus not found at {JEKYLL}")
def test_mutated_front_matter_fails_cleanly_or_imports(tmp_path, media_root):
    sources = sorted(p for p in JEKYLL.glob("*.md") if not p.read_bytes().startswith(b"l---"))
    rng = random.Random(5)
    refused = 0
    for number in range(120):
        source = rng.choice(sources).read_bytes()
        fence = source.index(b"\n---", 3) + 4
        # Mutate the front matter (where the parsing happens) and sometimes the body too.
        head = mutate(source[:fence], rng)
        body = mutate(source[fence:], rng) if rng.random() < 0.3 else source[fence:]
        folder = tmp_path / f"m{number}"
        folder.mkdir()
        (folder / "2014-01-01-good.md").write_text("---\ntitle: Good\n---\nFine.\n")
        (folder / "2014-01-02-mutant.md").write_bytes(head + body)
        before = state(media_root)
        try:
            call_command("import_markdown", str(folder), stdout=StringIO())
        except CommandError as err:
            assert "2014-01-02-mutant.md" in str(err), str(err)
            assert state(media_root) == before, number
            refused += 1
    assert refused >= 20


def _import_in_a_process(database: Path, media: Path, source: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(media),
        "CACHE_URL": "dummycache://",
        "DEBUG": "1",
        "SECRET_KEY": "test-only",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_markdown", str(source)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _entries(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM posts_entry").fetchone()[0]


def test_an_import_killed_while_it_runs_leaves_all_or_nothing(tmp_path):
    count = 600
    write_markdown_posts(tmp_path / "site", count, pictures_every=20)
    template = tmp_path / "empty.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{template}", "DEBUG": "1",
           "SECRET_KEY": "test-only", "CACHE_URL": "dummycache://"}  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    # How long a whole import takes here, then kills spread over that time.
    database = tmp_path / "full.sqlite3"
    database.write_bytes(template.read_bytes())
    started = time.monotonic()
    assert _import_in_a_process(database, tmp_path / "m", tmp_path / "site" / "_posts").wait() == 0
    took = time.monotonic() - started
    assert _entries(database) == count
    seen = set()
    for trial, fraction in enumerate((0.3, 0.5, 0.7, 0.85, 0.95)):
        database = tmp_path / f"killed-{trial}.sqlite3"
        database.write_bytes(template.read_bytes())
        process = _import_in_a_process(
            database, tmp_path / f"m{trial}", tmp_path / "site" / "_posts"
        )
        time.sleep(took * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
        found = _entries(database)
        assert found in (0, count), f"killed at {fraction:.0%}: {found} of {count} entries"
        seen.add(found)
    assert 0 in seen  # at least one kill landed before the commit
