"""The editor's live preview: a body rendered as its page will show it, our pictures included.

Bounded as a save is: a body over BLOGSITE_BODY_MAX_KB, or too costly to render within
BLOGSITE_RENDER_SECONDS (posts.rendering.bounded), gets a message in the preview pane in
place of its HTML, and a user asking for more than BLOGSITE_PREVIEW_PER_MINUTE previews a
minute is answered 429, with a message the pane shows too (markdownx puts any answer there).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html

from posts.models import Image
from posts.ratelimit import take_turn
from posts.rendering.bounded import TooCostly, run_bounded, validate_body_size
from posts.rendering.markdown import media_names, render


class PreviewRefused(Exception):
    """A body the preview will not render, with what to tell the writer and the HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _html(text: str, known: dict) -> str:
    return render(text, known=known).html


def bounded_preview(text: str) -> str:
    """Return the sanitised HTML of a body, or raise PreviewRefused: too large, too costly."""
    try:
        validate_body_size(text)
    except ValidationError as err:
        raise PreviewRefused(err.messages[0], 413) from err
    # Looked up here: the render may run in a forked process, which must not use the database.
    known = Image.objects.named(media_names(text))
    try:
        return run_bounded(_html, text, known)
    except TooCostly as err:
        raise PreviewRefused(err.describe("preview"), 422) from err


def refusal_html(message: str) -> str:
    """Return the note the preview pane shows in place of a body it could not render."""
    return format_html('<p class="errornote preview-refused" role="alert">{}</p>', message)


def render_preview(text: str) -> str:
    """Return the sanitised HTML of a body being written, or a note saying why it is not shown.

    django-markdownx calls this (MARKDOWNX_MARKDOWNIFY_FUNCTION); preview_response wraps it
    with the rate limit and the status codes.
    """
    try:
        return bounded_preview(text)
    except PreviewRefused as err:
        return refusal_html(err.message)


def take_preview_turn(user) -> int:
    """Count a preview against the user's minute; return 0 if allowed, else seconds to wait."""
    return take_turn("live-preview", user.pk, settings.BLOGSITE_PREVIEW_PER_MINUTE, 60)


def preview_response(request: HttpRequest) -> HttpResponse:
    """Answer the editor's preview request (POST content=...) for a user allowed to write."""
    wait = take_preview_turn(request.user)
    if wait:
        message = (
            f"Previews are coming too fast: the preview will update again in {wait} seconds. "
            "Your text is kept as it is."
        )
        return HttpResponse(refusal_html(message), status=429, headers={"Retry-After": wait})
    try:
        return HttpResponse(bounded_preview(request.POST.get("content", "")))
    except PreviewRefused as err:
        return HttpResponse(refusal_html(err.message), status=err.status)
