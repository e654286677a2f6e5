"""An entry saved or deleted tells its followers, after commit, on the task worker."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from posts.models import Entry
from social.tasks import federate_later


@receiver(post_save, sender=Entry)
def federate_on_save(sender, instance: Entry, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    federate_later(instance)


@receiver(post_delete, sender=Entry)
def federate_on_delete(sender, instance: Entry, **kwargs) -> None:
    federate_later(instance)
