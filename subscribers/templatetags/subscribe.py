"""The sign-up form in every page's footer, with its signed timestamp."""

import time

from django import template
from django.conf import settings
from django.urls import reverse

from subscribers.formguard import HONEYPOT, new_stamp

DAY = 86_400

register = template.Library()


@register.inclusion_tag("subscribers/includes/footer_form.html")
def subscribe_footer() -> dict:
    return {
        "action": settings.BLOGSITE_SUBSCRIBE_FORM_ACTION or reverse("subscribers:subscribe"),
        # Stamped with the day, not the second, of rendering: a page's bytes then stay the
        # same all day, so a static rebuild rewrites only the pages whose content changed.
        "stamp": new_stamp(time.time() // DAY * DAY),
        "honeypot": HONEYPOT,
    }
