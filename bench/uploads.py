"""Benchmark what an upload costs: CPU seconds and peak memory, before issue 22's fix and after.

Each picture goes through what the admin does with an upload (the form's check, the model's
clean, the renditions) in a process of its own, once with posts/imagefiles/processing.py as
it was at --before (a git commit; the work done in the worker itself) and once with this
checkout (the worker hands the picture to a zygote that forks a bounded child per step).
For each it prints, side by side, the CPU seconds and peak resident memory of the
processes doing the work: the worker before; the worker, and its picture processes, after
(resource.getrusage, RUSAGE_SELF and RUSAGE_CHILDREN); and what became of the upload. The
worker's CPU seconds leave out its start (Django and Pillow imported); its peak memory
includes them (about 50 MB). The picture processes' peak is an upper bound: Linux counts in
it the size of the process that started them. Usage:

    .venv/bin/python bench/uploads.py [--before b5302d9] [--before-cpu-cap 30] [--only NAME]

The old code could run a bomb past gunicorn's 30 s timeout (issue 22's report measured
91 s): --before-cpu-cap stops it there, as gunicorn stopped the worker, and says so; 0 lets
it run to its end.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The last commit before pictures were processed in a bounded child (issue 22's fix came with
# the layout's move in e9dace4): then the code was posts/images.py.
BEFORE = "b5302d9"
PATHS = ("posts/imagefiles/processing.py", "posts/images.py")


def cases() -> dict[str, bytes]:
    """The uploads measured: issue 22's bombs and ordinary pictures of each kind."""
    from PIL import Image as PILImage

    from tests.imagefiles.bombs import animation, apng_bomb, gif_bomb, multipage_tiff, webp_bomb

    def saved(image, fmt, **options) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, format=fmt, **options)
        return buffer.getvalue()

    noise = [PILImage.effect_noise((4000, 3000), sigma) for sigma in (40, 60, 80)]
    photo = PILImage.merge("RGB", noise)
    exif = PILImage.Exif()
    exif[0x0112] = 6  # sideways, as phones write it: the photo is turned and re-encoded
    screenshot = PILImage.linear_gradient("L").resize((1600, 1000)).convert("RGB")
    return {
        "GIF bomb (7000x7000 screen, 10 frames, comment)": gif_bomb(7000, 7000, 10),
        "APNG bomb (10 frames of 7000x7000)": apng_bomb(7000, frames=10),
        "WebP bomb (7000x7000 canvas, 10 frames)": webp_bomb(7000, 7000, frames=10),
        "GIF of 100,000 one-pixel frames": gif_bomb(1, 1, 100_000, comment=False),
        "TIFF of 50 pages of 2000x2000": multipage_tiff(50, 2000),
        "phone photo, 12 MP JPEG, turned": saved(photo, "JPEG", quality=90, exif=exif.tobytes()),
        "screenshot, 1600x1000 PNG": saved(screenshot, "PNG"),
        "animated GIF, 480x270, 60 frames": animation("GIF", (480, 270), frames=60),
    }


def drive(code: str, picture: str) -> None:
    """In a process of its own: upload one picture as the admin does, print what it cost."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
    import django

    django.setup()
    import importlib.util

    from django.core.exceptions import ValidationError
    from django.core.files.storage import InMemoryStorage

    spec = importlib.util.spec_from_file_location("processing_under_test", code)
    processing = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(processing)
    from PIL import Image, ImageOps  # noqa: F401 (imported by the old code as it works)

    data = Path(picture).read_bytes()
    started = resource.getrusage(resource.RUSAGE_SELF)  # Django's start is not the upload's
    try:
        processing.check_image_file(io.BytesIO(data), size=len(data))
        clean = processing.clean_image(io.BytesIO(data), size=len(data))
        made = processing.make_renditions(io.BytesIO(clean.data), "bench", InMemoryStorage())
        outcome = f"stored ({clean.format}, {len(made)} renditions)"
    except ValidationError as err:
        outcome = "refused: " + " ".join(err.messages)
    sandbox = getattr(processing, "sandbox", None)
    if hasattr(sandbox, "shutdown"):
        sandbox.shutdown()  # its zygote's CPU time counts among the children once it has ended
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "outcome": outcome,
        "worker_cpu": own.ru_utime + own.ru_stime - started.ru_utime - started.ru_stime,
        "worker_mb": own.ru_maxrss / 1024,
        "child_cpu": children.ru_utime + children.ru_stime, "child_mb": children.ru_maxrss / 1024,
    }))  # fmt: skip


def measure(code: Path, picture: Path, cpu_cap: int) -> dict:
    """Run drive() in a new process; return its figures, or what killed it and what it used."""

    def cap() -> None:
        if cpu_cap:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_cap, cpu_cap))

    child = subprocess.Popen(
        [sys.executable, __file__, "--drive", str(code), str(picture)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=cap, cwd=ROOT,
    )  # fmt: skip
    out, err = child.stdout.read(), child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode == 0:
        return json.loads(out.splitlines()[-1])
    cpu = usage.ru_utime + usage.ru_stime
    outcome = (
        f"killed at {cpu:.0f} s of CPU (a gunicorn worker: 500)"
        if cpu >= cpu_cap - 1
        else (f"crashed ({child.returncode}): {err.decode()[-120:]!r}")
    )
    return {"outcome": outcome, "worker_cpu": cpu, "worker_mb": usage.ru_maxrss / 1024,
            "child_cpu": 0.0, "child_mb": 0.0}  # fmt: skip


def code_at(commit: str) -> bytes:
    """Return the picture-processing module as it was at commit, wherever it lived then."""
    for path in PATHS:
        shown = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{commit}:{path}"], capture_output=True
        )
        if shown.returncode == 0:
            return shown.stdout
    sys.exit(f"{commit} has none of {', '.join(PATHS)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=BEFORE, help="git commit of the code before")
    parser.add_argument("--before-cpu-cap", type=int, default=30, help="0: no cap")
    parser.add_argument("--only", default="", help="only the cases whose name holds this")
    parser.add_argument("--drive", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(*args.drive)
        return
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        old = work / "processing_before.py"
        old.write_bytes(code_at(args.before))
        new = ROOT / "posts" / "imagefiles" / "processing.py"
        print(
            f"before: {args.before} (work in the worker); after: this checkout (bounded children)"
        )
        print(f"{'upload':<48} {'before CPU s':>12} {'peak MB':>8} | {'after CPU s':>11}"
              f" {'(child)':>8} {'peak MB':>8} {'(child)':>8}")  # fmt: skip
        outcomes = []
        for name, data in cases().items():
            if args.only and args.only.lower() not in name.lower():
                continue
            picture = work / "upload"
            picture.write_bytes(data)
            before = measure(old, picture, args.before_cpu_cap)
            after = measure(new, picture, 0)
            print(
                f"{name:<48} {before['worker_cpu'] + before['child_cpu']:>12.2f}"
                f" {max(before['worker_mb'], before['child_mb']):>8.0f} |"
                f" {after['worker_cpu']:>11.2f} {after['child_cpu']:>8.2f}"
                f" {after['worker_mb']:>8.0f} {after['child_mb']:>8.0f}",
                flush=True,
            )
            outcomes.append((name, before["outcome"], after["outcome"]))
        print("\nWhat became of each upload (before / after):")
        for name, before, after in outcomes:
            print(f"- {name}\n    before: {before}\n    after:  {after}")


if __name__ == "__main__":
    main()
