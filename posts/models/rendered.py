"""Markdown rendered when saved: what entries and pages share of writing and showing a body.

May use posts.rendering and the Image model; a model mixes RenderedMarkdown in beside its own
body, excerpt, cover, body_html, body_text, summary and images fields.
"""

from django.core.exceptions import ValidationError
from django.dispatch import Signal

from posts.models.image import Image
from posts.rendering.bounded import TooCostly, run_bounded, validate_body_size
from posts.rendering.markdown import media_names, render_entry

# Sent when an entry's or page's HTML is stored again without a full save (search listens).
post_rerender = Signal()


class RenderedMarkdown:
    """Render the body within BLOGSITE_RENDER_SECONDS in clean(), store it in save()."""

    def clean(self) -> None:
        """Render the body within BLOGSITE_RENDER_SECONDS, or say which line is too costly.

        A form's save (the admin's) then stores this render rather than making it again.
        """
        super().clean()
        try:
            validate_body_size(self.body)
        except ValidationError:
            return  # the field's own validator says so
        source = (self.body, self.excerpt, bool(self.cover_id))
        # Looked up here: the render may run in a forked process, which must not use the database.
        known = Image.objects.named(media_names(self.body))
        try:
            rendered = run_bounded(
                render_entry, self.body, self.excerpt, has_cover=source[2], known=known
            )
        except TooCostly as err:
            raise ValidationError({"body": err.describe("render")}, code="too_costly") from err
        self._rendered = (source, rendered)

    def render(self, known: dict | None = None) -> list[Image]:
        """Render the body and the summary from the Markdown; return the pictures it shows.

        known: stored file name -> Image, when the caller has them at hand (importers).
        """
        source, rendered = getattr(self, "_rendered", (None, None))
        if known is None and source == (self.body, self.excerpt, bool(self.cover_id)):
            self.body_html, self.body_text, self.summary, images = rendered
            del self._rendered
            return images
        self.body_html, self.body_text, self.summary, images = render_entry(
            self.body,
            self.excerpt,
            has_cover=bool(self.cover_id),
            known=known,
            lookup=Image.objects.named,
        )
        return images

    def rerender(self, rendered: tuple | None = None) -> bool:
        """Render again (a picture it shows changed, or the pipeline did); store it if it differs.

        rendered: (body_html, body_text, summary, pictures or their ids), when rendered
        elsewhere (posts.operations.rerender, on other cores). Return True if the stored HTML
        changed.
        """
        stored = (self.body_html, self.body_text, self.summary)
        if rendered is None:
            images = self.render()
        else:
            self.body_html, self.body_text, self.summary, images = rendered
        if (self.body_html, self.body_text, self.summary) == stored:
            return False
        type(self).objects.filter(pk=self.pk).update(
            body_html=self.body_html, body_text=self.body_text, summary=self.summary
        )
        self.images.set(images)
        post_rerender.send(sender=type(self), instance=self)
        return True

    @property
    def word_count(self) -> int:
        """Return the number of words in the body's text."""
        return len(self.body_text.split())

    @property
    def reading_minutes(self) -> int:
        """Return the minutes a reader needs, at 230 words a minute, at least one."""
        return max(1, round(self.word_count / 230))
