from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from posts.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a back-up made by `backup` into an empty install, after checking every "
        "file against the manifest's checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="A folder written by `backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds content.",
        )

    def handle(self, *args, directory: Path, force: bool = False, **options) -> None:
        try:
            manifest = restore(directory, force=force)
        except BackupError as err:
            raise CommandError(str(err)) from err
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the back-up of {manifest['created_at']} from {directory}."
            )
        )
