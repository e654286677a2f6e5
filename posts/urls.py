from django.urls import path, register_converter

from posts import feeds, views


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


register_converter(UnicodeSlugConverter, "uslug")
register_converter(MonthConverter, "mm")

app_name = "posts"

urlpatterns = [
    path("", views.EntryIndexView.as_view(), name="index"),
    path("feed/", feeds.EntryFeed(), name="feed"),
    path("feed/rss/", feeds.EntryRssFeed(), name="feed-rss"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("tags/", views.TagListView.as_view(), name="tags"),
    path("tags/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("tags/<uslug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("tags/<uslug:slug>/feed/rss/", feeds.TagRssFeed(), name="tag-feed-rss"),
    path("<int:year>/", views.EntryYearArchiveView.as_view(), name="archive-year"),
    path("<int:year>/<mm:month>/", views.EntryMonthArchiveView.as_view(), name="archive-month"),
    path("<int:year>/<mm:month>/<uslug:slug>/", views.EntryDetailView.as_view(), name="entry"),
]
