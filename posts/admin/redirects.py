"""Old addresses kept answering: each redirect leads to an entry, a page, a path or a full URL."""

from django.contrib import admin

from posts.models import Redirect


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    """Redirects, found by old path, target or the title of the entry they lead to."""

    list_display = ["old_path", "entry", "page", "target", "created_at"]
    list_select_related = ["entry", "page"]
    search_fields = ["old_path", "target", "entry__title"]
    autocomplete_fields = ["entry", "page"]
