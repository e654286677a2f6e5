from django.core.management.base import BaseCommand

from stats.flush import flush


class Command(BaseCommand):
    help = "Move counted views from the cache into daily rows now (the task worker does so too)."

    def handle(self, *args, **options) -> None:
        report = flush()
        purged = ", ".join(day.isoformat() for day in report.purged_days) or "none"
        self.stdout.write(
            f"{report.views} views moved from {report.workers} worker totals; "
            f"raw counters deleted for: {purged}"
        )
