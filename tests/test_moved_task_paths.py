"""Tasks queued before a task moved module still run after the upgrade: the migrations that
rename their stored paths (comments 0004, social 0002) point at real tasks."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

MIGRATIONS = [
    "comments.migrations.0004_moved_task_paths",
    "social.migrations.0002_moved_task_paths",
]


def queued(path: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=path, args_kwargs={"args": [1], "kwargs": {}}, queue_name="default",
        backend_name="default", run_after=timezone.now(), exception_class_path="", traceback="",
    )  # fmt: skip


@pytest.mark.parametrize("name", MIGRATIONS)
def test_queued_tasks_under_an_old_path_move_to_a_task_that_exists(name):
    migration = importlib.import_module(name)
    editor = type("Editor", (), {"connection": connection})()
    rows = {old: queued(old) for old in migration.MOVED}
    untouched = queued("comments.tasks.notify_authors")
    migration.forwards(apps, editor)
    for old, new in migration.MOVED.items():
        assert DBTaskResult.objects.get(pk=rows[old].pk).task_path == new
        assert isinstance(import_string(new), Task), new
        with pytest.raises(ImportError):
            import_string(old)
    assert DBTaskResult.objects.get(pk=untouched.pk).task_path == "comments.tasks.notify_authors"
    migration.backwards(apps, editor)
    assert {DBTaskResult.objects.get(pk=row.pk).task_path for row in rows.values()} == set(
        migration.MOVED
    )
