"""The moderation queue (bulk approve, spam, delete; everything by one e-mail; replying from
the comment), each entry's comment switch, and the Webmentions entries sent.

Kept out of the entry's own form on purpose: inline formsets there would make every save of
an entry (the autosave, other apps' tests) carry their management data.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from comments import moderation
from comments.models import Comment, Discussion, SentMention


class CommentAdminForm(forms.ModelForm):
    reply = forms.CharField(
        label=_("Reply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published at once under this comment, in your name (Markdown subset)."),
    )

    website = forms.URLField(required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Comment
        fields = ["status", "name", "email", "website", "body"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentAdminForm
    list_display = ["summary", "name", "kind", "status", "entry_link", "created_at"]
    list_filter = ["status", "kind", "created_at"]
    list_select_related = ["entry"]
    search_fields = ["name", "email", "body", "source"]
    readonly_fields = ["in_context", "kind", "source", "created_at"]
    fields = ["in_context", "status", "name", "email", "website", "body", "kind", "source",
              "created_at", "reply"]  # fmt: skip
    actions = ["approve", "mark_spam", "delete_comments", "delete_by_email"]
    ordering = ["-created_at"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # ours also makes the entry's page fresh
        return actions

    @admin.display(description=_("Comment"))
    def summary(self, comment: Comment) -> str:
        return Truncator(comment.body or comment.get_kind_display()).chars(60)

    @admin.display(description=_("Entry"), ordering="entry__title")
    def entry_link(self, comment: Comment) -> str:
        return format_html(
            '<a href="{}">{}</a>', comment.entry.get_absolute_url(), comment.entry.title
        )

    @admin.display(description=_("In context"))
    def in_context(self, comment: Comment) -> str:
        parent = comment.parent
        answering = (
            format_html(
                "<p>Answering {}: <q>{}</q></p>", parent.name, Truncator(parent.body).chars(200)
            )
            if parent
            else ""
        )
        return format_html(
            '<p>On <a href="{}">{}</a></p>{}<blockquote class="comment-body">{}</blockquote>',
            comment.entry.get_absolute_url(),
            comment.entry.title,
            answering,
            format_html("{}", comment.body),
        )

    @admin.action(description=_("Approve the selected comments"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = moderation.set_status(queryset, Comment.Status.APPROVED)
        self.message_user(request, f"{count} approved.", messages.SUCCESS)

    @admin.action(description=_("Mark the selected comments as spam"), permissions=["change"])
    def mark_spam(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = moderation.set_status(queryset, Comment.Status.SPAM)
        self.message_user(request, f"{count} marked as spam.", messages.SUCCESS)

    @admin.action(description=_("Delete the selected comments"), permissions=["delete"])
    def delete_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        count = moderation.delete(queryset)
        self.message_user(request, f"{count} deleted.", messages.SUCCESS)

    @admin.action(
        description=_("Delete everything written from the selected comments' e-mail addresses"),
        permissions=["delete"],
    )
    def delete_by_email(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        emails = {
            email.lower() for email in queryset.exclude(email="").values_list("email", flat=True)
        }
        if not emails:
            self.message_user(
                request, "None of the selected comments has an e-mail address.", messages.WARNING
            )
            return
        everything = Comment.objects.none()
        for email in emails:
            everything |= Comment.objects.filter(email__iexact=email)
        count = moderation.delete(Comment.objects.filter(pk__in=everything.values("pk")))
        self.message_user(
            request, f"{count} deleted from {len(emails)} address(es).", messages.SUCCESS
        )

    def save_model(self, request, comment: Comment, form, change: bool) -> None:
        super().save_model(request, comment, form, change)
        moderation.pages_changed([comment.entry_id])
        text = form.cleaned_data.get("reply", "").strip()
        if text:
            Comment.objects.create(
                entry=comment.entry,
                parent=comment,
                name=request.user.get_full_name() or request.user.get_username(),
                email=request.user.email,
                body=text,
                status=Comment.Status.APPROVED,
            )

    def delete_model(self, request, comment: Comment) -> None:
        moderation.delete(Comment.objects.filter(pk=comment.pk))


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    """Per-entry switch: an entry with no row here takes comments until it is too old."""

    list_display = ["entry", "open"]
    list_editable = ["open"]
    list_select_related = ["entry"]
    autocomplete_fields = ["entry"]
    search_fields = ["entry__title"]


@admin.register(SentMention)
class SentMentionAdmin(admin.ModelAdmin):
    """What each entry's links were told, and what their sites answered (read only)."""

    list_display = ["target", "entry", "result", "status_code", "sent_at"]
    list_filter = ["result", "sent_at"]
    list_select_related = ["entry"]
    search_fields = ["entry__title", "target"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
