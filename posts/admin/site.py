"""The site's settings and header menu in the admin: one page, Editors only."""

from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from posts.models import MenuItem, SiteSettings, SocialLink


class CompactInline(admin.TabularInline):
    """A table row per item: no add, change or view buttons beside the lists, to fit 1280 px."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, RelatedFieldWidgetWrapper):
            for name in ("can_add_related", "can_change_related", "can_view_related"):
                setattr(field.widget, name, False)
        return field


class MenuItemInline(CompactInline):
    """The menu's items, ordered by their number; menu_order.js lets rows be dragged too."""

    model = MenuItem
    extra = 1
    fields = ["order", "label", "kind", "page", "tag", "url"]
    # Plain lists, which keyboards and screen readers handle as is in a table's cells.
    classes = ["menu-items"]


class SocialLinkInline(CompactInline):
    model = SocialLink
    extra = 1
    fields = ["order", "label", "url"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it, and it is never added twice or deleted."""

    fields = ["title", "tagline", "footer_text", "default_social_image"]
    autocomplete_fields = ["default_social_image"]
    inlines = [MenuItemInline, SocialLinkInline]

    class Media:
        css = {"all": ["posts/admin/menu_order.css"]}
        js = ["posts/admin/menu_order.js", "posts/admin/select_labels.js"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        SiteSettings.objects.get_or_create(pk=1)
        return HttpResponseRedirect(reverse("admin:posts_sitesettings_change", args=[1]))
