"""The subscribers in the admin: the list with counts per day, CSV in and out, and each
entry's mailing (hold it, send a test to yourself, follow its progress)."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from posts.models import Entry
from subscribers import csvio
from subscribers.delivery import send_test
from subscribers.models import Mailing, Subscriber

# A hidden field the entry's panel sends: after the action, go back to the entry.
FROM_ENTRY = "_from_entry"


def back_to_entry(entry_id: int) -> HttpResponse:
    return redirect(reverse("admin:posts_entry_change", args=[entry_id]))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Ghost, Substack or Mailchimp exports, or email,confirmed,consent_at,tags. An "
            "address is confirmed only if the file says so and gives a consent date."
        ),
    )


def _export_action(kind: str):
    def export(modeladmin, request: HttpRequest, queryset) -> HttpResponse:
        response = HttpResponse(csvio.export_csv(queryset, kind), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{kind}.csv"'
        return response

    export.__name__ = f"export_{kind}"
    export.short_description = _("Export the selected as %(kind)s CSV") % {"kind": kind.title()}
    return export


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "all_tags",
        "source",
        "created_at",
        "consent_at",
        "bounces",
    ]
    list_filter = ["status", "source", "all_tags"]
    search_fields = ["email"]
    readonly_fields = ["email_hash", "created_at", "unsubscribed_at", "source"]
    fields = [
        "email", "status", "all_tags", "tags", "consent_at", "bounces", "source", "created_at",
        "unsubscribed_at", "email_hash",
    ]  # fmt: skip
    filter_horizontal = ["tags"]
    actions = [_export_action(kind) for kind in csvio.FORMATS]
    change_list_template = "admin/subscribers/subscriber/change_list.html"

    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="subscribers_subscriber_import",
            )
        ]
        return own + super().get_urls()

    def save_model(self, request, obj, form, change) -> None:
        if obj.email:
            obj.set_email(obj.email.strip().lower())
        super().save_model(request, obj, form, change)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        since = timezone.now() - timedelta(days=14)
        per_day = (
            Subscriber.objects.filter(created_at__gte=since)
            .annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(
                signed_up=Count("pk"),
                confirmed=Count("pk", filter=Q(status=Subscriber.Status.CONFIRMED)),
            )
            .order_by("-day")
        )
        totals = dict(Subscriber.objects.values_list("status").annotate(n=Count("pk")).order_by())
        extra_context = {
            **(extra_context or {}),
            "per_day": list(per_day),
            "totals": [(label, totals.get(value, 0)) for value, label in Subscriber.Status.choices],
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return redirect("admin:subscribers_subscriber_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = csvio.import_csv(form.cleaned_data["file"].read(csvio.MAX_BYTES + 1))
            level = messages.WARNING if report.problems else messages.SUCCESS
            self.message_user(
                request,
                _(
                    "%(added)d added (%(confirmed)d confirmed), %(unchanged)d already here, "
                    "%(blocked)d refused because they had unsubscribed."
                )
                % vars(report),
                level,
            )
            for problem in report.problems[:20]:
                self.message_user(request, problem, messages.WARNING)
            return redirect("admin:subscribers_subscriber_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("Import subscribers"),
        }
        return TemplateResponse(request, "admin/subscribers/subscriber/import.html", context)


class MailingForm(forms.ModelForm):
    class Meta:
        model = Mailing
        fields = ["entry", "state"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # Before publishing, an editor can only hold an entry back.
            self.fields["state"].choices = [(Mailing.State.HOLD, Mailing.State.HOLD.label)]
            self.fields["entry"].queryset = Entry.objects.filter(mailing__isnull=True)
            self.fields["entry"].help_text = _("An entry not e-mailed yet.")


class TestForm(forms.Form):
    entry = forms.ModelChoiceField(
        queryset=Entry.objects.order_by("-updated_at"),
        help_text=_("Drafts too: the message as subscribers would get it, sent only to you."),
    )


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    form = MailingForm
    list_display = ["entry", "state", "queued", "sent", "failed", "created_at", "finished_at"]
    list_filter = ["state"]
    search_fields = ["entry__title"]
    list_select_related = ["entry"]
    change_list_template = "admin/subscribers/mailing/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).with_progress()

    def response_add(self, request: HttpRequest, obj: Mailing, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        # Held from the entry's own form (subscribers/templatetags/subscribers_admin.py).
        return back_to_entry(obj.entry_id) if FROM_ENTRY in request.POST else response

    @admin.display(description=_("queued"), ordering="queued_count")
    def queued(self, obj) -> int:
        return obj.queued_count

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent(self, obj) -> int:
        return obj.sent_count

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed(self, obj) -> int:
        return obj.failed_count

    def get_readonly_fields(self, request, obj=None):
        return ["entry", "state"] if obj and obj.state != Mailing.State.HOLD else []

    def get_urls(self):
        own = [
            path(
                "test/",
                self.admin_site.admin_view(self.test_view),
                name="subscribers_mailing_test",
            )
        ]
        return own + super().get_urls()

    def test_view(self, request: HttpRequest) -> HttpResponse:
        # The test may be of anyone's draft: only those who may follow mailings send one.
        if not self.has_view_permission(request):
            raise PermissionDenied
        initial = {"entry": request.GET.get("entry")} if request.GET.get("entry") else None
        form = TestForm(request.POST or None, initial=initial)
        if not request.user.email:
            self.message_user(
                request, _("Add an e-mail address to your account first."), messages.ERROR
            )
        elif request.method == "POST" and form.is_valid():
            try:
                send_test(form.cleaned_data["entry"], request.user.email)
            except OSError as err:
                self.message_user(request, _("The mail server said: %s") % err, messages.ERROR)
            else:
                self.message_user(
                    request,
                    format_html("A test was sent to {}.", request.user.email),
                    messages.SUCCESS,
                )
                if FROM_ENTRY in request.POST:
                    return back_to_entry(form.cleaned_data["entry"].pk)
                return redirect(reverse("admin:subscribers_mailing_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("Send a test to me"),
        }
        return TemplateResponse(request, "admin/subscribers/mailing/test.html", context)
