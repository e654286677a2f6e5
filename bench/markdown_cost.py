"""Seconds per MB of Markdown, by kind of input: markdown-it-py alone and our pipeline.

For each family of input (runs of "[", "![", "*a", ">", "<a", backticks, nested lists and
quotes, long tables, ordinary prose) at two sizes, side by side in one run:

  plain    markdown-it-py alone: MarkdownIt("commonmark") with the extensions we enable
           (tables, strikethrough, footnotes), none of our rules, pictures or sanitising
  before   posts.rendering.markdown.render without the unmatched-brackets rule (guard=False)
  after    posts.rendering.markdown.render as the site runs it

Each figure is the best of --runs. Then every family at the size limit (BLOGSITE_BODY_MAX_KB)
through the bounded render a request waits on (posts.rendering.bounded.run_bounded): the
seconds it held the caller, which must stay under BLOGSITE_RENDER_SECONDS plus a little.

    .venv/bin/python bench/markdown_cost.py [--sizes 32,128] [--runs 2] [--no-bounded]
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def repeat(unit: str, size: int) -> str:
    return unit * (size // len(unit))


def lines(make, size: int) -> str:
    out, total, index = [], 0, 0
    while total < size:
        line = make(index)
        out.append(line)
        total += len(line)
        index += 1
    return "".join(out)


PROSE = (
    "Ordinary writing has *emphasis*, **strong words**, `code`, a [link](https://example.org/)"
    " and plain sentences that run on for a while before the paragraph ends.\n\n"
)

FAMILIES = {
    "[": lambda n: repeat("[", n),
    "![": lambda n: repeat("![", n),
    "[[[]": lambda n: repeat("[[[]", n),
    "*a": lambda n: repeat("*a", n),
    "_a": lambda n: repeat("_a", n),
    ">": lambda n: repeat(">", n),
    "<a": lambda n: repeat("<a", n),
    "`": lambda n: repeat("`", n),
    "``a`": lambda n: repeat("``a`", n),
    "nested lists": lambda n: lines(lambda i: "  " * (i % 40) + "- item\n", n),
    "nested quotes": lambda n: lines(lambda i: "> " * (i % 40) + "quote\n", n),
    "long table": lambda n: (
        "| a | b | c |\n|---|---|---|\n" + lines(lambda i: f"| {i} | *x* | `y` |\n", n)
    ),
    "prose": lambda n: repeat(PROSE, n),
}


def best_of(runs: int, func, text: str) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="32,128", help="input sizes in KB (default 32,128)")
    parser.add_argument("--runs", type=int, default=2, help="runs of each, best kept")
    parser.add_argument("--no-bounded", action="store_true", help="skip the bounded pass")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import django

    django.setup()
    from django.conf import settings
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    from posts.rendering.bounded import TooCostly, run_bounded
    from posts.rendering.markdown import render

    plain = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)
    ways = {
        "plain": plain.render,
        "before": lambda text: render(text, guard=False),
        "after": render,
    }
    render("warm up *the* [parser](x) and `Pygments`")
    sizes = [int(kb) * 1024 for kb in args.sizes.split(",")]
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores shared)")
    print(f"seconds per MB (best of {args.runs}); before/after: ours without and with the rule")
    head = f"{'family':14} {'KB':>5} " + " ".join(f"{w:>8}" for w in ways)
    print(head + f" {'before/after':>13} {'plain/after':>12}")
    worst_after = 0.0
    for name, make in FAMILIES.items():
        for size in sizes:
            text = make(size)
            per_mb = {w: best_of(args.runs, f, text) / len(text) * 1e6 for w, f in ways.items()}
            worst_after = max(worst_after, per_mb["after"] / 1e6)
            print(
                f"{name:14} {size // 1024:>5} "
                + " ".join(f"{per_mb[w]:8.2f}" for w in ways)
                + f" {per_mb['before'] / per_mb['after']:13.1f}"
                + f" {per_mb['plain'] / per_mb['after']:12.1f}",
                flush=True,
            )
    inline = settings.BLOGSITE_RENDER_INLINE_BYTES
    print(
        f"worst 'after' cost: {worst_after * 1e6:.1f} µs a byte; at that cost the largest body "
        f"rendered in the worker ({inline:,} bytes) takes {worst_after * inline:.2f} s "
        f"(bound {settings.BLOGSITE_RENDER_SECONDS:g} s)"
    )
    if args.no_bounded:
        return
    limit = settings.BLOGSITE_BODY_MAX_KB * 1024
    print(f"\nbounded render at the size limit ({limit // 1024} KB): seconds the caller waited")
    longest = 0.0
    for name, make in FAMILIES.items():
        text = make(limit - 64)
        start = time.perf_counter()
        try:
            run_bounded(lambda body: render(body).html, text)
            outcome = "rendered"
        except TooCostly as err:
            outcome = f"refused: {err.what} near line {err.line}"
        waited = time.perf_counter() - start
        longest = max(longest, waited)
        print(f"{name:14} {waited:6.2f}  {outcome}", flush=True)
    print(f"longest wait: {longest:.2f} s (bound {settings.BLOGSITE_RENDER_SECONDS:g} s)")


if __name__ == "__main__":
    main()
