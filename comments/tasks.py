"""Background work of comments: the authors' notification e-mails (batched) and the
commenters' delete links. Webmentions' tasks are in comments.webmention.tasks.

Each task takes ids or URLs and is idempotent: run twice, it sends nothing twice.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend, task

from comments.delete_links import delete_link
from comments.models import Comment


@task()
def notify_authors() -> int:
    """E-mail each entry's author one message listing every comment waiting since the last one."""
    sent = 0
    with transaction.atomic():
        waiting = list(
            Comment.objects.waiting()
            .filter(notified=False)
            .select_related("entry", "entry__author")
            .order_by("created_at")
        )
        Comment.objects.filter(pk__in=[c.pk for c in waiting]).update(notified=True)
    by_author = defaultdict(list)
    for comment in waiting:
        if comment.entry.author.email:
            by_author[comment.entry.author.email].append(comment)
    queue = settings.BLOGSITE_SITE_URL.rstrip("/") + reverse("admin:comments_comment_changelist")
    for address, comments in by_author.items():
        context = {"comments": comments, "queue": f"{queue}?status__exact=pending"}
        count = len(comments)
        subject = f"{count} comment{'s' if count != 1 else ''} waiting on {settings.BLOGSITE_TITLE}"
        send_mail(subject, render_to_string("comments/email/waiting.txt", context), None, [address])
        sent += 1
    return sent


def enqueue_notification() -> None:
    """Ask for a notification, held back a little where the backend can, to batch a burst."""
    delay = settings.COMMENTS_NOTIFY_DELAY
    if delay and default_task_backend.supports_defer:
        notify_authors.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue()
    else:
        notify_authors.enqueue()


@task()
def send_delete_link(comment_id: int) -> bool:
    """E-mail the commenter the signed link that deletes their comment (once)."""
    comment = Comment.objects.filter(pk=comment_id).exclude(email="").first()
    if comment is None:
        return False
    context = {"comment": comment, "link": delete_link(comment), "site": settings.BLOGSITE_TITLE}
    body = render_to_string("comments/email/delete_link.txt", context)
    send_mail(f"Your comment on {settings.BLOGSITE_TITLE}", body, None, [comment.email])
    return True
