"""Pages in the admin: the entry's Markdown editor, pre-publish check, share links and roles."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import path
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import AdminMarkdownxWidget

from posts.admin.entries import EntryAdmin, LabelledSplitDateTime
from posts.admin.entry_views import EntryViewsMixin
from posts.editorial.checks import prepublish_warnings
from posts.editorial.previews import preview_path
from posts.editorial.revisions import entry_snapshot, record_revision
from posts.editorial.roles import can_publish_pages
from posts.models import Page


class PageAdminForm(forms.ModelForm):
    class Meta:
        model = Page
        fields = [
            "title", "body", "cover", "excerpt", "status", "published_at", "parent", "slug",
            "author", "seo_title", "meta_description", "social_image",
        ]  # fmt: skip
        widgets = {"body": AdminMarkdownxWidget, "published_at": LabelledSplitDateTime}


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    """Pages: written as entries are; only those who may publish pages put them out."""

    form = PageAdminForm
    list_display = ["title", "path", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "path", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["cover", "social_image", "parent"]
    fieldsets = [
        (None, {"fields": ["title", "body", "cover", "excerpt"]}),
        (
            _("Address and publishing"),
            {"fields": ["parent", "slug", "status", "published_at", "author"]},
        ),
        (
            _("Search and sharing"),
            {
                "classes": ["collapse"],
                "description": _(
                    "All optional: left blank, search engines and link previews get the "
                    "page's title, excerpt and cover."
                ),
                "fields": ["seo_title", "meta_description", "social_image"],
            },
        ),
    ]
    Media = EntryAdmin.Media  # the same editor: preview, word count, growing fields

    # Revisions: the entries' own views and template, on this admin's URLs.
    revisions_view = EntryViewsMixin.revisions_view
    restore_view = EntryViewsMixin.restore_view

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/revisions/",
                view(self.revisions_view),
                name="posts_page_revisions",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                view(self.restore_view),
                name="posts_page_restore",
            ),
            *super().get_urls(),
        ]

    def _entry_or_404(self, request: HttpRequest, object_id: str) -> Page:
        page = self.get_object(request, unquote(object_id))
        if page is None or not self.has_view_permission(request, page):
            raise Http404("No such page.")
        return page

    def get_queryset(self, request: HttpRequest) -> QuerySet[Page]:
        return super().get_queryset(request).select_related("parent")

    def has_change_permission(self, request: HttpRequest, obj: Page | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        # Without the publish permission a published page is read-only, as entries are.
        if not allowed or obj is None:
            return allowed
        return can_publish_pages(request.user) or obj.status == Page.Status.DRAFT

    def get_readonly_fields(self, request: HttpRequest, obj: Page | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not can_publish_pages(request.user):
            readonly += ["status", "published_at"]
        return readonly

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request: HttpRequest, obj: Page, form, change: bool) -> None:
        stored = Page.objects.filter(pk=obj.pk).first() if change else None
        before = entry_snapshot(stored) if stored is not None else None
        if not can_publish_pages(request.user):
            obj.status = stored.status if stored is not None else Page.Status.DRAFT
            obj.published_at = stored.published_at if stored is not None else None
        super().save_model(request, obj, form, change)
        record_revision(obj, request.user, previous=before)
        if "_continue" not in request.POST:
            prefix = (
                _("Published, but check:") if obj.is_published else _("Before publishing, check:")
            )
            for warning in prepublish_warnings(obj):
                self.message_user(request, f"{prefix} {warning}", messages.WARNING)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["prepublish_warnings"] = prepublish_warnings(obj)
            if not obj.is_published:
                context["share_preview_url"] = request.build_absolute_uri(preview_path(obj))
                context["preview_days"] = settings.BLOGSITE_PREVIEW_MAX_AGE.days
        return super().render_change_form(request, context, add, change, form_url, obj)
