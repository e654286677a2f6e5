from django.core.management.base import BaseCommand
from django.utils.translation import ngettext
from tqdm import tqdm

from posts.models import Entry
from posts.operations.rerender import rerender_entries


class Command(BaseCommand):
    help = "Render every entry's Markdown again, after the pipeline or a setting changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the entries whose HTML would change."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        entries = Entry.objects.all()
        with tqdm(total=entries.count(), unit="entry", disable=None) as bar:
            changed = rerender_entries(entries, dry_run=dry_run, progress=bar.update)
        noun = ngettext("entry", "entries", changed)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(self.style.SUCCESS(f"{changed} {noun} {verb}."))
