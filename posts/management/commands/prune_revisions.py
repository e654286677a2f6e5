from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from posts.editorial.revisions import prune_revisions


class Command(BaseCommand):
    help = "Delete all but the newest revisions of every entry."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--keep",
            type=int,
            default=settings.BLOGSITE_REVISIONS_KEEP,
            help="Revisions to keep per entry (default: BLOGSITE_REVISIONS_KEEP).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many would go; delete nothing."
        )

    def handle(self, *args, keep: int, dry_run: bool, **options) -> None:
        if keep < 1:
            raise CommandError("--keep must be at least 1: an entry keeps its latest revision.")
        count = prune_revisions(keep, dry_run=dry_run)
        revisions = ngettext("revision", "revisions", count)
        if dry_run:
            self.stdout.write(f"Would delete {count} {revisions}, keeping {keep} per entry.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Deleted {count} {revisions}, keeping {keep} per entry.")
            )
