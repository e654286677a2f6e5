"""Shared draft previews: signed, expiring links that show a draft to readers with no account.

A link carries the entry's (or page's) id and its preview_token, signed with a timestamp.
Changing the token (Revoke links, in the admin) withdraws every link given out so far.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from posts.models import Entry, Page, new_preview_token

SALT = "posts.preview"


class PreviewUnavailable(Exception):
    """A link that was good once: it expired, or its links were revoked."""


class PreviewInvalid(Exception):
    """A link that never was good: tampered with, cut short, or its entry is gone."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def preview_signature(entry: Entry | Page) -> str:
    """Return a signed token for a preview link to this entry or page, valid from now."""
    key = "p" if isinstance(entry, Page) else "e"
    return _signer().sign_object({key: entry.pk, "t": entry.preview_token})


def preview_path(entry: Entry | Page) -> str:
    """Return the path of a new preview link to this entry or page."""
    return reverse("posts:preview", kwargs={"token": preview_signature(entry)})


def entry_for_preview(token: str) -> Entry | Page:
    """Return the entry (or page) a preview token shows, or raise PreviewUnavailable or
    PreviewInvalid."""
    try:
        value = _signer().unsign_object(token, max_age=settings.BLOGSITE_PREVIEW_MAX_AGE)
    except signing.SignatureExpired as err:
        raise PreviewUnavailable("This preview link has expired.") from err
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as err:
        raise PreviewInvalid("This is not a preview link.") from err
    if isinstance(value, dict) and isinstance(value.get("p"), int):
        return _page_for_preview(value)
    if not isinstance(value, dict) or not isinstance(value.get("e"), int):
        raise PreviewInvalid("This is not a preview link.")
    entry = (
        Entry.objects.select_related("author", "cover")
        .prefetch_related("tags")
        .filter(pk=value["e"])
        .first()
    )
    if entry is None:
        raise PreviewInvalid("This entry no longer exists.")
    if entry.preview_token != value.get("t"):
        raise PreviewUnavailable("This preview link was withdrawn.")
    return entry


def _page_for_preview(value: dict) -> Page:
    page = Page.objects.select_related("cover", "social_image").filter(pk=value["p"]).first()
    if page is None:
        raise PreviewInvalid("This page no longer exists.")
    if page.preview_token != value.get("t"):
        raise PreviewUnavailable("This preview link was withdrawn.")
    return page


def revoke_previews(entry: Entry) -> None:
    """Withdraw every preview link of this entry given out so far."""
    entry.preview_token = new_preview_token()
    Entry.objects.filter(pk=entry.pk).update(preview_token=entry.preview_token)
