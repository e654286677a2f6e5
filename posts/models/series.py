"""Series: entries an editor groups into an ordered sequence with its own page and feed.

An entry belongs to at most one series (Entry.series) at a part number it is sorted by.
Only published entries count: a draft part is neither numbered nor linked. May use
posts.rendering (the description is Markdown).
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from posts.rendering.markdown import render_markdown


class SeriesQuerySet(models.QuerySet):
    def public(self) -> "SeriesQuerySet":
        """Return the series with at least one published entry."""
        # Looked up, not imported: Entry's module imports this one.
        Entry = self.model._meta.apps.get_model("posts", "Entry")
        return self.filter(
            models.Exists(Entry.objects.published().filter(series=models.OuterRef("pk")))
        )


class Series(models.Model):
    """An ordered group of entries: "Unikernels in production, part 2 of 5"."""

    title = models.CharField(max_length=200, help_text=_("The series' name, as readers see it."))
    slug = models.SlugField(
        max_length=100,
        unique=True,
        allow_unicode=True,
        help_text=_("The last part of the series' address, after /series/."),
    )
    description = models.TextField(
        blank=True,
        max_length=5000,
        help_text=_("What the series is about, in Markdown, shown at the top of its page."),
    )
    description_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("posts:series", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs) -> None:
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)
