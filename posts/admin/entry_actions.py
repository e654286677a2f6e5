"""The entry list's bulk actions: publish now, back to draft, add or remove a tag."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.models import Tag

from posts.editorial.checks import prepublish_warnings
from posts.editorial.revisions import record_revision
from posts.models import Entry

TAG_ACTION_TITLES = {
    "add_tag": _("Add a tag to the selected entries"),
    "remove_tag": _("Remove a tag from the selected entries"),
}


class TagNameForm(forms.Form):
    """The tag that add_tag and remove_tag ask for before they change anything."""

    tag = forms.CharField(max_length=100, label=_("Tag"), help_text=_("One tag name."))


class EntryActionsMixin:
    """EntryAdmin's actions; their permissions are its has_*_permission methods."""

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
                    # A form opened before this change must not save its old tags over it:
                    # the edit-conflict check compares updated_at.
                    Entry.objects.filter(pk=entry.pk).update(updated_at=timezone.now())
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
