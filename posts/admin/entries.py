"""Entries in the admin: the Markdown form, who may see, edit and publish what, saving."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import AdminMarkdownxWidget

from posts.admin.authors import EntryAuthorInline
from posts.admin.entry_actions import EntryActionsMixin
from posts.admin.entry_filters import StateListFilter
from posts.admin.entry_views import EntryViewsMixin
from posts.editorial.autosave import entry_version, forget_on_save, save_conflict
from posts.editorial.checks import prepublish_warnings
from posts.editorial.previews import preview_path
from posts.editorial.revisions import entry_snapshot, record_revision
from posts.editorial.roles import can_edit_entry, can_edit_others, can_group_series, can_publish
from posts.models import Entry, EntryAuthor
from posts.models.entry import byline_rows


class HttpsURLField(forms.URLField):
    """An address field that takes one typed without its scheme as https (Django 6's default)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, each with a name: the field's label points at neither."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = _("Publish date")
        self.widgets[1].attrs["aria-label"] = _("Publish time")


class EntryAdminForm(forms.ModelForm):
    # The entry's version when the form was drawn (drawn by the autosave include): a save
    # over a newer one is refused. Empty (a script's POST) checks nothing.
    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Entry
        fields = [
            "title", "body", "tags", "cover", "excerpt", "status", "published_at", "slug",
            "series", "series_part",
            "seo_title", "meta_description", "social_image", "canonical_url",
        ]  # fmt: skip
        widgets = {"body": AdminMarkdownxWidget, "published_at": LabelledSplitDateTime}
        field_classes = {"canonical_url": HttpsURLField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = entry_version(self.instance)

    def clean(self) -> dict:
        cleaned = super().clean()
        # self.instance is the entry as stored when this request began.
        conflict = save_conflict(self.instance, cleaned.get("loaded_version", ""))
        if conflict:
            # The writer has now been told: a second, deliberate save goes through.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = entry_version(self.instance)
            raise forms.ValidationError(conflict, code="edit_conflict")
        return cleaned


@admin.register(Entry)
class EntryAdmin(EntryActionsMixin, EntryViewsMixin, admin.ModelAdmin):
    """Entries: the Markdown editor, roles enforced on every page, a revision per save."""

    form = EntryAdminForm
    # Four columns that fit a 1280 px screen beside the filters, none of them cut off.
    list_display = ["title", "state", "byline", "published_at"]
    list_filter = [StateListFilter, "published_at"]
    search_fields = ["title", "excerpt", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["cover", "social_image", "series"]
    inlines = [EntryAuthorInline]
    actions = ["publish_now", "make_draft", "add_tag", "remove_tag"]
    fieldsets = [
        (None, {"fields": ["title", "body", "tags", "cover", "excerpt"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "slug"]}),
        (_("Series"), {"fields": ["series", "series_part"]}),
        (
            _("Search and sharing"),
            {
                "classes": ["collapse"],
                "description": _(
                    "All optional: left blank, search engines and link previews get the "
                    "entry's title, excerpt, cover and address."
                ),
                "fields": ["seo_title", "meta_description", "social_image", "canonical_url"],
            },
        ),
    ]

    class Media:
        # The site's stylesheets are not here: they style the preview inside its own frame.
        css = {"all": ["posts/admin/editor.css", "posts/admin/inlines.css"]}
        js = [
            "posts/admin/editor.js",
            "posts/admin/preview.js",
            "posts/admin/wordcount.js",
            "posts/admin/grow.js",
            "posts/admin/select_labels.js",
            "posts/admin/inline_labels.js",
        ]

    # Roles: who sees, edits and publishes what. Enforced here, not only hidden in the page.

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entry]:
        entries = (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=byline_rows(), to_attr="byline_rows"))
        )
        if not can_edit_others(request.user):
            # An Author's entries are those they write or co-write.
            writes = EntryAuthor.objects.filter(entry=OuterRef("pk"), user=request.user)
            entries = entries.filter(Exists(writes))
        return entries

    def _owns(self, request: HttpRequest, entry: Entry) -> bool:
        return can_edit_entry(request.user, entry)

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
        if not can_group_series(request.user):
            readonly += ["series", "series_part"]
        return readonly

    def get_formset_kwargs(self, request: HttpRequest, obj, inline, prefix) -> dict:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, EntryAuthorInline) and obj.pk is None:
            # The one row min_num draws on the add form: whoever writes the entry.
            kwargs["initial"] = [{"user": request.user.pk, "position": 0}]
        return kwargs

    def save_model(self, request: HttpRequest, obj: Entry, form, change: bool) -> None:
        stored = Entry.objects.filter(pk=obj.pk).first() if change else None
        if stored is not None:
            obj._revision_before = entry_snapshot(stored)
        if stored is not None:
            obj.author_id = stored.author_id  # the byline decides (save_related)
        else:
            obj.author = request.user  # until save_related reads the byline
            # An editor's byline comes from the inline, saved next; an Author's is their own.
            obj.byline_from_form = can_edit_others(request.user)
        if not can_publish(request.user):
            obj.status = stored.status if stored is not None else Entry.Status.DRAFT
            obj.published_at = stored.published_at if stored is not None else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        entry = form.instance
        first = entry.bylines.order_by("position", "pk").first()
        if first is None:  # an Author's new entry, with the inline read-only
            EntryAuthor.objects.create(entry=entry, user_id=entry.author_id, position=0)
        elif first.user_id != entry.author_id:
            entry.set_authors([row.user for row in entry.bylines.order_by("position", "pk")])
        # After the tags are saved: the revision keeps them too.
        record_revision(entry, request.user, previous=getattr(entry, "_revision_before", None))
        forget_on_save(request, entry, added=not change)
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

    @admin.display(description=_("authors"))
    def byline(self, entry: Entry) -> str:
        return ", ".join(person.name for person in entry.byline_list)

    @admin.display(description=_("state"))
    def state(self, entry: Entry) -> str:
        if entry.is_scheduled:
            return _("Scheduled")
        return entry.get_status_display()
