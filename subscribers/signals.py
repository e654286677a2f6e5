"""Publishing an entry (now or at a scheduled time) starts its mailing on the task worker."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from posts.models import Entry
from subscribers import tasks


@receiver(post_save, sender=Entry)
def mail_when_published(sender, instance: Entry, raw: bool = False, **kwargs) -> None:
    if raw or instance.status != Entry.Status.PUBLISHED or instance.published_at is None:
        return
    if hasattr(instance, "mailing"):
        return  # mailed, held or skipped already
    if instance.published_at <= timezone.now():
        tasks.enqueue_after_commit(tasks.check_mailings)
    else:
        tasks.enqueue_after_commit(tasks.check_mailings, run_after=instance.published_at)
    tasks.schedule_check()
