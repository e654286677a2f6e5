"""What the import commands share: their --dry-run and --skip-invalid, and the summary."""

from django.core.management.base import BaseCommand

from posts.importers.base import Report


def add_shared_options(parser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="Say what would change; write nothing."
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="Import what can be read and list the broken files, instead of stopping.",
    )


def write_summary(command: BaseCommand, report: Report, dry_run: bool) -> None:
    for line in report.lines(dry_run):
        command.stdout.write(line)
    if dry_run:
        command.stdout.write(command.style.WARNING("Dry run: nothing was written."))
    else:
        command.stdout.write(command.style.SUCCESS("Import finished."))
