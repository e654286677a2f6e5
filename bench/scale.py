"""Benchmark uncached pages at two sizes: does a page cost more with 100 times the entries?

Serves each size from its own gunicorn (2 sync workers, DEBUG off, page cache off; SQLite,
or PostgreSQL with --database postgres) and measures every page with wrk, alternating sizes
target by target and run by run, so that drift in the machine's load hits both alike;
prints requests/s, p50 and p99 per size and the ratio of each size's p50 to the first
size's, and appends the table to bench/RESULTS.md. Issue 6's target: at most 1.5 at
100,000 entries against 1,000. Not a test. Usage:

    .venv/bin/python bench/scale.py [--sizes 1000,100000] [--seconds 10] [--runs 3]
        [--port 8016] [--database sqlite|postgres]

The databases are made once, as var/bench-N.sqlite3 (shared with bench/pages.py) or as
PostgreSQL's bench_N on 127.0.0.1:5432 ($BENCH_POSTGRES_URL, without the database name,
says where else); delete one (dropdb) to make it again. Generating 100,000 entries took
4 min 35 s here on SQLite.

"Last page, by cursor" is the address a reader reaches by following "Older" links: the
bench asks for the page before it and follows its rel="next" link, cursor included.
"""

import argparse
import datetime
import os
import re
import shutil
import statistics
import sys
import urllib.request
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import ROOT, environment, manage, start, stop, wrk

# Pages measured at every size: (name, path). {year}, {last} and the cursors of the last
# pages ({index_cursor}, {tag_cursor}) are filled in per size.
PAGES = [
    ("index", "/"),
    ("index, last page by number", "/?page={last}"),
    ("index, last page by cursor", "/?page={last}&after={index_cursor}"),
    ("tag (1 entry in 67)", "/tags/topic-007/"),
    ("tag, last page by cursor", "/tags/topic-007/?page={tag_last}&after={tag_cursor}"),
    ("year archive", "/{year}/"),
    ("month archive", "/{year}/06/"),
    ("search, a common word", "/search/?q=kernel"),
    ("search, two common words", "/search/?q=kernel+cache"),
    ("search, a phrase", "/search/?q=%22kernel+cache%22"),
    ("search, a rare word (one title)", "/search/?q=777"),
    ("sitemap index", "/sitemap.xml"),
]
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432")
NEXT_LINK = re.compile(r'<a rel="next" href="([^"]+)"')


def database_url(entries: int, vendor: str) -> str:
    if vendor == "postgres":
        return f"{POSTGRES}/bench_{entries}"
    return f"sqlite:///{ROOT / 'var' / f'bench-{entries}.sqlite3'}"


def size_environment(entries: int, vendor: str) -> dict:
    env = environment(entries, page_cache=False)
    return {**env, "DATABASE_URL": database_url(entries, vendor)}


def database(entries: int, vendor: str = "sqlite") -> None:
    """Make the size's database once (atomically: an interrupted run leaves none); migrate."""
    env = size_environment(entries, vendor)
    if vendor == "postgres":
        _postgres_database(entries, env)
    else:
        path = ROOT / "var" / f"bench-{entries}.sqlite3"
        if not path.exists():
            partial = path.with_name(path.name + ".partial")
            for leftover in path.parent.glob(partial.name + "*"):
                leftover.unlink()
            partial_env = {**env, "DATABASE_URL": f"sqlite:///{partial}"}
            manage(partial_env, "migrate", "-v0")
            print(f"generating {entries:,} entries…", flush=True)
            manage(partial_env, "generate_entries", str(entries))
            partial.rename(path)  # its last connection has closed: the WAL is folded in
    manage(env, "migrate", "-v0")  # a database made before a new migration gets it


def _postgres_database(entries: int, env: dict) -> None:
    """Make bench_N under a temporary name, then rename it: a half-made one is never used."""
    import psycopg

    name, partial = f"bench_{entries}", f"bench_{entries}_partial"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if found:
        _settle(name)
        return
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {partial}")
        admin.execute(f"CREATE DATABASE {partial}")
    partial_env = {**env, "DATABASE_URL": f"{POSTGRES}/{partial}"}
    manage(partial_env, "migrate", "-v0")
    print(f"generating {entries:,} entries in PostgreSQL…", flush=True)
    manage(partial_env, "generate_entries", str(entries))
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {partial} RENAME TO {name}")
    _settle(name)


def _settle(name: str) -> None:
    """VACUUM ANALYZE, as a running server's autovacuum does after a bulk load: the planner's
    statistics, and the visibility map that lets a count read the index alone. (This
    machine's PostgreSQL runs with autovacuum off: unsettled, a search word filtered all
    100,000 rows, 436 ms against 2 ms, and the sitemap's count read the table.)"""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/{name}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def last_page_cursor(base: str, path: str, before_last: int) -> str:
    """Return the cursor of a list's last page, from the "Older" link of the page before."""
    separator = "&" if "?" in path else "?"
    html = urllib.request.urlopen(f"{base}{path}{separator}page={before_last}").read().decode()
    link = NEXT_LINK.search(html)
    if link is None:
        raise SystemExit(f"{path}?page={before_last} has no Older link")
    query = parse_qs(urlsplit(unescape(link.group(1))).query)
    return query.get("after", ["none (a plain link: the list is too short)"])[0]


def page_paths(entries: int, base: str, tag_entries: int) -> dict[str, str]:
    page_size = 10
    last = max(1, -(-entries // page_size))
    tag_last = max(1, -(-tag_entries // page_size))
    year = datetime.date.today().year - 5  # a whole year inside the ten generated ones
    cursors = {
        "index_cursor": last_page_cursor(base, "/", last - 1) if last > 1 else "",
        "tag_cursor": (
            last_page_cursor(base, "/tags/topic-007/", tag_last - 1) if tag_last > 1 else ""
        ),
    }
    values = {"last": last, "tag_last": tag_last, "year": year, **cursors}
    return {name: path.format(**values) for name, path in PAGES}


def tag_entries(env: dict) -> int:
    """Return how many published entries carry topic-007, the tag measured."""
    code = (
        "from posts.models import Entry; "
        "print(Entry.objects.published().filter(tags__slug='topic-007').count())"
    )
    return int(manage(env, "shell", "--no-imports", "-c", code).strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000", help="entries, comma-separated")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8016, help="the first size's; then +1…")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--no-record", action="store_true", help="print, do not append")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    sizes = [int(size) for size in args.sizes.split(",")]
    for entries in sizes:
        database(entries, args.database)
    first_env = size_environment(sizes[0], args.database)
    manage(first_env, "collectstatic", "--noinput", "-v0")

    servers, bases = {}, {}
    load_before = os.getloadavg()
    try:
        for offset, entries in enumerate(sizes):
            port = args.port + offset
            env = {**size_environment(entries, args.database), "GUNICORN_BIND": f"127.0.0.1:{port}"}
            servers[entries] = start(env)
            bases[entries] = f"http://127.0.0.1:{port}"
        paths = {
            entries: page_paths(
                entries, bases[entries], tag_entries(size_environment(entries, args.database))
            )
            for entries in sizes
        }
        for entries in sizes:  # every page answers, and each worker has served it once
            for path in paths[entries].values():
                for _ in range(4):
                    urllib.request.urlopen(bases[entries] + path).read()
        results = {(name, entries): [] for name, _ in PAGES for entries in sizes}
        for _ in range(args.runs):
            for name, _path in PAGES:
                for entries in sizes:
                    url = bases[entries] + paths[entries][name]
                    results[name, entries].append(wrk(url, args.seconds, args.connections))
    finally:
        for server in servers.values():
            stop(server)
    load_after = os.getloadavg()

    median = {
        key: {field: statistics.median(run[field] for run in runs) for field in runs[0]}
        for key, runs in results.items()
    }
    base, *others = sizes
    header = ["page"]
    for entries in sizes:
        header += [f"{entries:,}: req/s", "p50 ms", "p99 ms"]
    header += [f"p50 {entries // 1000:,}k/{base // 1000:,}k" for entries in others]
    counts = " and ".join(f"{n:,}" for n in sizes)
    engine = "PostgreSQL" if args.database == "postgres" else "SQLite"
    lines = [
        f"## {datetime.date.today()}: scale, uncached pages at {counts} entries; gunicorn "
        f"2 sync workers each, {engine}, wrk -c{args.connections} -d{args.seconds}s, median of "
        f"{args.runs} runs alternating sizes",
        "",
        f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in load_after)} (2 cores, shared). "
        f"Year and month: {paths[base]['year archive'].strip('/')}, "
        f"{paths[base]['month archive'].strip('/')}; last index page: "
        + ", ".join(f"{paths[n]['index, last page by cursor']} at {n:,}" for n in sizes)
        + ".",
        "",
        "| " + " | ".join(header) + " |",
        "| --- | " + " | ".join("---:" for _ in header[1:]) + " |",
    ]
    for name, _path in PAGES:
        cells = [name]
        errors = 0
        for entries in sizes:
            row = median[name, entries]
            cells += [f"{row['rps']:,.0f}", f"{row['p50']:.2f}", f"{row['p99']:.2f}"]
            errors += row["errors"]
        for entries in others:
            cells.append(f"{median[name, entries]['p50'] / median[name, base]['p50']:.2f}")
        if errors:
            cells[0] += f" ({errors:.0f} non-2xx/3xx)"
        lines.append("| " + " | ".join(cells) + " |")
    report = "\n".join(lines) + "\n"
    print(report)
    if not args.no_record:
        results_file = ROOT / "bench" / "RESULTS.md"
        results_file.write_text(results_file.read_text() + "\n" + report)


if __name__ == "__main__":
    main()
