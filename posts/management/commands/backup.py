from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from posts.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent back-up of the database and the uploads into a new folder, "
        "with a manifest of checksums, while the site keeps serving."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="A new or empty folder.")

    def handle(self, *args, directory: Path, **options) -> None:
        try:
            manifest = backup(directory)
        except BackupError as err:
            raise CommandError(str(err)) from err
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {manifest['database']['vendor']} database and "
                f"{len(manifest['files']) - 1} other files into {directory}."
            )
        )
