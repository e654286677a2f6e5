"""Series in the admin: a title, a description and its entries' part numbers, for editors."""

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from posts.models import Entry, Series


class SeriesEntryInline(admin.TabularInline):
    """The entries of the series, to order by their part numbers; added from the entry form."""

    model = Entry
    fk_name = "series"
    fields = ["title", "status", "published_at", "series_part"]
    readonly_fields = ["title", "status", "published_at"]
    ordering = ["series_part", "published_at", "pk"]
    extra = 0
    verbose_name = _("part")
    verbose_name_plural = _("parts (add an entry to the series from its own page)")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # would delete the entry itself, not take it out of the series


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "part_count"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "description"]
    inlines = [SeriesEntryInline]

    class Media:
        css = {"all": ["posts/admin/inlines.css"]}
        js = ["posts/admin/inline_labels.js"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(part_count=Count("entries"))

    @admin.display(description=_("parts"), ordering="part_count")
    def part_count(self, series: Series) -> int:
        return series.part_count
