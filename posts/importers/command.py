"""What the import commands share: --dry-run, --skip-invalid, --report, and the summary."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from posts.importers.records import Report
from posts.importers.summary import summary_lines, write_report


def add_shared_options(parser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="Say what would change; write nothing."
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="Import what can be read and list the broken files, instead of stopping.",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="Write every outcome and note to FILE, one JSON object a line.",
    )


def check_report_file(path: Path | None) -> None:
    """Refuse, before anything is imported, a --report file that could not be written."""
    if path is not None and (path.is_dir() or not path.parent.is_dir()):
        raise CommandError(f"--report {path}: not a file in an existing folder.")


def write_summary(
    command: BaseCommand, report: Report, dry_run: bool, report_file: Path | None = None
) -> None:
    """Write the one-screen summary, and every detail to report_file if one was asked for."""
    if report_file is not None:
        try:
            write_report(report, report_file, dry_run)
        except OSError as err:  # the import stands; only its list is lost
            command.stderr.write(f"--report {report_file} could not be written: {err}")
            report_file = None
    for line in summary_lines(report, dry_run, report_file):
        command.stdout.write(line)
    if dry_run:
        command.stdout.write(command.style.WARNING("Dry run: nothing was written."))
    else:
        command.stdout.write(command.style.SUCCESS("Import finished."))
