from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext
from tqdm import tqdm

from posts.operations.generate import generate_entries


class Command(BaseCommand):
    help = "Add N made-up published entries (prose, code, covers, tags) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many entries to add.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same entries.")

    def handle(self, *args, count: int, seed: int, **options) -> None:
        if count < 1:
            raise CommandError("Give a positive number of entries.")
        with tqdm(total=count, unit="entry", disable=None) as bar:
            made = generate_entries(count, seed=seed, progress=bar.update)
        entries = ngettext("entry", "entries", made)
        self.stdout.write(self.style.SUCCESS(f"Added {made} {entries}."))
