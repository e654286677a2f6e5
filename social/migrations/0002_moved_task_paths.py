"""Deliveries queued under social.tasks.deliver run as social.sending.deliver, where the task
moved with the delivery it sends.

The database queue stores each task by its dotted path; a delivery queued before an upgrade
would otherwise fail in the worker, and wait for the periodic retry_due to be sent.
"""

from django.db import migrations

MOVED = {"social.tasks.deliver": "social.sending.deliver"}


def rename(apps, schema_editor, moves: dict[str, str]) -> None:
    Result = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in moves.items():
        Result.objects.using(schema_editor.connection.alias).filter(task_path=old).update(
            task_path=new
        )


def forwards(apps, schema_editor):
    rename(apps, schema_editor, MOVED)


def backwards(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0001_initial"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
