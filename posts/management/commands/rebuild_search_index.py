from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from posts.search import rebuild_index


class Command(BaseCommand):
    help = "Index every entry for search again (SQLite; PostgreSQL's index keeps itself)."

    def handle(self, *args, **options) -> None:
        count = rebuild_index()
        entries = ngettext("entry", "entries", count)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} {entries}."))
