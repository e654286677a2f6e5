from django.urls import path, register_converter

from posts import views
from posts.delivery import feeds


class UnicodeSlugConverter:
    """Slugs may hold letters of any script, as SlugField(allow_unicode=True) allows."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class MonthConverter:
    regex = r"0[1-9]|1[0-2]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return f"{int(value):02d}"


class PagePathConverter:
    """A page's address without its slashes at the ends: "about", "projects/unikernels"."""

    regex = r"[-\w]+(?:/[-\w]+)*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value.strip("/")


register_converter(UnicodeSlugConverter, "uslug")
register_converter(PagePathConverter, "pagepath")
register_converter(MonthConverter, "mm")

app_name = "posts"

urlpatterns = [
    path("", views.EntryIndexView.as_view(), name="index"),
    path("feed/", feeds.EntryFeed(), name="feed"),
    path("feed/rss/", feeds.EntryRssFeed(), name="feed-rss"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("tags/", views.TagListView.as_view(), name="tags"),
    path("tags/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("tags/<uslug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("tags/<uslug:slug>/feed/rss/", feeds.TagRssFeed(), name="tag-feed-rss"),
    path("authors/", views.AuthorListView.as_view(), name="authors"),
    path("authors/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
    path("authors/<uslug:slug>/feed/", feeds.AuthorFeed(), name="author-feed"),
    path("series/", views.SeriesListView.as_view(), name="series-list"),
    path("series/<uslug:slug>/", views.SeriesView.as_view(), name="series"),
    path("series/<uslug:slug>/feed/", feeds.SeriesFeed(), name="series-feed"),
    path("<int:year>/", views.EntryYearArchiveView.as_view(), name="archive-year"),
    path("<int:year>/<mm:month>/", views.EntryMonthArchiveView.as_view(), name="archive-month"),
    path("<int:year>/<mm:month>/<uslug:slug>/", views.EntryDetailView.as_view(), name="entry"),
    # Last: a page may have any address the routes above (and the project's) leave free.
    path("<pagepath:path>/", views.PageView.as_view(), name="page"),
]
