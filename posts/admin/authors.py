"""Authors in the admin: public profiles, and the ordered byline inline of the entry form.

Editors manage every profile; an Author sees and edits only their own.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from posts.editorial.roles import can_edit_others
from posts.models import AuthorProfile, EntryAuthor, public_name


def writers() -> QuerySet:
    """Return the people a byline may name, by name: every account (readers have none here;
    imported authors have accounts that never log in)."""
    return get_user_model().objects.order_by("first_name", "last_name", "username")


class PersonChoiceField(forms.ModelChoiceField):
    """A user shown by their public name, with the login name to tell two namesakes apart."""

    def label_from_instance(self, user) -> str:
        name = public_name(user)
        return name if name == user.get_username() else f"{name} ({user.get_username()})"


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    """Profiles readers see at /authors/<slug>/."""

    list_display = ["__str__", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["display_name", "slug", "user__username", "user__first_name"]
    prepopulated_fields = {"slug": ["display_name"]}
    # A plain list of people, not an autocomplete: that would need the permission to
    # browse user accounts, which editors do not hold.
    autocomplete_fields = ["avatar"]
    fields = ["user", "display_name", "slug", "bio", "avatar", "website", "mastodon", "github"]
    # An address typed without its scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuthorProfile]:
        profiles = super().get_queryset(request)
        if not can_edit_others(request.user):
            profiles = profiles.filter(user=request.user)
        return profiles

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not can_edit_others(request.user):
            readonly.append("user")  # an Author's own profile stays their own
        return readonly

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = writers()
            kwargs["form_class"] = PersonChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "bio" in form.base_fields:
            form.base_fields["bio"].widget = forms.Textarea(attrs={"rows": 6})
        return form


class BylineFormSet(forms.BaseInlineFormSet):
    """The entry's authors: at least one, each once."""

    # False for whoever may not change the byline: it is shown, not sent back.
    enforce = True

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or not self.enforce:
            return
        users = [
            form.cleaned_data["user"]
            for form in self.forms
            if form.cleaned_data.get("user") and not form.cleaned_data.get("DELETE")
        ]
        if not users:
            raise forms.ValidationError(_("An entry needs at least one author."), code="no_author")
        if len(set(users)) != len(users):
            raise forms.ValidationError(_("Each author is named once."), code="twice")


class EntryAuthorInline(admin.TabularInline):
    """The byline, in the order of the numbers (lower first). Only editors change it."""

    model = EntryAuthor
    formset = BylineFormSet
    fields = ["user", "position"]
    extra = 0
    verbose_name = _("author")
    verbose_name_plural = _("authors (in byline order)")

    def _may_change(self, request: HttpRequest) -> bool:
        return can_edit_others(request.user)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_change(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_change(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_change(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return True  # the entry's own permissions decide whether the page opens at all

    def get_min_num(self, request: HttpRequest, obj=None, **kwargs) -> int:
        return 1 if self._may_change(request) else 0

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = writers()
            kwargs["form_class"] = PersonChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"enforce": self._may_change(request)})
