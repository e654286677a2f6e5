"""Public pages: the index, entries, pages, tags, authors, series and date archives.

One module per kind of page; posts/urls.py and blogsite/urls.py reach them through here.
"""

from posts.views.entries import (
    EntryDetailView,
    EntryIndexView,
    EntryMonthArchiveView,
    EntryYearArchiveView,
    SearchView,
    TagListView,
    TagView,
    preview,
)
from posts.views.pages import ArchiveView, PageView
from posts.views.people import AuthorListView, AuthorView, SeriesListView, SeriesView
from posts.views.service import healthz, robots_txt

__all__ = [
    "ArchiveView",
    "AuthorListView",
    "AuthorView",
    "EntryDetailView",
    "EntryIndexView",
    "EntryMonthArchiveView",
    "EntryYearArchiveView",
    "PageView",
    "SearchView",
    "SeriesListView",
    "SeriesView",
    "TagListView",
    "TagView",
    "healthz",
    "preview",
    "robots_txt",
]
