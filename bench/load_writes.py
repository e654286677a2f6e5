"""Load with writes: 32 readers over every kind of page while an editor publishes every second.

Starts gunicorn as `make serve` does (2 sync workers, DEBUG off) on N generated entries, then
for S seconds runs C concurrent readers (an asyncio HTTP client) over a mix of index, entry,
tag, archive, feed, search and 404 pages, while a second process publishes a new entry or
edits one every second and checks, over HTTP, that the change shows on the site within one
second. Prints and appends to bench/RESULTS-load.md: requests/s, p50 and p99 per page kind,
errors (5xx, dropped connections, "database is locked" in the server's log) and how soon
each edit was seen. Not a test. Usage:

    .venv/bin/python bench/load_writes.py [--entries 10000] [--seconds 60] [--connections 32]

The embedded default (SQLite, file cache) unless DATABASE_URL and/or REDIS_URL are set in
the environment, e.g. DATABASE_URL=postgres://user@127.0.0.1:5432/blogload (an empty or
already generated database) REDIS_URL=redis://127.0.0.1:6379/3.
"""

import argparse
import asyncio
import datetime
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = 8012
HOST = "127.0.0.1"
BASE = f"http://{HOST}:{PORT}"
VAR = ROOT / "var"
# How often each kind of page is asked for, out of 100.
MIX = {"index": 20, "entry": 35, "tag": 10, "archive": 10, "feed": 10, "search": 10, "404": 5}
WORDS = ["kernel", "cache", "python", "release", "notes", "garden", "latency", "django"]


def environment(entries: int) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-key",
        "ALLOWED_HOSTS": HOST,
        "BLOGSITE_PLAIN_HTTP": "1",
        "STATIC_ROOT": str(VAR / "load-static"),
        "MEDIA_ROOT": str(VAR / "load-media"),
        "GUNICORN_BIND": f"{HOST}:{PORT}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "LOG_LEVEL": "WARNING",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{VAR / f'load-{entries}.sqlite3'}")
    if not env.get("REDIS_URL"):
        env.setdefault("CACHE_URL", f"filecache://{VAR / f'load-cache-{entries}'}")
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)  # fmt: skip
    return result.stdout


SITE_MAP = """
import json
from django.db.models.functions import TruncMonth
from taggit.models import Tag
from posts.models import Entry
published = Entry.objects.published()
entries = [e.get_absolute_url() for e in published.order_by("?")[:500]]
tags = list(Tag.objects.filter(entry__in=published).distinct().values_list("slug", flat=True))
months = sorted({(d.year, d.month) for d in published.dates("published_at", "month")})
print(json.dumps({"entries": entries, "tags": tags, "months": months,
                  "count": published.count()}))
"""


def prepare(env: dict, entries: int) -> dict:
    """Migrate and generate entries the first time, collect static files, map the site."""
    VAR.mkdir(exist_ok=True)
    manage(env, "migrate", "-v0")
    site = json.loads(manage(env, "shell", "-v0", "-c", SITE_MAP))
    if site["count"] < entries:
        print(f"generating {entries - site['count']} entries…", flush=True)
        manage(env, "generate_entries", str(entries - site["count"]))
        site = json.loads(manage(env, "shell", "-v0", "-c", SITE_MAP))
    manage(env, "collectstatic", "--noinput", "-v0")
    return site


def start(env: dict, log: Path) -> subprocess.Popen:
    server = subprocess.Popen([GUNICORN, "blogsite.wsgi"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=log.open("w"),
                              start_new_session=True)  # fmt: skip
    for _ in range(200):
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    stop(server)
    sys.exit(f"gunicorn did not start; see {log}")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def pick(rng: random.Random, site: dict) -> tuple[str, str]:
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    if kind == "index":
        path = rng.choice(["/", "/", f"/?page={rng.randint(2, 50)}"])
    elif kind == "entry":
        path = rng.choice(site["entries"])
    elif kind == "tag":
        path = f"/tags/{rng.choice(site['tags'])}/" + rng.choice(["", "?page=2"])
    elif kind == "archive":
        year, month = rng.choice(site["months"])
        path = rng.choice([f"/{year}/", f"/{year}/{month:02d}/"])
    elif kind == "feed":
        path = rng.choice(["/feed/", "/feed/rss/", f"/tags/{rng.choice(site['tags'])}/feed/"])
    elif kind == "search":
        path = "/search/?q=" + "+".join(rng.sample(WORDS, rng.randint(1, 2)))
    else:
        path = rng.choice([f"/no/such/page-{rng.randint(0, 10**6)}/", "/2019/13/x/"])
    return kind, path


async def get(path: str) -> tuple[int, float, str]:
    """One GET on a new connection (gunicorn's sync workers close each one).

    Return (status, milliseconds, X-Cache header).
    """
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, PORT)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    response = await reader.read()  # to the end: the whole page
    writer.close()
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    status = int(head.split()[1]) if head else 0
    cache = re.search(r"(?im)^x-cache:\s*(\w+)", head)
    return status, (time.perf_counter() - started) * 1000, cache.group(1) if cache else "-"


async def readers(site: dict, seconds: float, connections: int, seed: int) -> dict:
    results = {kind: {"ms": [], "status": {}, "cache": {}} for kind in MIX}
    deadline = time.monotonic() + seconds

    async def reader(number: int) -> None:
        rng = random.Random(seed + number)
        while time.monotonic() < deadline:
            kind, path = pick(rng, site)
            try:
                status, ms, cache = await asyncio.wait_for(get(path), timeout=30)
            except (TimeoutError, OSError, IndexError, ValueError) as err:
                status, ms, cache = type(err).__name__, None, "-"
            row = results[kind]
            row["status"][status] = row["status"].get(status, 0) + 1
            row["cache"][cache] = row["cache"].get(cache, 0) + 1
            if ms is not None:
                row["ms"].append(ms)

    await asyncio.gather(*(reader(n) for n in range(connections)))
    return results


WRITER = """
import json, secrets, sys, time, urllib.request
import threading
from concurrent.futures import ThreadPoolExecutor
import django
django.setup()
from django.contrib.auth import get_user_model
from posts.models import Entry

seconds, base = float(sys.argv[1]), sys.argv[2]
author, _ = get_user_model().objects.get_or_create(username="load-editor")
report = {"writes": 0, "seen_ms": [], "late": 0, "errors": [], "fresh_first_read": 0,
          "stale_first_read": 0, "failed_reads": 0}

counting = threading.Lock()

def read(url):
    try:
        with urllib.request.urlopen(base + url, timeout=10) as response:
            return response.read().decode()
    except Exception:
        with counting:
            report["failed_reads"] += 1  # a timeout or an error page, told apart from stale
        return ""

def check(url, token, saved):
    # Was the change in the first page read after the save, and when was it first seen?
    fresh = token in read(url)
    while not fresh and time.monotonic() - saved < 10:
        time.sleep(0.05)
        if token in read(url):
            break
    seen = time.monotonic() - saved
    with counting:
        report["fresh_first_read" if fresh else "stale_first_read"] += 1
        report["seen_ms"].append(seen * 1000)
        report["late"] += seen > 1.0

mine = []
end = time.monotonic() + seconds
tick = time.monotonic()
while tick < end:
    token = secrets.token_hex(6)
    try:
        if not mine or len(mine) % 2:
            entry = Entry(title=f"Load test {token}", author=author, status="published",
                          body=f"Written under load: {token}.")
            entry.save()
            entry.tags.add("load-test")
            mine.append(entry.pk)
            checks = [entry.get_absolute_url(), "/"]
        else:
            entry = Entry.objects.get(pk=mine[-1])
            entry.body = f"Edited under load: {token}."
            entry.save()
            mine.append(entry.pk)
            checks = [entry.get_absolute_url()]
        saved = time.monotonic()
        report["writes"] += 1
        # Each page at once, as two readers would: one after the other, the index's time
        # would include the wait for the entry page's answer.
        with ThreadPoolExecutor(len(checks)) as pool:
            list(pool.map(lambda url: check(url, token, saved), checks))
    except Exception as err:
        report["errors"].append(repr(err)[:300])
    tick += 1.0
    time.sleep(max(0, tick - time.monotonic()))
print(json.dumps(report))
"""


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(env: dict, site: dict, args) -> tuple[dict, dict, str]:
    log = VAR / "load-gunicorn.log"
    server = start(env, log)
    try:
        for path in ["/", site["entries"][0], "/feed/"]:
            urllib.request.urlopen(BASE + path).read()  # warm up both workers' imports
        writer = subprocess.Popen([PY, "-c", WRITER, str(args.seconds), BASE], cwd=ROOT,
                                  env=env, stdout=subprocess.PIPE, text=True)  # fmt: skip
        started = time.monotonic()
        results = asyncio.run(readers(site, args.seconds, args.connections, args.seed))
        elapsed = time.monotonic() - started
        out, _ = writer.communicate(timeout=args.seconds + 60)
        writes = json.loads(out.strip().splitlines()[-1])
    finally:
        stop(server)
    results["_elapsed"] = elapsed
    return results, writes, log.read_text()


def report(env: dict, site: dict, args, results: dict, writes: dict, log: str) -> str:
    elapsed = results.pop("_elapsed")
    engine = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    cache = "Redis" if env.get("REDIS_URL") else "file cache"
    total = sum(len(row["ms"]) for row in results.values())
    errors = {
        kind: {s: n for s, n in row["status"].items() if not isinstance(s, int) or s >= 500}
        for kind, row in results.items()
    }
    locked = len(re.findall(r"database is locked", log))
    tracebacks = log.count("Traceback")
    lines = [
        f"## {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: {engine} + {cache}, "
        f"{site['count']} entries, gunicorn 2 sync workers, {args.connections} connections, "
        f"{args.seconds:.0f} s, one write a second",
        "",
        f"Machine: {os.cpu_count()} cores, shared with other work while measured; the client "
        "(Python asyncio, a new connection per request) runs on the same machine.",
        "",
        f"All pages: {total} responses, {total / elapsed:,.0f} requests/s.",
        "",
        "| page kind | requests | requests/s | p50 ms | p99 ms | statuses | X-Cache | errors |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for kind, row in results.items():
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(row["status"].items(), key=str))
        caches = ", ".join(f"{c}: {n}" for c, n in sorted(row["cache"].items()))
        lines.append(
            f"| {kind} | {len(row['ms'])} | {len(row['ms']) / elapsed:,.1f} | "
            f"{percentile(row['ms'], 0.5):.1f} | {percentile(row['ms'], 0.99):.1f} | "
            f"{statuses} | {caches} | {sum(errors[kind].values())} |"
        )
    seen = writes["seen_ms"]
    lines += [
        "",
        f"Writes: {writes['writes']} (new entries and edits, one a second), each checked on "
        f"its entry page (and new ones on the index): {len(seen)} checks; the first page read "
        f"after the save already showed the change in {writes['fresh_first_read']}, not in "
        f"{writes['stale_first_read']} (reads that failed or timed out: "
        f"{writes['failed_reads']}); seen within 1 s of the save: "
        f"{len(seen) - writes['late']}, later: {writes['late']} (time to seen, request queueing "
        f"included: p50 {percentile(seen, 0.5):.0f} ms, max "
        f"{max(seen, default=float('nan')):.0f} ms); writer errors: {len(writes['errors'])} "
        f"{writes['errors'][:3]}.",
        f'Server log: {locked} "database is locked", {tracebacks} tracebacks.',
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    env = environment(args.entries)
    site = prepare(env, args.entries)
    results, writes, log = run(env, site, args)
    text = report(env, site, args, results, writes, log)
    print(text)
    output = ROOT / "bench" / "RESULTS-load.md"
    previous = output.read_text() if output.exists() else "# Load with writes\n\n"
    output.write_text(previous + text + "\n")


if __name__ == "__main__":
    main()
