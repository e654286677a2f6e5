"""The entry stream: the index, tag pages, date archives, an entry, shared previews, search.

Only URL configurations import views (import-linter holds it); they reach every view through
posts.views. The other view modules here build on PublishedEntriesMixin and _private."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.generic import (
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)
from taggit.models import Tag

from posts.delivery.pagination import WindowPaginator
from posts.delivery.visibility import public_tags
from posts.editorial.previews import PreviewInvalid, PreviewUnavailable, entry_for_preview
from posts.editorial.roles import can_edit_others
from posts.models import Entry, Page
from posts.search import clean_query, search_entries, search_pages

RELATED_COUNT = 3


class PublishedEntriesMixin:
    """What every public list shares: published entries, fetched in fixed queries, paginated."""

    paginate_by = settings.BLOGSITE_PAGE_SIZE
    paginator_class = WindowPaginator
    context_object_name = "entries"

    def get_queryset(self):
        return Entry.objects.published().for_listing()

    def get_paginator(self, *args, **kwargs):
        # The "Older" and "Newer" links' cursors: pages far down a long list start at a row.
        after, before = self.request.GET.get("after"), self.request.GET.get("before")
        return super().get_paginator(*args, after=after, before=before, **kwargs)


class EntryIndexView(PublishedEntriesMixin, ListView):
    template_name = "posts/entry_list.html"


class TagView(PublishedEntriesMixin, ListView):
    template_name = "posts/tag_detail.html"

    def get_queryset(self):
        # A tag only drafts carry is as unknown as a tag nobody made: its name stays unsaid.
        self.tag = get_object_or_404(public_tags(), slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class EntryArchiveMixin(PublishedEntriesMixin):
    date_field = "published_at"
    month_format = "%m"
    # An empty period is a 404 all the same (below), without Django's extra "any?" query.
    allow_empty = True

    def get_dated_queryset(self, **lookup):
        """Return the period's published entries, with the period's bounds first."""
        # Given two upper bounds on published_at, SQLite ends the index range at the first
        # one written. With published()'s "until now" first (Django's order), a June 2021
        # page walked every entry from June 2021 to today: 5 ms at 100,000 entries, against
        # 0.1 ms with the month's own end. published() also hides entries still to come,
        # so Django's second "until now" (allow_future) is left out.
        return Entry.objects.filter(**lookup).published().for_listing()

    def get_dated_items(self):
        date_list, entries, extra = super().get_dated_items()
        if not self.has_entries(date_list, entries):
            raise Http404("No entries in this period.")
        return date_list, entries, extra


class EntryYearArchiveView(EntryArchiveMixin, YearArchiveView):
    make_object_list = True
    template_name = "posts/entry_archive_year.html"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """Return the first moment of each month of the year that has entries, in one query.

        Each month is one index probe (EXISTS), whatever the year holds. Django's dates()
        truncated the date of every entry of the year instead: 45 ms for the 10,000
        entries of a year at 100,000.
        """
        year = int(self.get_year())
        starts = [datetime.datetime(year, month, 1) for month in range(1, 13)]
        starts = [timezone.make_aware(start) for start in starts]
        ends = [*starts[1:], timezone.make_aware(datetime.datetime(year + 1, 1, 1))]
        probes = {
            f"month_{number}": Exists(
                Entry.objects.filter(published_at__gte=start, published_at__lt=end).published()
            )
            for number, (start, end) in enumerate(zip(starts, ends, strict=True))
        }
        # Any one entry of the year carries the twelve answers; no entry, no months.
        found = queryset.prefetch_related(None).annotate(**probes).values(*probes)[:1]
        row = next(iter(found), None)
        if row is None:
            return []
        return [start for start, name in zip(starts, probes, strict=True) if row[name]]

    def has_entries(self, date_list, entries) -> bool:
        return bool(date_list)  # the months with entries, which the page lists anyway

    def get_next_year(self, date):
        return self._neighbour_year(date, newer=True)

    def get_previous_year(self, date):
        return self._neighbour_year(date, newer=False)

    def _neighbour_year(self, date, newer: bool):
        """Return the first day of the nearest year with entries, or None: one query."""
        start = timezone.make_aware(datetime.datetime(date.year, 1, 1))
        if newer:
            start = start.replace(year=date.year + 1)
            found = (
                Entry.objects.filter(published_at__gte=start).published().order_by("published_at")
            )
        else:
            found = (
                Entry.objects.filter(published_at__lt=start).published().order_by("-published_at")
            )
        when = found.values_list("published_at", flat=True).first()
        return None if when is None else timezone.localtime(when).date().replace(month=1, day=1)


class EntryMonthArchiveView(EntryArchiveMixin, MonthArchiveView):
    template_name = "posts/entry_archive_month.html"

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        return []  # the days of the month, which the page does not show

    def has_entries(self, date_list, entries) -> bool:
        return True  # the first page says, in get_context_data, with no extra query

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["page_obj"].object_list:
            raise Http404("No entries in this month.")
        return context

    def get_next_month(self, date):
        return self._neighbour_month(date, newer=True)

    def get_previous_month(self, date):
        return self._neighbour_month(date, newer=False)

    def _neighbour_month(self, date, newer: bool):
        """Return the first day of the nearest month with entries, or None: one query."""
        start = timezone.make_aware(datetime.datetime(date.year, date.month, 1))
        # The month's bound before published()'s, as in get_dated_queryset.
        if newer:
            start = (start + datetime.timedelta(days=32)).replace(day=1)
            found = (
                Entry.objects.filter(published_at__gte=start).published().order_by("published_at")
            )
        else:
            found = (
                Entry.objects.filter(published_at__lt=start).published().order_by("-published_at")
            )
        when = found.values_list("published_at", flat=True).first()
        return None if when is None else timezone.localtime(when).date().replace(day=1)


class EntryDetailView(DetailView):
    """One entry. Staff also see drafts they may edit, as the admin's preview."""

    context_object_name = "entry"

    def may_see(self, entry: Entry) -> bool:
        user = self.request.user
        if entry.is_published:
            return True
        # An Author previews their own drafts, not other people's.
        return user.is_staff and (can_edit_others(user) or entry.is_written_by(user))

    def get(self, request, *args, **kwargs):
        entry = Entry.for_page(kwargs["slug"])
        if entry is None or not self.may_see(entry):
            raise Http404("No entry at this address.")
        self.object = entry
        # The slug is unique on its own; a wrong year or month (or a draft previewed before
        # its publish date was set) is sent to the entry's one address.
        date = timezone.localtime(entry.published_at or entry.created_at)
        if (date.year, date.month) != (kwargs["year"], kwargs["month"]):
            return redirect(entry, permanent=entry.is_published)
        previous_entry, next_entry = entry.neighbours()
        response = self.render_to_response(
            self.get_context_data(
                object=entry,
                previous_entry=previous_entry,
                next_entry=next_entry,
                related=entry.related(RELATED_COUNT),
                series_place=series_place(entry),
            )
        )
        return response if entry.is_published else _private(response)


def series_place(entry: Entry) -> dict | None:
    """Return where a published entry stands in its series: part, of, series, previous, next.

    Only published parts count: a draft part is neither numbered nor linked. None for an
    entry in no series, or one not yet published (a preview).
    """
    if entry.series_id is None or not entry.is_published:
        return None
    parts = entry.series_parts()
    ids = [part.pk for part in parts]
    if entry.pk not in ids:
        return None
    index = ids.index(entry.pk)
    return {
        "series": parts[0].series,
        "part": index + 1,
        "of": len(parts),
        "previous": parts[index - 1] if index > 0 else None,
        "next": parts[index + 1] if index + 1 < len(parts) else None,
    }


def _private(response: HttpResponse) -> HttpResponse:
    """Keep a response out of every cache and every search engine."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """A draft entry or page shown through a shared preview link, to anyone holding it; never
    cached."""
    try:
        entry = entry_for_preview(token)
    except PreviewInvalid as err:
        raise Http404(str(err)) from err
    except PreviewUnavailable as err:
        context = {"reason": str(err)}
        return _private(render(request, "posts/preview_unavailable.html", context, status=410))
    if entry.is_published:
        return redirect(entry)
    if isinstance(entry, Page):
        context = {"page": entry, "object": entry, "shared_preview": True}
        return _private(render(request, "posts/page_detail.html", context))
    context = {"entry": entry, "object": entry, "shared_preview": True}
    return _private(render(request, "posts/entry_detail.html", context))


class TagListView(TemplateView):
    """Every tag that has published entries, with how many."""

    template_name = "posts/tag_list.html"

    def get_context_data(self, **kwargs):
        tags = (
            Tag.objects.filter(entry__in=Entry.objects.published())
            .annotate(count=Count("entry"))
            .order_by("name")
        )
        return super().get_context_data(tags=tags, **kwargs)


class SearchView(ListView):
    """Ranked, highlighted search results; never indexed by search engines."""

    template_name = "posts/search.html"
    paginate_by = settings.BLOGSITE_PAGE_SIZE
    context_object_name = "hits"

    def get_queryset(self):
        self.query = clean_query(self.request.GET.get("q", ""))
        return search_entries(self.query)

    def get_context_data(self, **kwargs):
        more = self.object_list.more_than_shown if self.query else False
        context = super().get_context_data(query=self.query, more_than_shown=more, **kwargs)
        # Pages matching the query come first, on the first page of results only.
        first = context["page_obj"] is None or context["page_obj"].number == 1
        context["pages"] = search_pages(self.query) if self.query and first else []
        return context
