"""Background work of the social web: an entry's federation, the periodic check, reply avatars.

Each task takes ids and is safe to run twice: an entry is federated from what its followers
were last told (social.models.FederatedEntry), and a sent delivery is not sent again (the
deliver task itself is in social.sending, beside the delivery it sends).
"""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends

from comments.models import Comment
from comments.webmention.photos import copy_photo
from posts.models import Entry
from social import outgoing
from social.models import Delivery, FederatedEntry
from social.sending import attempt, can_defer


def _after_commit(a_task, *args, run_after=None) -> None:
    if run_after is not None:
        if not can_defer():
            return  # the immediate backend cannot wait: due work is picked up by retry_due
        a_task = a_task.using(run_after=run_after)
    transaction.on_commit(partial(a_task.enqueue, *args))


@task()
def federate_entry(entry_id: int) -> str:
    return outgoing.federate(entry_id)


def federate_later(entry: Entry) -> None:
    """After commit, federate the entry now, or when its scheduled time comes."""
    told = FederatedEntry.objects.filter(entry_id=entry.pk, state=FederatedEntry.State.PUBLISHED)
    if entry.status != Entry.Status.PUBLISHED and not told.exists():
        return  # a draft nobody was told of: nothing to say
    schedule_check()
    when = entry.published_at
    if entry.status == Entry.Status.PUBLISHED and when is not None and when > timezone.now():
        _after_commit(federate_entry, entry.pk, run_after=when)
    else:
        _after_commit(federate_entry, entry.pk)


@task()
def retry_due(again: bool = False) -> int:
    """Send every delivery now due, and federate scheduled entries that went live; return
    how many deliveries were tried. For backends that cannot wait, and after a crash; with
    the database backend it runs every SOCIAL_CHECK_SECONDS (again=True keeps the chain)."""
    for entry_id in outgoing.due_scheduled():
        outgoing.federate(entry_id)
    due = Delivery.objects.filter(
        status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in list(due):
        attempt(delivery_id)
        count += 1
    if again:
        schedule_check()
    return count


def schedule_check() -> None:
    """Keep one periodic retry_due waiting in the database queue (none with other backends)."""
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
    comment = Comment.objects.filter(pk=comment_id).exclude(photo="").first()
    if comment is None or comment.avatar:
        return
    name = copy_photo(comment.photo)
    if name:
        Comment.objects.filter(pk=comment_id).update(avatar=name)


def copy_avatar_later(comment_id: int) -> None:
    _after_commit(copy_avatar, comment_id)
