"""Public pages: the index, entries, tags and date archives."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView, MonthArchiveView, YearArchiveView
from taggit.models import Tag

from posts.models import Entry


class PublishedEntriesMixin:
    """What every public list shares: published entries, fetched in fixed queries, paginated."""

    paginate_by = settings.BLOGSITE_PAGE_SIZE
    context_object_name = "entries"

    def get_queryset(self):
        return Entry.objects.published().for_listing()


class EntryIndexView(PublishedEntriesMixin, ListView):
    template_name = "posts/entry_list.html"


class TagView(PublishedEntriesMixin, ListView):
    template_name = "posts/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class EntryArchiveMixin(PublishedEntriesMixin):
    date_field = "published_at"
    month_format = "%m"


class EntryYearArchiveView(EntryArchiveMixin, YearArchiveView):
    make_object_list = True
    template_name = "posts/entry_archive_year.html"


class EntryMonthArchiveView(EntryArchiveMixin, MonthArchiveView):
    template_name = "posts/entry_archive_month.html"


class EntryDetailView(DetailView):
    """One entry. Staff also see drafts and scheduled entries here: the admin's preview."""

    context_object_name = "entry"

    def get_queryset(self):
        entries = Entry.objects.select_related("author", "cover").prefetch_related("tags")
        if self.request.user.is_staff:
            return entries
        return entries.published()

    def get(self, request, *args, **kwargs):
        self.object = entry = get_object_or_404(self.get_queryset(), slug=kwargs["slug"])
        # The slug is unique on its own; a wrong year or month (or a draft previewed before
        # its publish date was set) is sent to the entry's one address.
        date = timezone.localtime(entry.published_at or entry.created_at)
        if (date.year, date.month) != (kwargs["year"], kwargs["month"]):
            return redirect(entry, permanent=entry.is_published)
        response = self.render_to_response(self.get_context_data(object=entry))
        if not entry.is_published:
            response.headers["Cache-Control"] = "private, no-store"
            response.headers["X-Robots-Tag"] = "noindex"
        return response
