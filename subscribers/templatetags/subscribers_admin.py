"""`{% entry_mailing_panel original %}`: on the entry's change form, how far its e-mail to
subscribers has gone (queued, sent, failed), with "don't e-mail this one" and "send a test to me".

The buttons post to the Mailings admin's own views (their permissions, their CSRF check), which
come back to the entry. A template tag rather than an inline, so saving an entry never needs
this app's form data, and so posts never imports subscribers. One query; nothing for a user who
may not follow mailings.
"""

from django import template
from django.urls import reverse

from subscribers.admin import FROM_ENTRY
from subscribers.models import Mailing

register = template.Library()


@register.inclusion_tag("subscribers/admin/entry_panel.html", takes_context=True)
def entry_mailing_panel(context, entry) -> dict:
    """Return what the panel shows this user about entry's mailing, and what they may do."""
    user = context["request"].user
    if entry is None or entry.pk is None or not user.has_perm("subscribers.view_mailing"):
        return {"shown": False}
    mailing = Mailing.objects.with_progress().filter(entry_id=entry.pk).first()
    panel = {
        "shown": True,
        "entry": entry,
        "mailing": mailing,
        "from_entry": FROM_ENTRY,
        "test_url": reverse("admin:subscribers_mailing_test"),
        "test_to": user.email,
    }
    if mailing is None and user.has_perm("subscribers.add_mailing"):
        panel["hold_url"] = reverse("admin:subscribers_mailing_add")
        panel["hold_state"] = Mailing.State.HOLD
    if mailing is not None and user.has_perm("subscribers.change_mailing"):
        panel["change_url"] = reverse("admin:subscribers_mailing_change", args=[mailing.pk])
    return panel
