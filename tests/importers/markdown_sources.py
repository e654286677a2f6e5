"""Markdown sources for the importers' tests, and import_markdown run on them."""

from pathlib import Path

from django.core.management import call_command


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_markdown", *map(str, args), stdout=out)
    return out.getvalue()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
