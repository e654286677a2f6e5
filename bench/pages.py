"""Benchmark the public pages: cached, uncached and 304, against whitenoise serving a file.

Runs gunicorn (2 sync workers, DEBUG off, SQLite) on 127.0.0.1 with N generated entries and
measures each target (cached pages in the file cache, then in Redis database 13 where Redis
answers at 127.0.0.1:6379) with wrk, interleaving the runs; prints requests/s, p50 and p99, the
ratio of each to the static file of the same bytes measured in the same run, and appends the
table to bench/RESULTS.md. Not a test. Usage:

    .venv/bin/python bench/pages.py [--entries 1000] [--seconds 10] [--runs 3]
"""

import argparse
import datetime
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = 8011
BASE = f"http://127.0.0.1:{PORT}"


REDIS = "redis://127.0.0.1:6379/13"  # a database of its own, emptied before use


def environment(entries: int, page_cache: bool, redis: str | None = None) -> dict:
    var = ROOT / "var"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BLOGSITE_PLAIN_HTTP": "1",
        "DATABASE_URL": f"sqlite:///{var / f'bench-{entries}.sqlite3'}",
        "CACHE_URL": f"filecache://{var / f'bench-cache-{entries}'}",
        # Its own static folder: the benchmark adds a file there that the site must not ship.
        "STATIC_ROOT": str(var / "bench-static"),
        "BLOGSITE_PAGE_CACHE": "1" if page_cache else "0",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "LOG_LEVEL": "WARNING",
    }
    if redis:
        env["REDIS_URL"] = redis
    return env


def redis_answers() -> bool:
    try:
        import redis

        client = redis.Redis.from_url(REDIS, socket_connect_timeout=0.5)
        client.flushdb()
        return True
    except Exception:  # not installed or not running: the phase is left out, and said so
        return False


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)  # fmt: skip
    return result.stdout


def prepare(entries: int) -> dict:
    """Make the database (once), collect static files, and pick the pages to measure."""
    env = environment(entries, page_cache=False)
    database = ROOT / "var" / f"bench-{entries}.sqlite3"
    if not database.exists():
        manage(env, "migrate", "-v0")
        print(f"generating {entries} entries…", flush=True)
        manage(env, "generate_entries", str(entries))
    manage(env, "collectstatic", "--noinput", "-v0")
    code = (
        "from posts.models import Entry; from taggit.models import Tag; "
        "e = Entry.objects.published().order_by('-published_at')[5]; "
        "t = Tag.objects.get(name='topic-007'); "
        "print(e.get_absolute_url()); print(f'/tags/{t.slug}/')"
    )
    entry, tag = manage(env, "shell", "-v0", "-c", code).split()
    # The index page's own bytes, as a static file for whitenoise: the Python limit.
    index = subprocess.run(
        [PY, "-c", "import django; django.setup(); from django.test import Client; "
         "import sys; sys.stdout.buffer.write(Client().get('/').content)"],
        cwd=ROOT, env={**env, "ALLOWED_HOSTS": "testserver"}, check=True, capture_output=True,
    ).stdout  # fmt: skip
    static_root = Path(env["STATIC_ROOT"])
    (static_root / "bench-index.html").write_bytes(index)
    return {"entry": entry, "tag": tag, "bytes": len(index)}


def start(env: dict, app: str = "blogsite.wsgi") -> subprocess.Popen:
    server = subprocess.Popen([GUNICORN, app], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{env['GUNICORN_BIND']}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    stop(server)
    sys.exit("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


def worker_rss_mb(server: subprocess.Popen) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    sizes = []
    for pid in children.stdout.split():
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return sizes


def wrk(url: str, seconds: int, connections: int, headers: list[str] | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for header in headers or []:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def percentile(name: str) -> float:
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"rps": rps, "p50": percentile("50"), "p99": percentile("99"),
            "errors": int(errors.group(1)) if errors else 0}  # fmt: skip


def measure(targets: dict, runs: int, seconds: int, connections: int) -> dict:
    results = {name: [] for name in targets}
    for _ in range(runs):  # interleaved, so drift hits every target alike
        for name, (url, headers) in targets.items():
            results[name].append(wrk(url, seconds, connections, headers))
    return {
        name: {key: statistics.median(run[key] for run in runs_) for key in runs_[0]}
        for name, runs_ in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    pages = prepare(args.entries)
    rows = {}

    cached = start(environment(args.entries, page_cache=True))
    try:
        for path in ("/", pages["entry"], pages["tag"]):
            urllib.request.urlopen(BASE + path).read()  # warm the cache
        etag = urllib.request.urlopen(BASE + "/").headers["ETag"]
        rows.update(measure({
            "static file (whitenoise)": (BASE + "/static/bench-index.html", None),
            "index, cached": (BASE + "/", None),
            "entry, cached": (BASE + pages["entry"], None),
            "tag, cached": (BASE + pages["tag"], None),
            "index, 304": (BASE + "/", [f"If-None-Match: {etag}"]),
        }, args.runs, args.seconds, args.connections))  # fmt: skip
        rss_cached = worker_rss_mb(cached)
    finally:
        stop(cached)

    # The same hits from Django's handler alone: PageCacheMiddleware, first in MIDDLEWARE,
    # answers them, as before blogsite.wsgi answered them ahead of Django.
    plain = start(
        environment(args.entries, page_cache=True), "django.core.wsgi:get_wsgi_application()"
    )
    try:
        rows.update(measure({
            "static file (whitenoise), middleware phase": (BASE + "/static/bench-index.html", None),
            "index, cached, middleware hit": (BASE + "/", None),
            "entry, cached, middleware hit": (BASE + pages["entry"], None),
        }, args.runs, args.seconds, args.connections))  # fmt: skip
    finally:
        stop(plain)

    if redis_answers():
        on_redis = start(environment(args.entries, page_cache=True, redis=REDIS))
        try:
            for path in ("/", pages["entry"]):
                urllib.request.urlopen(BASE + path).read()
            rows.update(measure({
                "static file (whitenoise), Redis phase": (BASE + "/static/bench-index.html", None),
                "index, cached in Redis": (BASE + "/", None),
                "entry, cached in Redis": (BASE + pages["entry"], None),
            }, args.runs, args.seconds, args.connections))  # fmt: skip
        finally:
            stop(on_redis)
    else:
        print("Redis does not answer at 127.0.0.1:6379: no Redis phase", flush=True)

    uncached = start(environment(args.entries, page_cache=False))
    try:
        phase = measure({
            "static file (whitenoise), again": (BASE + "/static/bench-index.html", None),
            "index, uncached": (BASE + "/", None),
            "entry, uncached": (BASE + pages["entry"], None),
            "tag, uncached": (BASE + pages["tag"], None),
            "search, uncached": (BASE + "/search/?q=kernel+cache", None),
        }, args.runs, args.seconds, args.connections)  # fmt: skip
        rows.update(phase)
        rss_uncached = worker_rss_mb(uncached)
    finally:
        stop(uncached)

    static_first = rows["static file (whitenoise)"]["rps"]
    static_second = rows["static file (whitenoise), again"]["rps"]
    lines = [
        f"## {datetime.date.today()}: {args.entries} entries, gunicorn 2 sync workers, SQLite, "
        f"wrk -c{args.connections} -d{args.seconds}s, median of {args.runs} interleaved runs",
        "",
        f"Index page: {pages['bytes']} bytes. Ratios are to the static file measured in the "
        "same phase (file cache: first phase; Django's handler alone: second; Redis: third; "
        "uncached: last).",
        "",
        "| target | requests/s | p50 ms | p99 ms | non-2xx/3xx | ratio to static file |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in rows.items():
        if "Redis" in name:
            base = rows["static file (whitenoise), Redis phase"]["rps"]
        elif "middleware" in name:
            base = rows["static file (whitenoise), middleware phase"]["rps"]
        elif "uncached" in name or "again" in name:
            base = static_second
        else:
            base = static_first
        lines.append(f"| {name} | {row['rps']:,.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
                     f"{row['errors']:.0f} | {row['rps'] / base:.3f} |")  # fmt: skip
    lines += [
        "",
        f"Worker resident memory after the cached phase: "
        f"{', '.join(f'{mb:.0f} MB' for mb in rss_cached)}; after the uncached phase: "
        f"{', '.join(f'{mb:.0f} MB' for mb in rss_uncached)}.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    results = ROOT / "bench" / "RESULTS.md"
    previous = results.read_text() if results.exists() else "# Benchmark results\n\n"
    results.write_text(previous + report + "\n")


if __name__ == "__main__":
    main()
