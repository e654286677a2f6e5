"""Benchmark sitemap pages at two sizes: does a page of fixed size cost more on a larger site?

Reads /sitemap.xml uncached (page cache off, DEBUG off, SQLite) on databases of 1,000 and
10,000 generated entries. If it is a sitemap index, every sitemap it lists is measured too,
each section's first and last page; otherwise /sitemap.xml itself is the one page. Prints,
per page and size, the URLs it lists, its SQL queries and the fastest of its requests
(--runs per round; --rounds alternate sizes and checkouts), then each page's time ratio
of the larger size to the smaller: about 1 when a page costs what its own URLs cost. Pages
hold BLOGSITE_SITEMAP_LIMIT URLs (--limit, 1,000 here so that both sizes have full pages).
--compare times another checkout in the same run. Not a test. Usage:

    .venv/bin/python bench/sitemap.py [--sizes 1000,10000] [--limit 1000] [--runs 5]
                                      [--rounds 3] [--compare OTHER_CHECKOUT]

The databases are made once, as var/bench-sitemap-N.sqlite3; delete one to make it again.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run inside each checkout: prints one JSON line per page measured.
PROBE = r"""
import json, sys, time
from urllib.parse import urlsplit
import xml.etree.ElementTree as ET
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
runs = int(sys.argv[1])
client = Client()

def local(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")

def measure(label, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    root = ET.fromstring(response.content)
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - start)
    print(json.dumps({"page": label, "path": path, "urls": len(root.findall(f"{NS}url")),
                      "queries": len(queries), "ms": min(times) * 1000}))
    return root

root = measure("/sitemap.xml", "/sitemap.xml")
if root.tag == f"{NS}sitemapindex":
    sections = {}
    for loc in root.iter(f"{NS}loc"):
        path = local(loc.text)
        name = path.split("?")[0].removeprefix("/sitemap-").removesuffix(".xml")
        sections.setdefault(name.rstrip("-0123456789"), []).append(path)
    for name, paths in sections.items():
        measure(f"{name}, first page", paths[0])
        if len(paths) > 1:
            measure(f"{name}, last page", paths[-1])
"""


def database(entries: int) -> Path:
    """Make var/bench-sitemap-N.sqlite3 once (atomically), with generated entries."""
    path = ROOT / "var" / f"bench-sitemap-{entries}.sqlite3"
    if not path.exists():
        partial = path.with_name(path.name + ".partial")
        for leftover in path.parent.glob(partial.name + "*"):
            leftover.unlink()
        env = environment(partial, limit=1000)
        print(f"generating {entries:,} entries…", flush=True)
        for command in (["migrate", "-v0"], ["generate_entries", str(entries)]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                           check=True, capture_output=True)  # fmt: skip
        partial.rename(path)
    return path


def environment(path: Path, limit: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-key",
        "ALLOWED_HOSTS": "testserver",
        "BLOGSITE_PLAIN_HTTP": "1",
        "DATABASE_URL": f"sqlite:///{path}",
        "CACHE_URL": "locmemcache://",
        "BLOGSITE_PAGE_CACHE": "0",
        "BLOGSITE_SITEMAP_LIMIT": str(limit),
    }


def probe(checkout: Path, path: Path, limit: int, runs: int) -> list[dict]:
    command = [sys.executable, "-c", PROBE, str(runs)]
    env = environment(path, limit)
    result = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{checkout}: {result.stderr[-2000:]}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="entries, comma-separated")
    parser.add_argument("--limit", type=int, default=1000, help="URLs per sitemap page")
    parser.add_argument("--runs", type=int, default=5, help="requests a page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="another checkout, timed in the same run")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    paths = {entries: database(entries) for entries in sizes}
    checkouts = [ROOT] + ([args.compare.resolve()] if args.compare else [])
    results: dict = {}
    # Sizes and checkouts alternate round by round, so that load from elsewhere on the
    # machine hits all alike; each figure is the fastest of all its rounds and runs.
    for _round in range(args.rounds):
        for entries in sizes:
            for checkout in checkouts:
                for row in probe(checkout, paths[entries], args.limit, args.runs):
                    by_size = results.setdefault((checkout, row["page"]), {})
                    if entries not in by_size or row["ms"] < by_size[entries]["ms"]:
                        by_size[entries] = row
    runs = args.rounds * args.runs
    print(f"\nsitemap pages, uncached, {args.limit:,} URLs a page at most, fastest of {runs}")
    small, large = sizes[0], sizes[-1]
    header = f"{'checkout':<24} {'page':<22}"
    for entries in sizes:
        header += f" | {entries:>6,}: urls queries     ms"
    print(header + f" | ms {large // 1000}k/{small // 1000}k")
    for (checkout, page), by_size in results.items():
        line = f"{checkout.name:<24} {page:<22}"
        for entries in sizes:
            row = by_size.get(entries)
            line += (
                f" | {row['urls']:>12,} {row['queries']:>7} {row['ms']:>6.1f}"
                if row
                else f" | {'-':>12} {'-':>7} {'-':>6}"
            )
        if small in by_size and large in by_size:
            line += f" | {by_size[large]['ms'] / by_size[small]['ms']:>10.2f}"
        print(line)
    loads = " ".join(f"{load:.2f}" for load in os.getloadavg())
    print(f"load average after the run: {loads}")


if __name__ == "__main__":
    main()
