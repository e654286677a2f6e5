from django.core.management.base import BaseCommand

from posts.search import rebuild_index


class Command(BaseCommand):
    help = "Index every entry for search again (SQLite; PostgreSQL's index keeps itself)."

    def handle(self, *args, **options) -> None:
        count = rebuild_index()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} entries."))
