"""Background work of the social web: deliveries, an entry's federation, reply avatars.

Each task takes ids and is safe to run twice: a sent delivery is not sent again, and an
entry is federated from what its followers were last told (social.models.FederatedEntry).
"""

from django_tasks import default_task_backend, task

from social import outgoing


def can_defer() -> bool:
    return default_task_backend.supports_defer


@task()
def deliver(delivery_id: int) -> None:
    """Send one delivery; on failure, try again after its back-off where the backend can wait."""
    wait = outgoing.attempt(delivery_id)
    if wait is not None and can_defer():
        from django.utils import timezone

        deliver.using(run_after=timezone.now() + wait).enqueue(delivery_id)


@task()
def federate_entry(entry_id: int) -> str:
    return outgoing.federate(entry_id)


@task()
def retry_due(again: bool = False) -> int:
    """Send every delivery now due, and federate scheduled entries that went live; return
    how many deliveries were tried. For backends that cannot wait, and after a crash; with
    the database backend it runs every SOCIAL_CHECK_SECONDS (again=True keeps the chain)."""
    from django.utils import timezone

    from social.models import Delivery

    for entry_id in outgoing.due_scheduled():
        outgoing.federate(entry_id)
    due = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in list(due):
        outgoing.attempt(delivery_id)
        count += 1
    if again:
        schedule_check()
    return count


def schedule_check() -> None:
    """Keep one periodic retry_due waiting in the database queue (none with other backends)."""
    from datetime import timedelta

    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone
    from django_tasks import task_backends

    backend = type(task_backends["default"]).__module__
    if (
        not can_defer()
        or not backend.startswith("django_tasks_db")
        or (settings.SOCIAL_CHECK_SECONDS <= 0)
    ):
        return
    from django_tasks_db.models import DBTaskResult, get_date_max

    # A task enqueued to run at once has the far future as its run_after: not the chain.
    waiting = DBTaskResult.objects.filter(
        task_path=retry_due.module_path, status="READY", run_after__gt=timezone.now()
    ).exclude(run_after=get_date_max())
    if not waiting.exists():
        when = timezone.now() + timedelta(seconds=settings.SOCIAL_CHECK_SECONDS)
        transaction.on_commit(lambda: retry_due.using(run_after=when).enqueue(True))


@task()
def copy_avatar(comment_id: int) -> None:
    """Keep a small copy of a reply's author's picture, as Webmentions' photos are kept."""
    from comments.models import Comment
    from comments.webmention.photos import copy_photo

    comment = Comment.objects.filter(pk=comment_id).exclude(photo="").first()
    if comment is None or comment.avatar:
        return
    name = copy_photo(comment.photo)
    if name:
        Comment.objects.filter(pk=comment_id).update(avatar=name)
