"""An entry published or updated sends its Webmentions (on the task worker, after commit)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from comments.webmention.tasks import enqueue_sending
from posts.models import Entry


@receiver(post_save, sender=Entry)
def send_mentions_on_publish(sender, instance: Entry, raw: bool = False, **kwargs) -> None:
    if raw or instance.status != Entry.Status.PUBLISHED or instance.published_at is None:
        return
    enqueue_sending(instance.pk, when=instance.published_at)
