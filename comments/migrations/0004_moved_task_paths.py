"""Tasks queued under the paths they had before verify_mention and send_mentions moved from
comments.tasks to comments.webmention.tasks run under the new paths.

The database queue stores each task by its dotted path; without this, a Webmention accepted
or an entry's mentions scheduled before an upgrade would fail to import in the worker, and
nothing would send them again.
"""

from django.db import migrations

MOVED = {
    "comments.tasks.verify_mention": "comments.webmention.tasks.verify_mention",
    "comments.tasks.send_mentions": "comments.webmention.tasks.send_mentions",
}


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
        ("comments", "0003_comment_import_key"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
