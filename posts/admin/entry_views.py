"""An entry's pages beyond the form: live preview, revisions, restore, previews, autosave."""

from functools import update_wrapper

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from posts.editorial.autosave import (
    AutosaveRefused,
    autosave_diffs,
    clean_text,
    discard_autosave,
    entry_version,
    last_saved,
    mark_present,
    offered_autosave,
    others_present,
    prune_autosaves,
    saved_tokens,
    store_autosave,
    take_autosave_turn,
    when_text,
)
from posts.editorial.live_preview import preview_response, refusal_html
from posts.editorial.previews import revoke_previews
from posts.editorial.revisions import (
    changed_fields,
    diff_html,
    entry_snapshot,
    restore_revision,
)
from posts.models import Entry


class EntryViewsMixin:
    """EntryAdmin's extra URLs and the views behind them."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "markdownify/",
                self.preview_view(self.markdownify_view),
                name="posts_entry_markdownify",
            ),
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
            path(
                "autosave/",
                self.json_view(self.autosave_new_view),
                name="posts_entry_autosave_new",
            ),
            path(
                "<path:object_id>/autosave/",
                self.json_view(self.autosave_view),
                name="posts_entry_autosave",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, view):
        """Wrap the live preview as the admin does, but answer an ended session with a note:
        the preview pane shows whatever comes back, and the admin would send its login page."""

        def wrapped(request: HttpRequest) -> HttpResponse:
            if not self.admin_site.has_permission(request):
                note = _(
                    "Your session has ended, so the preview is not shown. Log in again in "
                    "another tab: the text you are writing stays here."
                )
                return HttpResponse(refusal_html(str(note)), status=403)
            return view(request)

        return csrf_protect(never_cache(update_wrapper(wrapped, view)))

    def markdownify_view(self, request: HttpRequest) -> HttpResponse:
        """The editor's live preview: the same pipeline the saved entry goes through, bounded."""
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return preview_response(request)

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
        # PageAdmin uses this view too: back to whichever change form it came from.
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", entry.pk)

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

    # Autosave (posts.editorial.autosave): JSON endpoints the entry form's script calls.

    def json_view(self, view):
        """Wrap an endpoint of the form's script: POST only, staff only, CSRF checked, JSON
        errors. The admin's own wrapper would answer an ended session with the login page
        and a stale token with an HTML 403, which a script cannot tell apart from success."""
        csrf_check = CsrfViewMiddleware(lambda request: None)

        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method != "POST":
                answer = {"error": _("Use POST."), "code": "method"}
                return JsonResponse(answer, status=405, headers={"Allow": "POST"})
            if not self.admin_site.has_permission(request):
                return JsonResponse(
                    {
                        "error": _("Your session has ended: log in again to keep saving."),
                        "code": "login",
                        "login_url": reverse("admin:login", current_app=self.admin_site.name),
                    },
                    status=403,
                )
            try:
                if csrf_check.process_view(request, None, (), {}) is not None:
                    return JsonResponse(
                        {
                            "error": _("This page's security token is out of date: log in again."),
                            "code": "csrf",
                            "login_url": reverse("admin:login", current_app=self.admin_site.name),
                        },
                        status=403,
                    )
                return view(request, *args, **kwargs)
            except AutosaveRefused as err:
                headers = {"Retry-After": str(err.retry_after)} if err.retry_after else None
                return JsonResponse(
                    {"error": err.message, "code": err.code}, status=err.status, headers=headers
                )
            except RequestDataTooBig:
                return JsonResponse(
                    {"error": _("This text is too large to autosave."), "code": "too_large"},
                    status=413,
                )

        # The CSRF check is made above, so that a stale token is answered in JSON too.
        return csrf_exempt(never_cache(update_wrapper(wrapped, view)))

    def autosave_new_view(self, request: HttpRequest) -> HttpResponse:
        """Keep (or discard) the user's autosave of the add form."""
        if not self.has_add_permission(request):
            raise AutosaveRefused(_("You may not add entries."), 403, "forbidden")
        return self._autosave_answer(request, None)

    def autosave_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Keep (or discard) the user's autosave of an entry; say who else has it open."""
        # The admin's queryset (roles applied), without the tags its lists prefetch.
        entries = self.get_queryset(request).prefetch_related(None)
        numeric = object_id.isascii() and object_id.isdigit()  # "²" is a digit, not a number
        entry = entries.filter(pk=unquote(object_id)).first() if numeric else None
        if entry is None:
            raise AutosaveRefused(_("No such entry, or not one of yours."), 404, "not_found")
        if not self.has_change_permission(request, entry):
            raise AutosaveRefused(_("You may not change this entry."), 403, "forbidden")
        return self._autosave_answer(request, entry)

    def _autosave_answer(self, request: HttpRequest, entry: Entry | None) -> JsonResponse:
        wait = take_autosave_turn(request.user)
        if wait:
            raise AutosaveRefused(
                _(
                    "Autosaves are coming too fast: the next one is in %(wait)s seconds. "
                    "Your text is kept in this browser meanwhile."
                )
                % {"wait": wait},
                429,
                "rate",
                retry_after=wait,
            )
        action = request.POST.get("action", "save")
        answer = {}
        if action == "save":
            autosave = store_autosave(request.user, entry, clean_text(request.POST))
            answer["saved_at"] = when_text(autosave.saved_at)
        elif action == "discard":
            answer["discarded"] = discard_autosave(request.user, entry)
        elif action != "heartbeat":
            raise AutosaveRefused(
                _("Unknown action: use save, discard or heartbeat."), 400, "invalid"
            )
        if entry is not None:
            mark_present(entry, request.user)
            answer.update(
                version=entry_version(entry),
                last_saved=last_saved(entry),
                others=others_present(entry, request.user),
            )
        return JsonResponse(answer)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """Give the form's autosave what it needs: addresses, an autosave to offer, who else
        has the entry open."""
        writable = (
            self.has_change_permission(request, obj)
            if obj is not None
            else self.has_add_permission(request)
        )
        if writable:
            context["autosave"] = self._autosave_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _autosave_context(self, request: HttpRequest, entry: Entry | None) -> dict:
        prune_autosaves()
        user = request.user
        # A form drawn again after a refused save holds the writer's text: nothing to offer.
        offered = offered_autosave(user, entry) if request.method == "GET" else None
        data = {
            "url": reverse("admin:posts_entry_autosave", args=[entry.pk])
            if entry is not None
            else reverse("admin:posts_entry_autosave_new"),
            "login_url": reverse("admin:login", current_app=self.admin_site.name),
            "storage_key": f"blogsite-autosave:{user.pk}:{entry.pk if entry else 'new'}",
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "saved_tokens": saved_tokens(request),
            "entry": entry is not None,
            "posted": request.method == "POST",
            "offered": offered.text() if offered is not None else None,
        }
        context = {"data": data, "offered": offered}
        if offered is not None:
            context["offered_when"] = when_text(offered.saved_at)
            context["diffs"] = autosave_diffs(offered, entry)
        if entry is not None:
            context["others"] = others_present(entry, user)
            context["last_saved"] = last_saved(entry)
            context["newer_than_save"] = offered is not None and offered.saved_at > entry.updated_at
            mark_present(entry, user)
        return context
