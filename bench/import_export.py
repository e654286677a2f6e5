"""Benchmark moving in and out: import N generated Markdown posts, export them, import again.

Writes N Jekyll-style posts (front matter, 5-15 paragraphs with code, 3 tags of 200, a local
picture in one post of ten unless told otherwise) into a temporary folder, then times, each
in its own process against a new SQLite database: import_markdown into the empty database,
the same import again (nothing changes), and export_markdown. Prints posts per second for
each and appends them to bench/RESULTS.md. Not a test. Usage:

    .venv/bin/python bench/import_export.py [--posts 10000] [--pictures-every 10] [--keep]
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
sys.path.insert(0, str(ROOT))


def write_posts(folder: Path, count: int, pictures_every: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import django

    django.setup()
    from posts.generate import write_markdown_posts

    write_markdown_posts(folder, count, pictures_every=pictures_every)


def timed(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument(
        "--pictures-every", type=int, default=10, help="One post in N shows a picture; 0: none."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="blogsite-bench-import-"))
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
    try:
        write_posts(work / "site", options.posts, options.pictures_every)
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        source = str(work / "site" / "_posts")
        first = timed(env, "import_markdown", source)
        again = timed(env, "import_markdown", source)
        out = timed(env, "export_markdown", str(work / "export"))
        results = [
            ("import into an empty database", first),
            ("the same import again (no change)", again),
            ("export_markdown", out),
        ]
        lines = [
            f"\n## Import and export, {datetime.date.today()} ({options.posts} posts, "
            + (
                f"a picture in one of {options.pictures_every} posts"
                if options.pictures_every
                else "no pictures"
            )
            + ", one process each, "
            "SQLite, times include Django's start)\n",
            "| step | seconds | posts/s |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {name} | {secs:.1f} | {options.posts / secs:.0f} |" for name, secs in results]
        print("\n".join(lines))
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as results_file:
            results_file.write("\n".join(lines) + "\n")
    finally:
        if options.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
