"""The comment form's defences that need no cookie: a signed timestamp and a same-origin check.

A sent comment carries a timestamp signed with the entry's id. The entry page has none (it is
the same for every reader, cached and published as a file): its form leads to a preview,
which gives the stamp, so the clock starts when a person sees their comment. A stamp
younger than COMMENTS_MIN_SECONDS (a bot sending at once) or older than COMMENTS_MAX_AGE
is refused. The POST must come from this site's own pages (Origin, or
Referer where a browser sends no Origin), which is what a CSRF token would prove here.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

SALT = "comments.stamp"


class StampError(ValueError):
    """The form's stamp is missing, forged, too young or too old; the message says which."""


def make_stamp(entry_id: int, now: float | None = None) -> str:
    """Return a signed stamp for a comment form on entry_id, made now."""
    now = time.time() if now is None else now
    # Hundredths: a stamp rounded to the second could look up to half a second younger.
    return signing.Signer(salt=SALT).sign(f"{entry_id}:{now:.2f}")


def check_stamp(stamp: str, entry_id: int, now: float | None = None) -> None:
    """Raise StampError unless stamp was made by this site for entry_id, within the window."""
    now = time.time() if now is None else now
    try:
        value = signing.Signer(salt=SALT).unsign(stamp or "")
        stamped_entry, made = value.split(":")
        made_at = float(made)
    except (signing.BadSignature, ValueError) as err:
        raise StampError(
            "The form was not sent from this site's page. Please send it again."
        ) from err
    if int(stamped_entry) != entry_id:
        raise StampError("The form belongs to another entry. Please send it again.")
    if now - made_at < settings.COMMENTS_MIN_SECONDS:
        raise StampError("That was sent very quickly. Please check it and send it again.")
    if now - made_at > settings.COMMENTS_MAX_AGE:
        raise StampError("The form was open too long. Please send it again.")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: HttpRequest) -> bool:
    """Return True if the request says it comes from a page of this site (or a trusted origin)."""
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    if not sent or sent == "null":
        return False
    try:
        own = _origin(request.build_absolute_uri("/"))
    except Exception:  # DisallowedHost: not our site at all
        return False
    trusted = {_origin(origin) for origin in settings.CSRF_TRUSTED_ORIGINS}
    try:
        return _origin(sent) in trusted | {own}
    except ValueError:  # "http://[" and the like: no address at all
        return False
