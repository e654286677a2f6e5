"""Spam defence with no outside service: each rule a function, refusing with a plain reason.

A rule returns None to let a comment through, or the message the person sees (their text
is kept). `doubts` says whether a comment that passed should still wait for a moderator
even from an approved commenter. Imports posts.ratelimit and this app's models.
"""

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings

from comments.models import Comment
from posts.ratelimit import take_turn

LINK = re.compile(r"https?://|www\.|\[url", re.IGNORECASE)


@dataclass
class Refusal:
    message: str
    status: int = 400


def honeypot(value: str) -> Refusal | None:
    """A field people never see: only a program fills it."""
    if value:
        return Refusal("This form could not be accepted. Please leave the hidden field empty.")
    return None


def _who(ip: str) -> str:
    """The address as a keyed hash: counted, never kept as it is."""
    key = settings.SECRET_KEY[:64].encode()
    return hashlib.blake2b(ip.encode(), digest_size=12, key=key).hexdigest()


def rate_limits(ip: str, entry_id: int) -> Refusal | None:
    """Per address and per entry, counted in the shared cache (the address is never stored)."""
    wait = take_turn("comment-ip", _who(ip), settings.COMMENTS_PER_IP_PER_HOUR, 3600)
    wait = wait or take_turn("comment-entry", entry_id, settings.COMMENTS_PER_ENTRY_PER_HOUR, 3600)
    if wait:
        minutes = max(1, wait // 60)
        return Refusal(
            f"Too many comments for now. Please try again in {minutes} minutes.", status=429
        )
    return None


def count_links(text: str) -> int:
    return len(LINK.findall(text))


def too_many_links(body: str) -> Refusal | None:
    most = settings.COMMENTS_MAX_LINKS
    if count_links(body) > most:
        return Refusal(f"A comment may hold at most {most} links.")
    return None


def bad_patterns(*texts: str) -> Refusal | None:
    """The site's list of known spam phrases (COMMENTS_BAD_PATTERNS, regular expressions)."""
    for pattern in settings.COMMENTS_BAD_PATTERNS:
        if any(re.search(pattern, text, re.IGNORECASE) for text in texts):
            return Refusal("This comment looks like spam to the site's filter.")
    return None


def duplicate(entry_id: int, body: str) -> Refusal | None:
    if Comment.objects.filter(entry_id=entry_id, body_hash=Comment.hash_body(body)).exists():
        return Refusal("This comment was already received.")
    return None


def doubts(body: str, website: str) -> bool:
    """Return True if a comment should wait for a moderator whoever sent it."""
    return count_links(body) > 0 or bool(website and bad_patterns(website))


def mention_rate_limit(ip: str) -> int:
    """Return the seconds to wait before this address may send another Webmention, or 0.

    Each mention makes this site fetch a page: a sender gets WEBMENTIONS_PER_IP_PER_HOUR.
    """
    return take_turn("webmention-ip", _who(ip), settings.WEBMENTIONS_PER_IP_PER_HOUR, 3600)
