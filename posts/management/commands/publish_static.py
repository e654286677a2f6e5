from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from posts.delivery.publish import WRITTEN_LIST, publish_site


class Command(BaseCommand):
    help = "Write the whole public site as static files into OUT (only what changed)."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="The folder to write; made if missing.")
        parser.add_argument(
            "--base-url",
            default="http://localhost",
            help="Where the files will be served, for feeds and canonical links "
            "(default http://localhost).",
        )

    def handle(self, *args, out: Path, base_url: str, **options) -> None:
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} exists and is not a folder.")
        if not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://")
        if out.is_dir() and any(out.iterdir()) and not (out / WRITTEN_LIST).is_file():
            raise CommandError(
                f"{out} holds files that publish_static did not write: choose an empty "
                "folder (or one an earlier publish_static wrote)."
            )
        out.mkdir(parents=True, exist_ok=True)
        report = publish_site(out.resolve(), base_url)
        files = ngettext("file", "files", len(report.written))
        self.stdout.write(
            f"{len(report.written)} {files} written, {report.unchanged} unchanged, "
            f"{len(report.removed)} removed, in {out}."
        )
        if report.failed:
            raise CommandError("Some pages could not be rendered:\n  " + "\n  ".join(report.failed))
