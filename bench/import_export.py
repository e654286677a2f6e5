"""Benchmark moving in and out: import N generated Markdown posts, export them, import again.

Writes N Jekyll-style posts (front matter, 5-15 paragraphs with code, 3 tags of 200, a local
picture in one post of ten unless told otherwise) into a temporary folder, then times, each
in its own process against a new SQLite database: import_markdown into the empty database,
the same import again (nothing changes), and export_markdown. Prints posts per second for
each and appends them to bench/RESULTS.md. Not a test. Usage:

    .venv/bin/python bench/import_export.py [--posts 10000] [--pictures-every 10] [--keep]
        [--runs 1] [--compare OTHER_CHECKOUT] [--no-record] [--work-dir DIR]

On a shared machine timings drift with the other work on it: --compare times another
checkout of the project (a git worktree of the old commit, with a .venv) on the same posts,
alternating with this one run by run, and reports both with the load average of each run.
Each run also times two things that do not involve the project, a fixed loop of plain Python
and making 2,000 files in the work folder: hosts (and one host from day to day) differ
several-fold in both, and these tell a slower machine from slower code. --work-dir /dev/shm
takes the disk out of the figures.
"""

import argparse
import datetime
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
STEPS = ("import into an empty database", "the same import again (no change)", "export_markdown")


def write_posts(folder: Path, count: int, pictures_every: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import django

    django.setup()
    from posts.operations.generate import write_markdown_posts

    write_markdown_posts(folder, count, pictures_every=pictures_every)


def describe(checkout: Path) -> str:
    """Return the checkout's commit, marked when it has changes not committed."""
    git = ["git", "-C", str(checkout)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    # The results files are written by the benchmark itself: they are not changes to the code.
    dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no", "--", ".",
                            ":!bench/RESULTS*.md"], capture_output=True, text=True)  # fmt: skip
    return commit.stdout.strip() + (" (with changes)" if dirty.stdout.strip() else "")


def timed(checkout: Path, env: dict, *args: str) -> tuple[float, float]:
    """Run a command; return its seconds and the CPU seconds it and its workers used."""
    python = checkout / ".venv" / "bin" / "python"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([str(python), "manage.py", *args], cwd=checkout, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu


def machine_speed(work: Path) -> tuple[float, float]:
    """Return the CPU seconds of a fixed loop of plain Python here, and files made per second."""
    started = time.process_time()
    total = 0
    for number in range(10_000_000):
        total += number
    loop = time.process_time() - started
    folder = work / "speed"
    folder.mkdir()
    started = time.perf_counter()
    for number in range(2000):
        (folder / f"{number}.md").write_bytes(b"x" * 6000)
    files = 2000 / (time.perf_counter() - started)
    shutil.rmtree(folder)
    return loop, files


def one_run(checkout: Path, source: Path, work: Path) -> tuple[tuple, list[tuple]]:
    """Time the three steps of one checkout in a new database; return (machine, timings).

    machine: the load average as the run starts, and machine_speed's two figures.
    """
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "CACHE_URL": f"filecache://{work / 'cache'}",
        "MEDIA_ROOT": str(work / "media"),
    }
    subprocess.run([str(checkout / ".venv" / "bin" / "python"), "manage.py", "migrate", "-v0"],
                   cwd=checkout, env=env, check=True)  # fmt: skip
    machine = (os.getloadavg()[0], *machine_speed(work))
    timings = [
        timed(checkout, env, "import_markdown", str(source)),
        timed(checkout, env, "import_markdown", str(source)),
        timed(checkout, env, "export_markdown", str(work / "export")),
    ]
    shutil.rmtree(work, ignore_errors=True)
    return machine, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument(
        "--pictures-every", type=int, default=10, help="One post in N shows a picture; 0: none."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    parser.add_argument("--runs", type=int, default=1, help="Runs of each checkout.")
    parser.add_argument(
        "--compare", type=Path, help="Another checkout to time too, alternating with this one."
    )
    parser.add_argument(
        "--no-record", action="store_true", help="Print the results only, not into RESULTS.md."
    )
    parser.add_argument(
        "--work-dir", type=Path, help="Where the posts, databases and export go (default: /tmp)."
    )
    options = parser.parse_args()
    checkouts = [options.compare.resolve(), ROOT] if options.compare else [ROOT]
    work = Path(tempfile.mkdtemp(prefix="blogsite-bench-import-", dir=options.work_dir))
    try:
        write_posts(work / "site", options.posts, options.pictures_every)
        source = work / "site" / "_posts"
        runs = []  # (checkout, run number, load, (seconds, CPU seconds) of each step)
        for number in range(1, options.runs + 1):
            for checkout in checkouts:
                machine, timings = one_run(checkout, source, work / "run")
                runs.append((checkout, number, machine, timings))
                rates = ", ".join(
                    f"{options.posts / s:.0f} ({cpu:.1f} CPU s)" for s, cpu in timings
                )
                load, loop, files = machine
                print(
                    f"{describe(checkout)} run {number}: load {load:.2f}, loop {loop:.2f} s, "
                    f"{files:,.0f} files/s, posts/s {rates}"
                )
        lines = report(runs, checkouts, options)
        print("\n".join(lines))
        if not options.no_record:
            with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results_file:
                results_file.write("\n".join(lines) + "\n")
    finally:
        if options.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def report(runs: list, checkouts: list[Path], options) -> list[str]:
    """Return the Markdown table of every run, with the median of each checkout's runs."""
    pictures = (
        f"a picture in one of {options.pictures_every} posts"
        if options.pictures_every
        else "no pictures"
    )
    compared = (
        f", {describe(checkouts[0])} against {describe(checkouts[1])}, runs alternating"
        if len(checkouts) > 1
        else ""
    )
    lines = [
        f"\n## Import and export, {datetime.date.today()} ({options.posts} posts, {pictures}, "
        f"one process each, SQLite, times include Django's start{compared})\n",
        "Posts per second, and in brackets the CPU seconds the command and its workers used "
        "(less sensitive to the machine's other work); load: the 1-minute load average as the "
        "run started; loop: CPU seconds of 10 million additions in plain Python; files/s: "
        "6 kB files made per second in the work folder (the last two measure the machine, "
        "not the project).\n",
        "| code | run | load | loop | files/s | " + " | ".join(STEPS) + " |",
        "| --- | ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in STEPS) + " |",
    ]

    def cell(rate: float, cpu: float, bold: str = "") -> str:
        return f"{bold}{rate:,.0f}{bold} ({cpu:.1f})"

    for checkout, number, (load, loop, files), timings in runs:
        cells = " | ".join(cell(options.posts / s, cpu) for s, cpu in timings)
        machine = f"{load:.2f} | {loop:.2f} | {files:,.0f}"
        lines.append(f"| {describe(checkout)} | {number} | {machine} | {cells} |")
    if options.runs > 1:
        for checkout in checkouts:
            mine = [timings for c, _n, _l, timings in runs if c == checkout]
            cells = " | ".join(
                cell(
                    statistics.median(options.posts / t[step][0] for t in mine),
                    statistics.median(t[step][1] for t in mine),
                    bold="**",
                )
                for step in range(len(STEPS))
            )
            lines.append(f"| {describe(checkout)} | median | | | | {cells} |")
    return lines


if __name__ == "__main__":
    main()
