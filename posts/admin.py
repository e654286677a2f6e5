"""The editor: entries in Markdown with a live preview, pictures as Image records."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from markdownx.widgets import AdminMarkdownxWidget

from posts.images import check_image_file
from posts.markup import render_markdown
from posts.models import Entry, Image, Redirect, file_sha256


class EntryAdminForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = [
            "title", "body", "tags", "cover", "excerpt", "status", "published_at", "slug", "author"
        ]  # fmt: skip
        widgets = {"body": AdminMarkdownxWidget}


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
    actions = ["publish_now", "make_draft"]
    fieldsets = [
        (None, {"fields": ["title", "body", "tags", "cover", "excerpt"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "slug", "author"]}),
    ]

    class Media:
        css = {"all": ["css/markup.css", "css/pygments.css", "posts/admin/editor.css"]}
        js = ["posts/admin/editor.js"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entry]:
        return super().get_queryset(request).prefetch_related("tags")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description=_("state"))
    def state(self, entry: Entry) -> str:
        if entry.is_scheduled:
            return _("Scheduled")
        return entry.get_status_display()

    @admin.display(description=_("tags"))
    def tag_list(self, entry: Entry) -> str:
        return ", ".join(sorted(tag.name for tag in entry.tags.all()))

    @admin.action(description=_("Publish the selected entries now"))
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Entry]) -> None:
        now = timezone.now()
        for entry in queryset:
            entry.status = Entry.Status.PUBLISHED
            entry.published_at = now
            entry.save()
        count = len(queryset)
        self.message_user(
            request,
            ngettext("Published %d entry.", "Published %d entries.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Turn the selected entries back into drafts"))
    def make_draft(self, request: HttpRequest, queryset: QuerySet[Entry]) -> None:
        for entry in queryset:
            entry.status = Entry.Status.DRAFT
            entry.save()
        count = len(queryset)
        self.message_user(
            request, ngettext("%d entry is a draft.", "%d entries are drafts.", count) % count
        )

    def get_urls(self):
        preview = path(
            "markdownify/",
            self.admin_site.admin_view(self.markdownify_view),
            name="posts_entry_markdownify",
        )
        return [preview, *super().get_urls()]

    def markdownify_view(self, request: HttpRequest) -> HttpResponse:
        """The editor's live preview: the same pipeline the saved entry goes through."""
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return HttpResponse(render_markdown(request.POST.get("content", "")))


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

    @admin.display(description="")
    def thumbnail(self, image: Image) -> str:
        return format_html(
            '<img src="{}" alt="" width="80" style="height:auto" loading="lazy">', image.file.url
        )

    @admin.display(description=_("preview"))
    def preview(self, image: Image) -> str:
        if not image.pk:
            return "-"
        return format_html(
            '<img src="{}" alt="" style="max-width:min(100%,480px);height:auto">', image.file.url
        )

    @admin.display(description=_("used in"))
    def usage(self, image: Image) -> str:
        entries = (
            list(Entry.objects.filter(Q(images=image) | Q(cover=image)).distinct())
            if image.pk
            else []
        )
        if not entries:
            return _("No entry shows this picture.")
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:posts_entry_change", args=[e.pk]), e.title) for e in entries),
        )

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
