"""Tags in the admin: taggit's Tag, with entry counts, renames that redirect and a merge action."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from posts.editorial.tags import delete_tags, merge_tags, tag_renamed
from posts.links import tag_path

# taggit registers a plain TagAdmin first (it comes before posts in INSTALLED_APPS);
# this one takes its place.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags: renaming keeps the old address as a redirect; merging folds tags into one."""

    list_display = ["name", "slug", "entry_count"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(entry_count=Count("taggit_taggeditem_items"))

    @admin.display(description=_("entries"), ordering="entry_count")
    def entry_count(self, tag: Tag) -> int:
        return tag.entry_count

    def save_model(self, request: HttpRequest, obj: Tag, form, change: bool) -> None:
        old = Tag.objects.filter(pk=obj.pk).values("name", "slug").first() if change else None
        super().save_model(request, obj, form, change)
        if old is None:
            return
        tag_renamed(obj, old["name"], old["slug"])
        if obj.slug != old["slug"]:
            self.message_user(
                request,
                _("%(old)s now leads to %(new)s.")
                % {"old": tag_path(old["slug"]), "new": tag_path(obj.slug)},
            )

    def delete_model(self, request: HttpRequest, obj: Tag) -> None:
        delete_tags([obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        delete_tags(queryset)

    @admin.action(description=_("Merge the selected tags into one"), permissions=["delete"])
    def merge(self, request: HttpRequest, queryset: QuerySet[Tag]):
        tags = list(queryset.order_by("name"))
        if len(tags) < 2:
            self.message_user(request, _("Select two tags or more to merge."), messages.ERROR)
            return None
        keep = next((tag for tag in tags if str(tag.pk) == request.POST.get("keep")), None)
        if "apply" in request.POST and keep is not None:
            merged = merge_tags(keep, tags)
            self.message_user(
                request,
                ngettext(
                    "Merged %(count)d tag into “%(name)s”; its address redirects there.",
                    "Merged %(count)d tags into “%(name)s”; their addresses redirect there.",
                    merged,
                )
                % {"count": merged, "name": keep.name},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge tags"),
            "opts": self.opts,
            "tags": tags,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/taggit/tag/merge.html", context)
