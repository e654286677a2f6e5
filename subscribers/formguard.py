"""Spam defences for forms served in cached and static pages, which hold no CSRF token.

A public page is the same bytes for every reader (cached whole, or published as a file), so
it cannot carry a per-visitor token or set a cookie. The sign-up form carries instead a
timestamp signed by the server when the page was made; the POST must come from this site's
own origin (the browser's Origin or Referer header); and a field hidden from people must stay
empty. Knows only Django.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

SALT = "subscribers.form-stamp"
HONEYPOT = "website"  # the hidden field's name: a word form-filling robots like to fill


def new_stamp(now: float | None = None) -> str:
    """Return a signed timestamp: of now, or of the given time (when the content changed)."""
    # A plain Signer: signing.dumps would add its own timestamp, and with it change the
    # page's bytes every second.
    return signing.Signer(salt=SALT).sign_object(int(now if now is not None else time.time()))


def stamp_age(stamp: str, now: float | None = None) -> float | None:
    """Return the seconds since the stamp was made, or None if it is not ours."""
    try:
        made = signing.Signer(salt=SALT).unsign_object(stamp)
    except signing.BadSignature:
        return None
    if not isinstance(made, int):
        return None
    return (now if now is not None else time.time()) - made


def stamp_problem(stamp: str, now: float | None = None) -> str | None:
    """Return why a stamp is refused ("missing", "too-fast", "too-old"), or None."""
    age = stamp_age(stamp or "", now)
    if age is None:
        return "missing"
    if age < settings.BLOGSITE_SUBSCRIBE_MIN_SECONDS:
        return "too-fast"
    if age > settings.BLOGSITE_SUBSCRIBE_FORM_MAX_AGE_DAYS * 86400:
        return "too-old"
    return None


def allowed_origins(request: HttpRequest) -> set[str]:
    origins = {f"{request.scheme}://{request.get_host()}", settings.BLOGSITE_SITE_URL.rstrip("/")}
    origins.update(origin.rstrip("/") for origin in settings.CSRF_TRUSTED_ORIGINS)
    origins.update(origin.rstrip("/") for origin in settings.BLOGSITE_SUBSCRIBE_ORIGINS)
    return origins


def same_origin(request: HttpRequest) -> bool:
    """Return True if the browser says the form was posted from one of this site's pages."""
    origin = request.headers.get("Origin", "")
    if not origin or origin == "null":
        # Some browsers leave Origin out of same-origin POSTs; Referer then says where from.
        try:
            referer = urlsplit(request.headers.get("Referer", ""))
        except ValueError:  # "http://[": no page of ours
            return False
        if not referer.scheme or not referer.netloc:
            return False
        origin = f"{referer.scheme}://{referer.netloc}"
    return origin.rstrip("/") in allowed_origins(request)
