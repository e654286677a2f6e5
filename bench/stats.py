"""Benchmark the statistics: the beacon against the cached entry page, and the cached page
with the beacon script on and off.

Starts two gunicorns side by side (2 sync workers each, DEBUG off, SQLite, the file cache):
one with statistics on, one with BLOGSITE_STATS=0. wrk measures, interleaved, at the same
connections: the cached entry page on each, and the beacon on the first, each request from
a new visitor (a new address: the costliest case, two marks made and a line logged). The
beacon's ratio is to the cached entry page on the same server; the on/off ratio is the
cached page's throughput with the script over without. Prints the table and appends it to
bench/RESULTS-stats.md, with bench/stats_cpu.py's CPU-time ratio of the cached page on and
off, which a busy machine sways far less than requests/s. Not a test. Usage:

    .venv/bin/python bench/stats.py [--entries 1000] [--seconds 5] [--runs 7] [--connections 8]
"""

import argparse
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # bench/pages.py: the same database, gunicorn and wrk helpers

ROOT = pages.ROOT
pages.PY = sys.executable
pages.GUNICORN = str(Path(sys.executable).parent / "gunicorn")
READER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
# Each wrk thread numbers its requests; with the thread's own id, every beacon comes from a
# new address (through one trusted proxy's X-Forwarded-For), so it is a new visitor to the
# counters, with a browser's User-Agent as most readers share a few.
BEACON_LUA = """
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function request()
  counter = counter + 1
  local high, low = math.floor(counter / 256) %% 256, counter %% 256
  local address = "10." .. id .. "." .. high .. "." .. low
  return wrk.format("POST", "/stats/hit", {
    ["User-Agent"] = "%(reader)s",
    ["X-Forwarded-For"] = address,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "p=%(path)s&r=https%%3A%%2F%%2Fnews.example.org%%2F&h=127.0.0.1")
end
"""


def wrk_script(base: str, seconds: int, connections: int, script: Path) -> dict:
    """Run wrk with a Lua script that makes each request; return what pages.wrk returns."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
               str(script), base]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    if result.stderr.strip():  # a broken script makes wrk fall back to plain GETs
        sys.exit(f"wrk's script failed: {result.stderr.strip()}")
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))

    def percentile(name: str) -> float:
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"rps": rps, "p50": percentile("50"), "p99": percentile("99"),
            "errors": int(errors.group(1)) if errors else 0, "total": total}  # fmt: skip


def views_logged() -> int:
    """Count the view lines every worker logged (the beacons that counted)."""
    directory = ROOT / "var" / "bench-stats-counters"
    return sum(
        path.read_bytes().count(b"\nv\t") + path.read_bytes().startswith(b"v\t")
        for path in directory.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


def server_env(entries: int, port: int, stats: bool) -> dict:
    env = pages.environment(entries, page_cache=True)
    name = "on" if stats else "off"
    env.update({
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "CACHE_URL": f"filecache://{ROOT / 'var' / f'bench-stats-cache-{name}'}",
        "BLOGSITE_STATS": "1" if stats else "0",
        "BLOGSITE_TRUSTED_PROXIES": "1",
        "BLOGSITE_STATS_DIR": str(ROOT / "var" / "bench-stats-counters"),
    })  # fmt: skip
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    for name in ("bench-stats-cache-on", "bench-stats-cache-off", "bench-stats-counters"):
        shutil.rmtree(ROOT / "var" / name, ignore_errors=True)
    found = pages.prepare(args.entries)
    load_before = f"{os.getloadavg()[0]:.1f}"
    entry = found["entry"]
    on_port, off_port = pages.PORT + 10, pages.PORT + 11
    on = pages.start(server_env(args.entries, on_port, stats=True))
    off = pages.start(server_env(args.entries, off_port, stats=False))
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(BEACON_LUA % {"reader": READER, "path": entry.replace("/", "%2F")})
    try:
        on_base, off_base = f"http://127.0.0.1:{on_port}", f"http://127.0.0.1:{off_port}"
        for base in (on_base, off_base):
            urllib.request.urlopen(base + entry).read()  # warm the page cache
        with_script = urllib.request.urlopen(on_base + entry).read()
        without = urllib.request.urlopen(off_base + entry).read()
        assert b"stats/beacon" in with_script and b"stats/beacon" not in without
        agent = [f"User-Agent: {READER}"]
        targets = {
            "entry, cached, script on": lambda: pages.wrk(on_base + entry, *load, agent),
            "beacon (a new visitor each)": lambda: wrk_script(on_base, *load, script),
            "entry, cached, script off": lambda: pages.wrk(off_base + entry, *load, agent),
        }
        load = (args.seconds, args.connections)
        results = {name: [] for name in targets}
        for number in range(args.runs):  # interleaved, order reversed every other run,
            names = list(targets) if number % 2 == 0 else list(reversed(targets))
            for name in names:  # so drift hits every target alike
                results[name].append(targets[name]())
        rows = {
            name: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            for name, runs in results.items()
        }
        beacons_sent = sum(run["total"] for run in results["beacon (a new visitor each)"])
    finally:
        pages.stop(on)
        pages.stop(off)
        script.unlink()
    cpu = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "stats_cpu.py"),
         str(ROOT / "var" / f"bench-{args.entries}.sqlite3")],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    # Ratios within each round (three runs back to back), then their median: the load of a
    # shared machine drifts between rounds far more than within one.
    on_runs = [run["rps"] for run in results["entry, cached, script on"]]
    beacon_runs = [run["rps"] for run in results["beacon (a new visitor each)"]]
    off_runs = [run["rps"] for run in results["entry, cached, script off"]]
    beacon_ratio = statistics.median(b / c for b, c in zip(beacon_runs, on_runs, strict=True))
    on_off_ratio = statistics.median(c / o for c, o in zip(on_runs, off_runs, strict=True))
    lines = [
        f"## {datetime.date.today()}: {args.entries} entries, two gunicorns side by side "
        f"(2 sync workers each), SQLite, file cache, wrk -c{args.connections} "
        f"-d{args.seconds}s, {args.runs} rounds (order reversed every other round)",
        "",
        "| target | requests/s | p50 ms | p99 ms | non-2xx/3xx |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, row in rows.items():
        lines.append(f"| {name} | {row['rps']:,.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
                     f"{row['errors']:.0f} |")  # fmt: skip
    lines += [
        "",
        f"Beacon / cached entry page (same server), median of the rounds' ratios: "
        f"**{beacon_ratio:.3f}** (target ≥ 0.8; rounds: "
        f"{', '.join(f'{b / c:.2f}' for b, c in zip(beacon_runs, on_runs, strict=True))}).  ",
        f"Cached entry page, script on / off, median of the rounds' ratios: "
        f"**{on_off_ratio:.3f}** (target ≥ 0.95; rounds: "
        f"{', '.join(f'{c / o:.2f}' for c, o in zip(on_runs, off_runs, strict=True))}).  ",
        f"Load average before / after: {load_before} / {os.getloadavg()[0]:.1f}.  ",
        f"Page bytes: {len(with_script)} with the script, {len(without)} without.  ",
        f"CPU time per request in one process (bench/stats_cpu.py, median of 40 interleaved "
        f"rounds): cached entry {cpu[0]} µs with the script, {cpu[1]} µs without (on / off "
        f"throughput **{cpu[2]}**); beacon {cpu[3]} µs (beacon / cached page **{cpu[4]}**).  ",
        f"Beacons wrk counted as answered: {beacons_sent}; views the workers logged: "
        f"{views_logged()} (requests cut off when wrk stops may land on either side).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    results = ROOT / "bench" / "RESULTS-stats.md"
    previous = results.read_text() if results.exists() else "# Statistics benchmark results\n\n"
    results.write_text(previous + report + "\n")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
