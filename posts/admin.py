"""The editor: entries in Markdown with a live preview, pictures as Image records."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from markdownx.widgets import AdminMarkdownxWidget
from taggit.models import Tag

from posts.checks import prepublish_warnings
from posts.images import check_image_file
from posts.links import tag_path
from posts.markup import render_markdown
from posts.models import Entry, Image, Redirect, file_sha256
from posts.pictures import sized_url
from posts.previews import preview_path, revoke_previews
from posts.revisions import (
    changed_fields,
    diff_html,
    entry_snapshot,
    record_revision,
    restore_revision,
)
from posts.roles import can_edit_others, can_publish
from posts.tags import delete_tags, merge_tags, tag_renamed


class EntryAdminForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = [
            "title", "body", "tags", "cover", "excerpt", "status", "published_at", "slug", "author"
        ]  # fmt: skip
        widgets = {"body": AdminMarkdownxWidget}


TAG_ACTION_TITLES = {
    "add_tag": _("Add a tag to the selected entries"),
    "remove_tag": _("Remove a tag from the selected entries"),
}


class TagNameForm(forms.Form):
    tag = forms.CharField(max_length=100, label=_("Tag"), help_text=_("One tag name."))


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    form = EntryAdminForm
    list_display = ["title", "state", "published_at", "author", "tag_list", "updated_at"]
    list_filter = ["status", "published_at"]
    list_select_related = ["author"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["cover"]
    actions = ["publish_now", "make_draft", "add_tag", "remove_tag"]
    fieldsets = [
        (None, {"fields": ["title", "body", "tags", "cover", "excerpt"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "slug", "author"]}),
    ]

    class Media:
        css = {"all": ["css/markup.css", "css/pygments.css", "posts/admin/editor.css"]}
        js = ["posts/admin/editor.js"]

    # Roles: who sees, edits and publishes what. Enforced here, not only hidden in the page.

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entry]:
        entries = super().get_queryset(request).prefetch_related("tags")
        if not can_edit_others(request.user):
            entries = entries.filter(author=request.user)
        return entries

    def _owns(self, request: HttpRequest, entry: Entry) -> bool:
        return can_edit_others(request.user) or entry.author_id == request.user.pk

    def has_view_permission(self, request: HttpRequest, obj: Entry | None = None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self._owns(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Entry | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        # Without the publish permission, a published or scheduled entry is read-only:
        # otherwise an edit would change what readers see without an editor's say.
        return self._owns(request, obj) and (
            can_publish(request.user) or obj.status == Entry.Status.DRAFT
        )

    def has_delete_permission(self, request: HttpRequest, obj: Entry | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._owns(request, obj))

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return can_publish(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Entry | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not can_publish(request.user):
            readonly += ["status", "published_at"]
        if not can_edit_others(request.user):
            readonly += ["author"]
        return readonly

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request: HttpRequest, obj: Entry, form, change: bool) -> None:
        stored = Entry.objects.filter(pk=obj.pk).first() if change else None
        if stored is not None:
            obj._revision_before = entry_snapshot(stored)
        if not can_edit_others(request.user):
            obj.author = stored.author if stored is not None else request.user
        if not can_publish(request.user):
            obj.status = stored.status if stored is not None else Entry.Status.DRAFT
            obj.published_at = stored.published_at if stored is not None else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        entry = form.instance
        # After the tags are saved: the revision keeps them too.
        record_revision(entry, request.user, previous=getattr(entry, "_revision_before", None))
        self._warn(request, entry)

    def _warn(self, request: HttpRequest, entry: Entry) -> None:
        prefix = (
            _("Published, but check:")
            if entry.status == Entry.Status.PUBLISHED
            else _("Before publishing, check:")
        )
        if "_continue" in request.POST:
            return  # the change page drawn next lists them in its own box
        for warning in prepublish_warnings(entry):
            self.message_user(request, f"{prefix} {warning}", messages.WARNING)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Here rather than in change_view: only when the form is drawn (not on the POST that
        # saves and redirects), with the object Django has already fetched.
        if obj is not None:
            context["prepublish_warnings"] = prepublish_warnings(obj)
            context["can_change_entry"] = self.has_change_permission(request, obj)
            if not obj.is_published:
                context["share_preview_url"] = request.build_absolute_uri(preview_path(obj))
                context["preview_days"] = settings.BLOGSITE_PREVIEW_MAX_AGE.days
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("state"))
    def state(self, entry: Entry) -> str:
        if entry.is_scheduled:
            return _("Scheduled")
        return entry.get_status_display()

    @admin.display(description=_("tags"))
    def tag_list(self, entry: Entry) -> str:
        return ", ".join(sorted(tag.name for tag in entry.tags.all()))

    @admin.action(description=_("Publish the selected entries now"), permissions=["publish"])
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Entry]) -> None:
        now = timezone.now()
        for entry in queryset:
            entry.status = Entry.Status.PUBLISHED
            entry.published_at = now
            entry.save()
            warnings = prepublish_warnings(entry)
            if warnings:
                self.message_user(
                    request,
                    format_html(
                        "“{}” is published, but check: {}",
                        entry.title,
                        " ".join(str(warning) for warning in warnings),
                    ),
                    messages.WARNING,
                )
        count = len(queryset)
        self.message_user(
            request,
            ngettext("Published %d entry.", "Published %d entries.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish: turn the selected entries back into drafts"),
        permissions=["publish"],
    )
    def make_draft(self, request: HttpRequest, queryset: QuerySet[Entry]) -> None:
        for entry in queryset:
            entry.status = Entry.Status.DRAFT
            entry.save()
        count = len(queryset)
        self.message_user(
            request, ngettext("%d entry is a draft.", "%d entries are drafts.", count) % count
        )

    @admin.action(description=_("Add a tag to the selected entries"), permissions=["change"])
    def add_tag(self, request: HttpRequest, queryset: QuerySet[Entry]):
        return self._tag_action(request, queryset, "add_tag")

    @admin.action(description=_("Remove a tag from the selected entries"), permissions=["change"])
    def remove_tag(self, request: HttpRequest, queryset: QuerySet[Entry]):
        return self._tag_action(request, queryset, "remove_tag")

    def _tag_action(self, request: HttpRequest, queryset: QuerySet[Entry], action: str):
        """Ask for a tag name on a page of its own, then add it to or remove it from entries."""
        entries = [entry for entry in queryset if self.has_change_permission(request, entry)]
        form = TagNameForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            name = form.cleaned_data["tag"].strip()
            changed = 0
            for entry in entries:
                if action == "add_tag":
                    entry.tags.add(name)
                else:
                    entry.tags.remove(*Tag.objects.filter(name__iexact=name))
                if record_revision(entry, request.user):
                    changed += 1
            self.message_user(
                request,
                ngettext(
                    "Changed the tags of %(count)d entry.",
                    "Changed the tags of %(count)d entries.",
                    changed,
                )
                % {"count": changed},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": TAG_ACTION_TITLES[action],
            "opts": self.opts,
            "entries": entries,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/posts/entry/tag_action.html", context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("markdownify/", view(self.markdownify_view), name="posts_entry_markdownify"),
            path(
                "<path:object_id>/revisions/",
                view(self.revisions_view),
                name="posts_entry_revisions",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                view(self.restore_view),
                name="posts_entry_restore",
            ),
            path(
                "<path:object_id>/revoke-previews/",
                view(self.revoke_previews_view),
                name="posts_entry_revoke_previews",
            ),
            *super().get_urls(),
        ]

    def markdownify_view(self, request: HttpRequest) -> HttpResponse:
        """The editor's live preview: the same pipeline the saved entry goes through."""
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return HttpResponse(render_markdown(request.POST.get("content", "")))

    def _entry_or_404(self, request: HttpRequest, object_id: str) -> Entry:
        entry = self.get_object(request, unquote(object_id))
        if entry is None or not self.has_view_permission(request, entry):
            raise Http404(_("No such entry."))
        return entry

    def revisions_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """An entry's revisions, newest first, and a diff of one of them against the entry."""
        entry = self._entry_or_404(request, object_id)
        revisions = list(entry.revisions.select_related("author", "cover"))
        current = entry_snapshot(entry)
        chosen = None
        if request.GET.get("revision", "").isdigit():
            chosen = next((r for r in revisions if r.pk == int(request.GET["revision"])), None)
        if chosen is None and revisions:
            chosen = revisions[1] if len(revisions) > 1 else revisions[0]
        # Each revision beside what it changed from the one before it (the oldest: nothing).
        older = [*revisions[1:], None]
        rows = [
            (revision, changed_fields(before.snapshot(), revision.snapshot()) if before else None)
            for revision, before in zip(revisions, older[: len(revisions)], strict=True)
        ]
        diffs = []
        if chosen is not None:
            old_cover = str(chosen.cover) if chosen.cover else "—"
            new_cover = str(entry.cover) if entry.cover else "—"
            diffs = [
                (_("Title"), diff_html(chosen.title, entry.title)),
                (_("Tags"), diff_html(chosen.tags, current["tags"])),
                (_("Cover"), diff_html(old_cover, new_cover)),
                (_("Excerpt"), diff_html(chosen.excerpt, entry.excerpt)),
                (_("Body"), diff_html(chosen.body, entry.body)),
            ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revisions of “%s”") % entry.title,
            "opts": self.opts,
            "original": entry,
            "rows": rows,
            "chosen": chosen,
            "diffs": diffs,
            "can_restore": self.has_change_permission(request, entry),
        }
        return TemplateResponse(request, "admin/posts/entry/revisions.html", context)

    def restore_view(self, request: HttpRequest, object_id: str, revision_id: int):
        """Put a revision's text back into the entry (POST): itself a new revision."""
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        entry = self._entry_or_404(request, object_id)
        if not self.has_change_permission(request, entry):
            raise PermissionDenied
        revision = get_object_or_404(entry.revisions, pk=revision_id)
        restore_revision(revision, request.user)
        self.message_user(
            request,
            _("Restored the text of %(when)s.")
            % {"when": formats.localize(timezone.localtime(revision.created_at))},
            messages.SUCCESS,
        )
        return redirect("admin:posts_entry_change", entry.pk)

    def revoke_previews_view(self, request: HttpRequest, object_id: str):
        """Withdraw every shared preview link of the entry (POST)."""
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        entry = self._entry_or_404(request, object_id)
        if not self.has_change_permission(request, entry):
            raise PermissionDenied
        revoke_previews(entry)
        self.message_user(
            request, _("Preview links given out so far no longer work."), messages.SUCCESS
        )
        return redirect("admin:posts_entry_change", entry.pk)


class ImageAdminForm(forms.ModelForm):
    # A plain file field: the model's validator decodes the picture and says what is wrong
    # with it (damaged, too large, a bomb), where Django's ImageField says only "invalid".
    file = forms.FileField(help_text=Image._meta.get_field("file").help_text)

    class Meta:
        model = Image
        fields = ["file", "alt_text", "decorative", "caption", "credit"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and "file" in self.changed_data:
            twin = Image.objects.filter(sha256=file_sha256(upload)).exclude(pk=self.instance.pk)
            if twin.exists():
                existing = twin.first()
                raise ValidationError(
                    format_html(
                        'This picture is already uploaded: <a href="{}">{}</a>. Use that one.',
                        reverse("admin:posts_image_change", args=[existing.pk]),
                        existing,
                    ),
                    code="duplicate",
                )
        return upload


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ["thumbnail", "__str__", "needs_alt_text", "width", "height", "uploaded_at"]
    list_display_links = ["thumbnail", "__str__"]
    search_fields = ["alt_text", "caption", "credit", "file"]
    readonly_fields = ["preview", "width", "height", "uploaded_at", "usage"]
    fields = [
        "file", "preview", "alt_text", "decorative", "caption", "credit", "width", "height",
        "usage",
    ]  # fmt: skip

    # Roles: a picture shows wherever an entry uses it, so whoever may not edit one of those
    # entries may not change it either (its file or alt text would change a page they may not).

    def _entries_using(self, image: Image) -> QuerySet[Entry]:
        return Entry.objects.filter(Q(images=image) | Q(cover=image)).distinct()

    def _may_change_everywhere(self, request: HttpRequest, image: Image) -> bool:
        if can_edit_others(request.user):
            return True
        entry_admin = self.admin_site.get_model_admin(Entry)
        return all(
            entry_admin.has_change_permission(request, entry)
            for entry in self._entries_using(image)
        )

    def has_change_permission(self, request: HttpRequest, obj: Image | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._may_change_everywhere(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Image | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._may_change_everywhere(request, obj))

    def get_object(self, request: HttpRequest, object_id: str, from_field=None) -> Image | None:
        image = super().get_object(request, object_id, from_field)
        if image is not None:
            # Read by usage(), which gets no request: the "used in" list names only the
            # entries this user may open, so an Author never reads the titles of others' drafts.
            entry_admin = self.admin_site.get_model_admin(Entry)
            entries = list(self._entries_using(image))
            seen = [entry for entry in entries if entry_admin.has_view_permission(request, entry)]
            image.visible_usage, image.hidden_usage = seen, len(entries) - len(seen)
        return image

    @admin.display(description="")
    def thumbnail(self, image: Image) -> str:
        return format_html(
            '<img src="{}" alt="" width="80" style="height:auto" loading="lazy">',
            sized_url(image, 80),  # a 480 px copy, not a 5 MB original, 100 times a page
        )

    @admin.display(description=_("preview"))
    def preview(self, image: Image) -> str:
        if not image.pk:
            return "-"
        return format_html(
            '<img src="{}" alt="" style="max-width:min(100%,480px);height:auto">',
            sized_url(image, 480),
        )

    @admin.display(description=_("used in"))
    def usage(self, image: Image) -> str:
        entries = getattr(image, "visible_usage", [])
        hidden = getattr(image, "hidden_usage", 0)
        if not entries and not hidden:
            return _("No entry shows this picture.")
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:posts_entry_change", args=[e.pk]), e.title) for e in entries),
        )
        if not hidden:
            return links
        others = ngettext(
            "%(count)d entry you cannot open", "%(count)d entries you cannot open", hidden
        ) % {"count": hidden}
        return format_html("{}, {}", links, others) if entries else others

    @admin.display(description=_("alt text missing"), boolean=True)
    def needs_alt_text(self, image: Image) -> bool:
        return not image.decorative and not image.alt_text.strip()

    def get_urls(self):
        drop = path("drop/", self.admin_site.admin_view(self.drop_view), name="posts_image_drop")
        return [drop, *super().get_urls()]

    def drop_view(self, request: HttpRequest) -> JsonResponse:
        """A picture dropped into the editor becomes an Image; the editor gets its Markdown."""
        if request.method != "POST":
            return JsonResponse({"error": "POST a file."}, status=405, headers={"Allow": "POST"})
        if not self.has_add_permission(request):
            return JsonResponse({"error": str(_("You may not upload pictures."))}, status=403)
        upload = request.FILES.get("image")
        if upload is None:
            return JsonResponse({"error": str(_("No file arrived."))}, status=400)
        try:
            check_image_file(upload, size=upload.size)
        except ValidationError as err:
            return JsonResponse({"error": " ".join(err.messages)}, status=400)
        image, _created = Image.objects.from_upload(upload)
        return JsonResponse({"image_code": f"![]({image.file.url})", "id": image.pk})


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "entry", "target", "created_at"]
    list_select_related = ["entry"]
    search_fields = ["old_path", "target", "entry__title"]
    autocomplete_fields = ["entry"]


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
