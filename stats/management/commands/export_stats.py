import datetime
import sys

from django.core.management.base import BaseCommand, CommandError

from stats.export import TABLES, export_csv


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as err:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from err


class Command(BaseCommand):
    help = "Write the daily statistics as CSV (days, pages, referrers or feeds)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("table", choices=sorted(TABLES), help="which daily rows")
        parser.add_argument("--since", help="first day, YYYY-MM-DD")
        parser.add_argument("--until", help="last day, YYYY-MM-DD")
        parser.add_argument("--output", "-o", help="a file to write (default: standard output)")

    def handle(self, *args, table: str, since, until, output, **options) -> None:
        first = _date(since) if since else None
        last = _date(until) if until else None
        if output:
            try:
                with open(output, "w", newline="", encoding="utf-8") as handle:
                    rows = export_csv(table, handle, first, last)
            except OSError as err:
                raise CommandError(f"Cannot write {output}: {err.strerror}") from err
            self.stderr.write(self.style.SUCCESS(f"{rows} rows written to {output}"))
        else:
            export_csv(table, self.stdout if self.stdout else sys.stdout, first, last)
