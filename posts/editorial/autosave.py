"""Never lose work: autosaves of an entry being written, who else has it open, edit conflicts.

An autosave (posts.models.Autosave) keeps a writer's unsaved title, body, excerpt and tags,
one per writer and entry (and one per writer for the add form). It is not the entry: it
changes nothing readers see, keeps no revision and bumps no page cache. Saving the entry
deletes the writer's autosave; autosaves older than BLOGSITE_AUTOSAVE_KEEP_DAYS go when a
form opens. Who has an entry open is kept in the shared cache for PRESENCE_SECONDS after
their last heartbeat or autosave. A save over a version newer than the one the writer
loaded is refused (save_conflict), so two editors never overwrite each other unawares.
"""

import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from posts.editorial.revisions import diff_html, tags_text
from posts.models import Autosave, Entry
from posts.ratelimit import take_turn
from posts.rendering.bounded import validate_body_size

# Seconds after a writer's last heartbeat (the form sends one every 30 s) or autosave during
# which they count as having the entry open.
PRESENCE_SECONDS = 90
TAGS_MAX_CHARS = 2_000
# Tokens of forms whose save went through, kept in the session so that the browser can drop
# its own copy of their text: the last few are enough.
SAVED_TOKENS_KEPT = 20


class AutosaveRefused(Exception):
    """A request the autosave refuses: what to tell the writer, the HTTP status, a code for
    the script, and for a 429 the seconds to wait."""

    def __init__(self, message: str, status: int, code: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.message, self.status, self.code = message, status, code
        self.retry_after = retry_after


def normalised(value: str) -> str:
    """Return text with the line ends a browser's form sends (CRLF) made plain newlines."""
    return value.replace("\r\n", "\n")


def clean_text(data) -> dict:
    """Return the autosave fields from a request's data, or raise AutosaveRefused."""
    text = {name: normalised(str(data.get(name, ""))) for name in Autosave.FIELDS}
    try:
        validate_body_size(text["body"])
        validate_body_size(text["excerpt"])
    except ValidationError as err:
        raise AutosaveRefused(err.messages[0], 413, "too_large") from err
    title_max = Autosave._meta.get_field("title").max_length
    if len(text["title"]) > title_max:
        raise AutosaveRefused(
            _("A title holds at most %(max)s characters.") % {"max": title_max}, 400, "invalid"
        )
    if len(text["tags"]) > TAGS_MAX_CHARS:
        raise AutosaveRefused(
            _("The tags hold at most %(max)s characters.") % {"max": TAGS_MAX_CHARS},
            400,
            "invalid",
        )
    return text


def take_autosave_turn(user) -> int:
    """Count an autosave against the user's minute; return 0 if allowed, else seconds to wait."""
    return take_turn("autosave", user.pk, settings.BLOGSITE_AUTOSAVE_PER_MINUTE, 60)


def autosave_for(user, entry: Entry | None) -> Autosave | None:
    """Return the user's autosave of an entry (None: of the add form), if there is one."""
    return Autosave.objects.filter(user=user, entry=entry).first()


def store_autosave(user, entry: Entry | None, text: dict) -> Autosave:
    """Keep the text as the user's autosave of the entry (None: the add form); return it."""
    # update_or_create reads again if the writer's other tab created the row meanwhile.
    autosave, _created = Autosave.objects.update_or_create(
        user=user, entry=entry, defaults={**text, "saved_at": timezone.now()}
    )
    return autosave


def discard_autosave(user, entry: Entry | None) -> int:
    """Delete the user's autosave of the entry (None: the add form); return how many went."""
    deleted, _per_model = Autosave.objects.filter(user=user, entry=entry).delete()
    return deleted


def forget_on_save(request, entry: Entry, *, added: bool) -> None:
    """After a real save: the writer's autosave is now the entry, and the form's token is done."""
    discard_autosave(request.user, entry)
    if added:
        discard_autosave(request.user, None)
    token = request.POST.get("_autosave_token", "")[:64]
    if token:
        saved = request.session.get("autosave_saved_tokens", [])
        request.session["autosave_saved_tokens"] = [*saved, token][-SAVED_TOKENS_KEPT:]


def saved_tokens(request) -> list[str]:
    """Return the tokens of forms this session saved (their text in the browser can go)."""
    return list(request.session.get("autosave_saved_tokens", []))


def prune_autosaves(days: int | None = None) -> int:
    """Delete autosaves older than `days` (BLOGSITE_AUTOSAVE_KEEP_DAYS); return how many went."""
    days = settings.BLOGSITE_AUTOSAVE_KEEP_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _per_model = Autosave.objects.filter(saved_at__lt=cutoff).delete()
    return deleted


def entry_text(entry: Entry | None) -> dict:
    """Return what an autosave keeps of the entry as saved (empty for the add form)."""
    if entry is None:
        return dict.fromkeys(Autosave.FIELDS, "")
    return {
        "title": entry.title,
        "body": normalised(entry.body),
        "excerpt": normalised(entry.excerpt),
        "tags": tags_text(entry),
    }


def offered_autosave(user, entry: Entry | None) -> Autosave | None:
    """Return the user's autosave if it differs from the saved entry; drop one that does not."""
    autosave = autosave_for(user, entry)
    if autosave is None:
        return None
    if autosave.text() == entry_text(entry):
        autosave.delete()  # nothing to restore: the entry holds that text already
        return None
    return autosave


def autosave_diffs(autosave: Autosave, entry: Entry | None) -> list[tuple[str, str]]:
    """Return (field label, diff HTML) of each field the autosave changes from the saved text."""
    saved = entry_text(entry)
    labels = {"title": _("Title"), "body": _("Body"), "excerpt": _("Excerpt"), "tags": _("Tags")}
    return [
        (labels[name], diff_html(saved[name], getattr(autosave, name)))
        for name in Autosave.FIELDS
        if saved[name] != getattr(autosave, name)
    ]


def display_name(user) -> str:
    """Return how other writers see a user: their full name, else their username."""
    return user.get_full_name() or user.get_username()


def when_text(moment: datetime) -> str:
    """Return a time in the site's zone: to the second today ("18:05:12"), else with the date."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return formats.date_format(local, "H:i:s")
    return formats.date_format(local, "j M Y, H:i")


# Who has an entry open, in the shared cache. The key carries the entry's creation time, so
# that an id used again (after a restore, or in tests) starts with nobody.


def _presence_key(entry: Entry) -> str:
    return f"entry-editors:{entry.pk}:{entry.created_at.timestamp():.6f}"


def mark_present(entry: Entry, user) -> None:
    """Note that the user has the entry's form open now."""
    key, now = _presence_key(entry), time.time()
    seen = {
        pk: (name, at)
        for pk, (name, at) in (cache.get(key) or {}).items()
        if now - at < PRESENCE_SECONDS
    }
    # Read, change, write: two heartbeats at the same instant may lose one, which the next
    # heartbeat puts back; presence is advice, not a lock.
    seen[user.pk] = (display_name(user), now)
    cache.set(key, seen, timeout=PRESENCE_SECONDS)


def others_present(entry: Entry, user) -> list[dict]:
    """Return who else has the entry open (a recent heartbeat or autosave), most recent first."""
    now = time.time()
    seen = {
        pk: (name, at)
        for pk, (name, at) in (cache.get(_presence_key(entry)) or {}).items()
        if pk != user.pk and now - at < PRESENCE_SECONDS
    }
    # A recent autosave counts too: the cache may have been cleared, or be a worker's own.
    recent = timezone.now() - timedelta(seconds=PRESENCE_SECONDS)
    for autosave in (
        entry.autosaves.filter(saved_at__gte=recent).exclude(user=user).select_related("user")
    ):
        at = autosave.saved_at.timestamp()
        if autosave.user_id not in seen or seen[autosave.user_id][1] < at:
            seen[autosave.user_id] = (display_name(autosave.user), at)
    people = sorted(seen.values(), key=lambda person: -person[1])
    return [
        {"name": name, "seen": when_text(datetime.fromtimestamp(at, tz=UTC))} for name, at in people
    ]


# Optimistic concurrency: the form carries the version it was loaded with.


def entry_version(entry: Entry) -> str:
    """Return a value that changes whenever the entry is saved."""
    return entry.updated_at.isoformat()


def last_saved(entry: Entry) -> dict:
    """Return when the entry was last saved and by whom (as far as its revisions tell)."""
    revision = entry.revisions.select_related("author").first()
    author = revision.author if revision is not None else None
    return {
        "when": when_text(entry.updated_at),
        "who": display_name(author) if author is not None else "",
    }


def save_conflict(entry: Entry, loaded_version: str) -> str | None:
    """Return why a save over the entry must be refused, or None if the form is up to date.

    loaded_version is what entry_version gave when the form was drawn; empty (a form from
    before this check, or a script) checks nothing.
    """
    if not loaded_version or entry.pk is None or loaded_version == entry_version(entry):
        return None
    saved = last_saved(entry)
    return _(
        "Not saved: this entry was saved by %(who)s at %(when)s, after you opened this form. "
        "Your text is still in the form below, and theirs is kept in Revisions. "
        "Compare them; saving again replaces their version with yours."
    ) % {"who": saved["who"] or _("someone else"), "when": saved["when"]}
