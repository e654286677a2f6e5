"""Absolute addresses for mail: the site's address plus a path. Knows only Django."""

from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "subscribers.confirm"


def absolute(path: str) -> str:
    """Return path (or a relative address) as an address on BLOGSITE_SITE_URL."""
    return urljoin(settings.BLOGSITE_SITE_URL.rstrip("/") + "/", path)


def confirm_token(subscriber_id: int, key: str, all_tags: bool, tag_ids: list[int]) -> str:
    """Sign what the reader asked for: it takes effect only when they open the link."""
    payload = [subscriber_id, key, bool(all_tags), [int(pk) for pk in tag_ids]]
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def read_confirm_token(token: str) -> tuple[int, str, bool, list[int]] | None:
    """Return (subscriber id, key, all tags?, tag ids) of a token still valid, or None."""
    max_age = settings.BLOGSITE_SUBSCRIBE_CONFIRM_HOURS * 3600
    try:
        subscriber_id, key, all_tags, tag_ids = signing.loads(
            token, salt=CONFIRM_SALT, max_age=max_age
        )
        return int(subscriber_id), str(key), bool(all_tags), [int(pk) for pk in tag_ids]
    except (signing.BadSignature, ValueError, TypeError):
        return None


def confirm_url(subscriber, all_tags: bool = True, tag_ids: list[int] = ()) -> str:
    token = confirm_token(subscriber.pk, subscriber.key, all_tags, list(tag_ids))
    return absolute(reverse("subscribers:confirm", args=[token]))


def unsubscribe_url(subscriber) -> str:
    return absolute(reverse("subscribers:unsubscribe", args=[subscriber.key]))


def manage_url(subscriber) -> str:
    return absolute(reverse("subscribers:manage", args=[subscriber.key]))
