from django.core.management.base import BaseCommand
from tqdm import tqdm

from posts.models import Entry


class Command(BaseCommand):
    help = "Render every entry's Markdown again, after the pipeline or a setting changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the entries whose HTML would change."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        entries = Entry.objects.order_by("pk")
        changed = 0
        for entry in tqdm(
            entries.iterator(chunk_size=200), total=entries.count(), unit="entry", disable=None
        ):
            if dry_run:
                stored = (entry.body_html, entry.body_text, entry.summary)
                entry.render()
                changed += (entry.body_html, entry.body_text, entry.summary) != stored
            else:
                changed += entry.rerender()
        verb = "would change" if dry_run else "changed"
        self.stdout.write(self.style.SUCCESS(f"{changed} entries {verb}."))
