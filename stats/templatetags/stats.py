"""`{% stats_beacon %}`: the counting script and the no-script pixel for a public page."""

from django import template
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

register = template.Library()


def endpoint(name: str) -> str:
    # A statically published site on another host counts through the app's own address.
    base = settings.BLOGSITE_STATS_ORIGIN.rstrip("/")
    return base + reverse(name)


@register.simple_tag(takes_context=True)
def stats_beacon(context) -> SafeString | str:
    """Return the beacon script tag and the pixel for this page, or "" with statistics off."""
    if not settings.BLOGSITE_STATS:
        return ""
    request = context.get("request")
    path = request.path if request is not None else ""
    return format_html(
        '<script src="{}" data-endpoint="{}" defer></script>'
        '<noscript><img class="stats-pixel" src="{}?{}" alt="" width="1" height="1">'
        "</noscript>",
        staticfiles_storage.url("stats/beacon.js"),
        endpoint("stats:beacon"),
        endpoint("stats:pixel"),
        urlencode({"p": path}),
    )


@register.simple_tag
def entry_chart(entry) -> SafeString:
    """Return the SVG chart of one entry's views and visitors over the last 30 days."""
    from stats.charts import day_chart
    from stats.reports import entry_days

    return day_chart(entry_days(entry.pk, 30), f"{entry}, last 30 days")
