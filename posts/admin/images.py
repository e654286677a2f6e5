"""The picture library: checked, deduplicated uploads, where each is used, drops from the editor,
and the picker the entry editor browses to insert a picture's Markdown."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from posts.editorial.roles import can_edit_others, can_pick_pictures
from posts.imagefiles.processing import check_image_file
from posts.models import Entry, Image, file_sha256
from posts.rendering.pictures import picture_markdown, sized_url

PICKER_PAGE_SIZE = 24
# A search is words, each found in the alt text, caption or file name; more words than
# this narrow nothing a writer needs and each adds a condition to the query.
PICKER_MAX_WORDS = 8


class ImageAdminForm(forms.ModelForm):
    """An upload checked by the model's validator and refused when the same bytes exist."""

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
    """Pictures: thumbnails, the missing alt texts, and the entries that show each one."""

    form = ImageAdminForm
    list_display = ["thumbnail", "__str__", "needs_alt_text", "width", "height", "uploaded_at"]
    list_display_links = ["thumbnail", "__str__"]
    search_fields = ["alt_text", "caption", "credit", "file"]
    readonly_fields = ["preview", "markdown", "width", "height", "uploaded_at", "usage"]
    fields = [
        "file", "preview", "markdown", "alt_text", "decorative", "caption", "credit", "width",
        "height", "usage",
    ]  # fmt: skip

    class Media:
        css = {"all": ["posts/admin/picker.css"]}
        js = ["posts/admin/picker.js"]

    # Roles: a picture shows wherever an entry uses it, so whoever may not edit one of those
    # entries may not change it either (its file or alt text would change a page they may not).

    def _entries_using(self, image: Image) -> QuerySet[Entry]:
        return Entry.objects.filter(
            Q(images=image) | Q(cover=image) | Q(social_image=image)
        ).distinct()

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

    @admin.display(description=_("Markdown"))
    def markdown(self, image: Image) -> str:
        if not image.pk:
            return _("Shown once the picture is saved.")
        return format_html(
            '<span class="copy-markdown"><input type="text" readonly value="{}" '
            'aria-label="{}" class="vTextField copy-markdown-text" spellcheck="false">'
            '<button type="button" class="button copy-markdown-button" data-copied="{}" '
            'data-failed="{}">{}</button>'
            '<span class="copy-markdown-status" role="status"></span></span>',
            picture_markdown(image.alt, image.file.url),
            _("Markdown for this picture"),
            _("Copied: paste it into an entry's text."),
            _("Select the text and copy it yourself."),
            _("Copy"),
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
        picker = path(
            "picker/", self.admin_site.admin_view(self.picker_view), name="posts_image_picker"
        )
        return [drop, picker, *super().get_urls()]

    def picker_view(self, request: HttpRequest) -> JsonResponse:
        """One page of pictures for the editor's picker, searched, in a fixed number of queries."""
        if not can_pick_pictures(request.user):
            return JsonResponse({"error": str(_("You may not browse pictures."))}, status=403)
        query = " ".join(request.GET.get("q", "").split())[:200]
        images = Image.objects.all()
        for word in query.split()[:PICKER_MAX_WORDS]:
            images = images.filter(
                Q(alt_text__icontains=word) | Q(caption__icontains=word) | Q(file__icontains=word)
            )
        uses = Entry.objects.only("title", "author")
        images = images.prefetch_related(
            Prefetch("used_in", queryset=uses),
            # With cover_id: the prefetch reads it to match entries to pictures.
            Prefetch("cover_of", queryset=uses.only("title", "author", "cover")),
        )
        page = Paginator(images, PICKER_PAGE_SIZE).get_page(request.GET.get("page"))
        entry_admin = self.admin_site.get_model_admin(Entry)
        return JsonResponse(
            {
                "query": query,
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "images": [self._picked(request, entry_admin, image) for image in page],
            }
        )

    def _picked(self, request: HttpRequest, entry_admin, image: Image) -> dict:
        # Only the entries this user may open are named, as on the change page.
        uses = {entry.pk: (entry, False) for entry in image.used_in.all()}
        uses.update({entry.pk: (entry, True) for entry in image.cover_of.all()})
        seen = [
            {
                "title": entry.title,
                "url": reverse("admin:posts_entry_change", args=[entry.pk]),
                "cover": cover,
            }
            for entry, cover in uses.values()
            if entry_admin.has_view_permission(request, entry)
        ]
        return {
            "id": image.pk,
            "alt": image.alt_text,
            "decorative": image.decorative,
            "caption": image.caption,
            "name": image.file.name.rsplit("/", 1)[-1],
            "width": image.width,
            "height": image.height,
            "thumbnail": sized_url(image, 160),
            "markdown": picture_markdown(image.alt, image.file.url),
            "used_in": seen,
            "hidden_uses": len(uses) - len(seen),
        }

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
        # A picture uploaded before keeps its alt text; a new one has none yet.
        return JsonResponse(
            {"image_code": picture_markdown(image.alt, image.file.url), "id": image.pk}
        )
