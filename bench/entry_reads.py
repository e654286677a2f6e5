"""Measure an uncached entry page and the reads it makes, here and in another checkout.

Renders entry pages in-process with Django's test client (page cache off, DEBUG off) on the
database bench/pages.py makes (var/bench-N.sqlite3), and times each of the page's reads
(Entry.for_page, tag_list, neighbours, related), split into the time the database spent
executing the SQL and the rest (building the query, making the objects). With --compare,
the same measurement runs in another checkout, interleaved round by round, so both see the
same machine. Not a test. Usage:

    .venv/bin/python bench/entry_reads.py [--entries 1000] [--rounds 5] [--pages 400]
        [--compare /path/to/other/checkout]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside a checkout: prints one JSON line of medians in microseconds.
PROBE = r"""
import json, statistics, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from posts.models import Entry

pages = int(sys.argv[1])
entries = list(Entry.objects.published().order_by("-published_at")[:40])
urls = [entry.get_absolute_url() for entry in entries]
client = Client()
for url in urls:
    assert client.get(url).status_code == 200, url

executing = [0.0]

def timed(execute, sql, params, many, context):
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        executing[0] += time.perf_counter() - start

page_times = []
for n in range(pages):
    start = time.perf_counter()
    client.get(urls[n % len(urls)])
    page_times.append(time.perf_counter() - start)

reads = {"for_page": [], "tag_list": [], "neighbours": [], "related": []}
sql = {name: [] for name in reads}
with connection.execute_wrapper(timed):
    for n in range(pages):
        slug = entries[n % len(entries)].slug
        for name in reads:
            executing[0] = 0.0
            start = time.perf_counter()
            if name == "for_page":
                entry = Entry.for_page(slug)
            elif name == "tag_list":
                entry.__dict__.pop("tag_list", None)
                entry.tag_list
            elif name == "neighbours":
                entry.neighbours()
            else:
                entry.related(3)
            reads[name].append(time.perf_counter() - start)
            sql[name].append(executing[0])

us = lambda values: round(statistics.median(values) * 1e6, 1)
print(json.dumps({
    "page": us(page_times),
    **{name: us(values) for name, values in reads.items()},
    **{f"{name} sql": us(values) for name, values in sql.items()},
}))
"""


def probe(checkout: Path, entries: int, pages: int) -> dict:
    database = ROOT / "var" / f"bench-{entries}.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-key",
        "ALLOWED_HOSTS": "testserver",
        "BLOGSITE_PLAIN_HTTP": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "CACHE_URL": "locmemcache://",
        "MEDIA_ROOT": str(ROOT / "media"),
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),  # collected by bench/pages.py
        "BLOGSITE_PAGE_CACHE": "0",
        "BLOGSITE_STATS": "0",
        "LOG_LEVEL": "WARNING",
    }
    python = checkout / ".venv" / "bin" / "python"
    python = python if python.exists() else ROOT / ".venv" / "bin" / "python"
    done = subprocess.run([str(python), "-c", PROBE, str(pages)], cwd=checkout, env=env,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        sys.exit(f"The probe failed in {checkout}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    if not (ROOT / "var" / f"bench-{args.entries}.sqlite3").exists():
        sys.exit(f"No var/bench-{args.entries}.sqlite3: run bench/pages.py --entries N first")
    checkouts = {"this checkout": ROOT}
    if args.compare:
        checkouts["compared"] = args.compare.resolve()
    runs = {name: [] for name in checkouts}
    for _ in range(args.rounds):  # interleaved: drift hits both alike
        for name, path in checkouts.items():
            runs[name].append(probe(path, args.entries, args.pages))
    keys = list(next(iter(runs.values()))[0])
    names = list(checkouts)
    print(f"Medians of {args.rounds} rounds, µs; {args.pages} pages and reads a round, "
          f"{args.entries} entries.")  # fmt: skip
    print("| measure | " + " | ".join(names) + (" | ratio |" if len(names) == 2 else " |"))
    print("| --- |" + " ---: |" * (len(names) + (len(names) == 2)))
    for key in keys:
        values = [statistics.median(run[key] for run in runs[name]) for name in names]
        ratio = f" {values[0] / values[1]:.2f} |" if len(values) == 2 and values[1] else ""
        print(f"| {key} | " + " | ".join(f"{v:,.1f}" for v in values) + " |" + ratio)


if __name__ == "__main__":
    main()
