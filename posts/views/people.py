"""Authors and series: who wrote the entries, and entries that belong together."""

from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.views.generic import (
    ListView,
    TemplateView,
)

from posts.models import AuthorProfile, Entry, Series
from posts.views.entries import PublishedEntriesMixin


def _published_count(field: str, outer: str):
    """Return a subquery counting the published entries whose `field` is the outer `outer`."""
    counted = (
        Entry.objects.published()
        .filter(**{field: OuterRef(outer)})
        .order_by()
        .values(field)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(counted)


class AuthorListView(TemplateView):
    """Every author with a published entry, with their avatar and how many they wrote."""

    template_name = "posts/author_list.html"

    def get_context_data(self, **kwargs):
        authors = (
            AuthorProfile.objects.public()
            .select_related("user", "avatar")
            .annotate(count=_published_count("bylines__user", "user_id"))
            .order_by("display_name", "slug")
        )
        return super().get_context_data(authors=authors, **kwargs)


class AuthorView(PublishedEntriesMixin, ListView):
    """An author's profile and their published entries, co-written ones included."""

    template_name = "posts/author_detail.html"

    def get_queryset(self):
        # An author with only drafts is as unknown as one who never wrote: a 404.
        self.profile = get_object_or_404(
            AuthorProfile.objects.public().select_related("user", "avatar"),
            slug=self.kwargs["slug"],
        )
        return super().get_queryset().filter(bylines__user=self.profile.user_id)

    def get_context_data(self, **kwargs):
        return super().get_context_data(profile=self.profile, **kwargs)


class SeriesListView(TemplateView):
    """Every series with a published part, with how many parts are out."""

    template_name = "posts/series_list.html"

    def get_context_data(self, **kwargs):
        series = Series.objects.public().annotate(count=_published_count("series", "pk"))
        return super().get_context_data(series_list=series, **kwargs)


class SeriesView(PublishedEntriesMixin, ListView):
    """A series' page: its description, then its published parts in order, numbered."""

    template_name = "posts/series_detail.html"

    def get_queryset(self):
        self.series = get_object_or_404(Series.objects.public(), slug=self.kwargs["slug"])
        return super().get_queryset().filter(series=self.series).in_series_order()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(series=self.series, **kwargs)
        page = context["page_obj"]
        context["parts_before"] = (page.number - 1) * page.paginator.per_page
        context["first_part"] = context["parts_before"] + 1
        return context
