from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from posts.importers.export import counted, export_markdown
from posts.models import Entry, Image, Redirect


class Command(BaseCommand):
    help = (
        "Write every entry as Markdown with YAML front matter into DIR/posts/, pages into "
        "DIR/pages/, author profiles into DIR/authors/, series into DIR/series/, their "
        "pictures into DIR/media/ and the redirects into DIR/_redirects; import_markdown "
        "reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="Where to write (made if missing).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be written; write nothing."
        )

    def handle(self, *args, folder: Path, dry_run: bool, **options) -> None:
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{folder} is a file, not a folder.")
        if dry_run:
            entries, pictures = Entry.objects.count(), Image.objects.count()
            redirects = Redirect.objects.count()
            self.stdout.write(
                f"Would write {counted(entries, 'entry', 'entries')}, up to "
                f"{counted(pictures, 'picture', 'pictures')} and "
                f"{counted(redirects, 'redirect', 'redirects')} to {folder}. "
                "Dry run: nothing was written."
            )
            return
        try:
            with tqdm(total=Entry.objects.count(), unit="entry", disable=None) as bar:
                report = export_markdown(folder, progress=bar.update)
        except OSError as err:
            raise CommandError(f"Cannot write to {folder}: {err.strerror or err}") from err
        self.stdout.write(report.describe(folder))
        if report.missing:
            raise CommandError(
                "These pictures are missing from storage and were not exported:\n  "
                + "\n  ".join(report.missing)
            )
