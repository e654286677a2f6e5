from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from posts.operations.demo import demo_loaded, load_demo


class Command(BaseCommand):
    help = "Load demo entries and pictures, once: nothing happens if the blog has entries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would happen, change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        if demo_loaded():
            self.stdout.write("The blog already has content; demo content not loaded.")
            return
        if dry_run:
            self.stdout.write("Would load the demo entries and pictures.")
            return
        count = load_demo()
        entries = ngettext("entry", "entries", count)
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} demo {entries}."))
