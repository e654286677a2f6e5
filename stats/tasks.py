"""The flush as a task on the worker, every BLOGSITE_STATS_FLUSH_SECONDS.

The task enqueues its successor first, then flushes: a worker killed mid-flush leaves the
next run already waiting, and that run moves what this one rolled back. A chain of tasks,
rather than a loop inside the worker, because `manage.py db_worker` is django-tasks-db's own
command: a chain needs no change to it or to how `make run`, `make serve` and deployments
start it, works with any number of workers and any backend that can defer, and shows in the
task results like any other work. `migrate` (post_migrate) starts the chain when none is
waiting, and the dashboard repairs it too.
"""

import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task, task_backends

log = logging.getLogger(__name__)


@task()
def flush_stats() -> int:
    """Move the cache's new counts into daily rows; return the views moved."""
    from stats.flush import flush

    schedule_flush()
    report = flush()
    return report.views


def _waiting(backend) -> bool:
    """Return True if a flush already waits in a database backend's queue."""
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: it cannot be asked, so assume nothing waits
        return False
    if not isinstance(backend, DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(status="READY", task_path=flush_stats.module_path).exists()


def schedule_flush() -> bool:
    """Enqueue the next flush unless one waits already; return True if one was enqueued."""
    backend = task_backends[flush_stats.backend]
    if not backend.supports_defer or _waiting(backend):
        return False
    when = timezone.now() + datetime.timedelta(seconds=settings.BLOGSITE_STATS_FLUSH_SECONDS)
    flush_stats.using(run_after=when).enqueue()
    return True


def schedule_after_migrate(sender, using="default", **kwargs) -> None:
    if not settings.BLOGSITE_STATS:
        return
    try:
        schedule_flush()
    except Exception:  # the tasks table may not exist yet on a partial migrate
        log.info("Statistics flush not scheduled yet", exc_info=True)
