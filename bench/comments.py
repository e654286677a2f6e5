"""Benchmark comments: POSTs per second, and the cached entry page with comments on and off.

Runs gunicorn (2 sync workers, DEBUG off, SQLite, the database task backend) on 127.0.0.1
with generated entries. Measures, with wrk, interleaved run by run:
  - comment POSTs (each one new, signed stamp, same origin, no rate limit) at 8 connections:
    every one is checked, stored, waits for moderation and enqueues the author's notice;
  - the cached page of an entry with 20 approved comments and its open form ("on") and of
    a copy of it (same body, a title as long) with comments switched off and none ("off"):
    the ratio on/off shows the page cache holds (target: at least 0.9).
Prints the table and appends it to bench/RESULTS-comments.md. Not a test. Usage:

    python bench/comments.py [--entries 200] [--seconds 10] [--runs 3] [--connections 8]
"""

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import stop, wrk

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PORT = 8013
BASE = f"http://127.0.0.1:{PORT}"

POST_SCRIPT = """
local counter = 0
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end
request = function()
  counter = counter + 1
  local body = "name=Bench&body=Comment+number+" .. counter .. "+" .. math.random(1, 1000000000)
    .. "+from+the+benchmark&stamp=" .. wrk.stamp
  return wrk.format("POST", wrk.target_path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = "http://127.0.0.1:PORT",
  }, body)
end
"""


def environment(entries: int) -> dict:
    var = ROOT / "var"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BLOGSITE_PLAIN_HTTP": "1",
        "DATABASE_URL": f"sqlite:///{var / f'bench-comments-{entries}.sqlite3'}",
        "CACHE_URL": f"filecache://{var / f'bench-comments-cache-{entries}'}",
        "STATIC_ROOT": str(var / "bench-static"),
        "BLOGSITE_PAGE_CACHE": "1",
        "COMMENTS_CLOSE_AFTER_DAYS": "0",
        "COMMENTS_PER_IP_PER_HOUR": "0",
        "COMMENTS_PER_ENTRY_PER_HOUR": "0",
        "COMMENTS_MIN_SECONDS": "0",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            check=True, capture_output=True, text=True)  # fmt: skip
    return result.stdout


SETUP = """
import time
from posts.models import Entry
from comments.models import Comment, Discussion
from comments.stamps import make_stamp
generated = Entry.objects.published().exclude(title__startswith="Benchmark entry")
source, target = generated.order_by("-published_at")[3:5]
pair = []
for title in ("Benchmark entry, comments on", "Benchmark entry, comments off"):
    Entry.objects.filter(title=title).delete()
    pair.append(Entry.objects.create(title=title, author=source.author, body=source.body,
                                     status="published", published_at=source.published_at))
on, off = pair
Comment.objects.filter(entry=target).delete()
Discussion.objects.filter(entry=target).delete()
for n in range(20):
    Comment.objects.create(entry=on, name=f"Reader {n}", status="approved",
                           body=f"Comment {n} with *emphasis* and a [link](https://example.org/{n}).")
Discussion.objects.update_or_create(entry=off, defaults={"open": False})
stamp = make_stamp(target.pk, time.time() - 60)
print(on.get_absolute_url(), off.get_absolute_url(), target.pk, stamp)
"""


def prepare(entries: int) -> dict:
    env = environment(entries)
    database = ROOT / "var" / f"bench-comments-{entries}.sqlite3"
    if not database.exists():
        manage(env, "migrate", "-v0")
        print(f"generating {entries} entries…", flush=True)
        manage(env, "generate_entries", str(entries))
    manage(env, "collectstatic", "--noinput", "-v0")
    on, off, target, stamp = manage(env, "shell", "-v0", "-c", SETUP).split()
    return {"on": on, "off": off, "target": int(target), "stamp": stamp}


def start(env: dict) -> subprocess.Popen:
    server = subprocess.Popen([str(BIN / "gunicorn"), "blogsite.wsgi"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    stop(server)
    sys.exit("gunicorn did not start")


def post_script(stamp: str, path: str) -> str:
    script = POST_SCRIPT.replace("PORT", str(PORT))
    script = f'wrk.stamp = "{stamp}"\nwrk.target_path = "{path}"\n' + script
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    return handle.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    pages = prepare(args.entries)
    env = environment(args.entries)
    post_path = f"/comments/entry/{pages['target']}/"
    script = post_script(pages["stamp"], post_path)
    server = start(env)
    results = {"entry, cached, comments on": [], "entry, cached, comments off": [],
               "comment POSTs": []}  # fmt: skip
    try:
        sizes = {  # the first request also warms the page cache
            key: len(urllib.request.urlopen(BASE + pages[key]).read()) for key in ("on", "off")
        }
        pair = [("entry, cached, comments on", pages["on"]),
                ("entry, cached, comments off", pages["off"])]  # fmt: skip
        for run in range(args.runs):  # interleaved, order swapped each run: drift hits both
            for name, path in pair if run % 2 == 0 else pair[::-1]:
                results[name].append(wrk(BASE + path, args.seconds, args.connections))
            command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
                       "-s", script, BASE + post_path]  # fmt: skip
            results["comment POSTs"].append(parse(subprocess.run(
                command, capture_output=True, text=True, check=True).stdout))  # fmt: skip
        cached_after = urllib.request.urlopen(BASE + pages["on"]).headers["X-Cache"]
    finally:
        stop(server)
        os.unlink(script)
    rows = {
        name: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        for name, runs in results.items()
    }
    count = f"print(Comment.objects.filter(entry_id={pages['target']}).count())"
    stored = manage(env, "shell", "-v0", "-c", "from comments.models import Comment; " + count)
    ratio = rows["entry, cached, comments on"]["rps"] / rows["entry, cached, comments off"]["rps"]
    lines = [
        f"## {datetime.date.today()}: comments, gunicorn 2 sync workers, SQLite, "
        f"wrk -c{args.connections} -d{args.seconds}s, median of {args.runs} interleaved runs",
        "",
        "| target | requests/s | p50 ms | p99 ms | non-2xx/3xx |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, row in rows.items():
        lines.append(f"| {name} | {row['rps']:,.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
                     f"{row['errors']:.0f} |")  # fmt: skip
    lines += [
        "",
        f"Page bytes: {sizes['on']:,} with comments, {sizes['off']:,} without. "
        f"Cached entry page, comments on / off: {ratio:.3f} (target: at least 0.9). "
        f"Comments stored by the POST runs (all waiting for moderation): {stored.strip()}. "
        f"The commented page after the POST runs: X-Cache {cached_after}.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "RESULTS-comments.md"
    previous = out.read_text() if out.exists() else "# Comments benchmark results\n\n"
    out.write_text(previous + report + "\n")


def parse(out: str) -> dict:
    import re

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def percentile(name: str) -> float:
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"rps": rps, "p50": percentile("50"), "p99": percentile("99"),
            "errors": int(errors.group(1)) if errors else 0}  # fmt: skip


if __name__ == "__main__":
    main()
