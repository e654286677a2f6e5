"""The dashboard's newsletter part: the subscribers app's figures, when that app is installed.

Reads them through `subscribers.reports` only (import-linter holds this), and only when the
app is installed, so statistics run without it.
"""

import datetime

from django.apps import apps


def newsletter_figures(start: datetime.date, days: int):
    """Return the subscribers app's NewsletterReport for the span, or None if there is none."""
    if not apps.is_installed("subscribers"):
        return None
    from subscribers.reports import newsletter_report  # only once the app is known installed

    return newsletter_report(start, days)
