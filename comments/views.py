"""The comment endpoint (preview, then send), the reply form, the signed delete link and the
Webmention endpoint.

None of these pages is cached or sets a cookie outside /comments/: the entry pages stay
cookie-free. Imports this app's modules and posts.models.
"""

import secrets
from functools import partial
from urllib.parse import urlsplit

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments import spam
from comments.delete_links import comment_from_token
from comments.forms import CommentForm
from comments.markup import render_comment
from comments.models import Comment, comments_open
from comments.moderation import (
    COMMENTER_COOKIE,
    delete,
    is_trusted,
    key_hash,
    received,
)
from comments.stamps import StampError, check_stamp, make_stamp, same_origin
from comments.webmention.receive import entry_for_target
from comments.webmention.tasks import verify_mention
from posts.delivery.proxy import client_address
from posts.models import Entry


def _private(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _refuse(request, entry: Entry, form: CommentForm, message: str, status: int) -> HttpResponse:
    """Show the person why, with the form as they filled it and a fresh stamp."""
    data = form.data.copy()
    data["stamp"] = make_stamp(entry.pk)
    data["homepage"] = ""
    kept = CommentForm(data=data)
    if message:
        kept.is_valid()  # field errors, if any, show beside the fields
    context = {"entry": entry, "form": kept, "message": message, "action": _action(entry)}
    return _private(render(request, "comments/refused.html", context, status=status))


def _preview(request, entry: Entry, form: CommentForm) -> HttpResponse:
    """The first step from a cached page: the comment as it will look, and a fresh stamp.

    The entry page carries no stamp (it would make every cached and published copy differ),
    so the clock of the timestamp check starts here.
    """
    data = form.data.copy()
    data["stamp"] = make_stamp(entry.pk)
    context = {
        "entry": entry,
        "form": CommentForm(data=data),
        "preview": render_comment(form.cleaned_data["body"]),
        "name": form.cleaned_data["name"],
        "action": _action(entry),
    }
    return _private(render(request, "comments/preview.html", context))


@csrf_exempt  # a cached page carries no token: the origin check and the stamp stand for it
@require_POST
def post_comment(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = Entry.objects.published().filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No entry takes comments here.")
    form = CommentForm(data=request.POST)
    if not comments_open(entry):
        return _refuse(request, entry, form, "Comments on this entry are closed.", 403)
    if not same_origin(request):
        return _refuse(
            request,
            entry,
            form,
            "The form must be sent from this site's page. Please try again.",
            403,
        )
    if not form.is_valid():
        return _refuse(request, entry, form, "Please correct the marked fields.", 400)
    data = form.cleaned_data
    refusal = (
        spam.honeypot(data["homepage"])
        or spam.too_many_links(data["body"])
        or spam.bad_patterns(data["body"], data["name"], data["website"])
        or spam.duplicate(entry.pk, data["body"])
    )
    if refusal:
        return _refuse(request, entry, form, refusal.message, refusal.status)
    if not data["stamp"]:
        return _preview(request, entry, form)
    try:
        check_stamp(data["stamp"], entry.pk)
    except StampError as err:
        return _refuse(request, entry, form, str(err), 400)
    # Counted only when a comment is really sent (a preview stores nothing).
    if refusal := spam.rate_limits(client_address(request) or "", entry.pk):
        return _refuse(request, entry, form, refusal.message, refusal.status)

    cookie = request.COOKIES.get(COMMENTER_COOKIE, "")
    if not (20 <= len(cookie) <= 100):
        cookie = secrets.token_urlsafe(24)
    comment = _store(entry, data, key_hash(cookie))
    if comment.status == Comment.Status.APPROVED:
        response = redirect(f"{entry.get_absolute_url()}#comment-{comment.pk}")
        response.status_code = 303
    else:
        response = render(request, "comments/received.html", {"entry": entry, "comment": comment})
    # Scoped to /comments/: readers' pages never see it, so they stay cached.
    response.set_cookie(
        COMMENTER_COOKIE,
        cookie,
        max_age=365 * 86400,
        path=reverse("comments:index"),
        httponly=True,
        samesite="Strict",
        secure=request.is_secure(),
    )
    return _private(response)


def _store(entry: Entry, data: dict, commenter: str) -> Comment:
    """Save a comment that passed every check: shown at once if its writer is trusted."""
    trusted = is_trusted(commenter, data["email"]) and not spam.doubts(
        data["body"], data["website"]
    )
    parent = None
    if data["parent"]:
        parent = Comment.objects.approved().filter(pk=data["parent"], entry=entry).first()
    with transaction.atomic():
        comment = Comment.objects.create(
            entry=entry,
            parent=parent,
            name=data["name"],
            email=data["email"],
            website=data["website"],
            body=data["body"],
            commenter_key=commenter,
            status=Comment.Status.APPROVED if trusted else Comment.Status.PENDING,
        )
        received(comment)
    return comment


@require_GET
def reply_form(request: HttpRequest, entry_id: int, parent_id: int) -> HttpResponse:
    """A form answering one comment, with a fresh stamp (the entry page stays the same for all)."""
    entry = get_object_or_404(Entry.objects.published(), pk=entry_id)
    parent = get_object_or_404(Comment.objects.approved(), pk=parent_id, entry=entry)
    if not comments_open(entry):
        raise Http404("Comments on this entry are closed.")
    form = CommentForm(initial={"parent": parent.pk, "stamp": make_stamp(entry.pk)})
    context = {"entry": entry, "parent": parent, "form": form, "action": _action(entry)}
    return _private(render(request, "comments/reply.html", context))


def _action(entry: Entry) -> str:
    return reverse("comments:post", kwargs={"entry_id": entry.pk})


@csrf_exempt  # the signed token in the address is the secret
@require_http_methods(["GET", "POST"])
def delete_comment(request: HttpRequest, token: str) -> HttpResponse:
    comment = comment_from_token(token)
    if comment is None:
        return _private(render(request, "comments/delete.html", {"gone": True}, status=404))
    if request.method == "POST":
        entry = comment.entry
        delete(Comment.objects.filter(pk=comment.pk))
        return _private(render(request, "comments/delete.html", {"deleted": True, "entry": entry}))
    return _private(render(request, "comments/delete.html", {"comment": comment}))


@csrf_exempt  # other sites post here: that is the protocol
@require_POST
def webmention(request: HttpRequest) -> HttpResponse:
    """Accept a Webmention for verification later; answer 202 at once."""
    if wait := spam.mention_rate_limit(client_address(request) or ""):
        response = HttpResponse("Too many Webmentions from this address for now.", status=429)
        response.headers["Retry-After"] = str(wait)
        return _private(response)
    source, target = request.POST.get("source", ""), request.POST.get("target", "")
    for url in (source, target):
        try:
            scheme = urlsplit(url).scheme
        except ValueError:  # "http://[": not a URL
            scheme = ""
        if scheme not in ("http", "https") or len(url) > 1000:
            return _private(HttpResponse("source and target must be http(s) URLs.", status=400))
    if source == target:
        return _private(HttpResponse("source and target are the same.", status=400))
    entry = entry_for_target(target)
    if entry is None:
        return _private(HttpResponse("target is not an entry of this site.", status=400))
    if not comments_open(entry) and not Comment.objects.filter(entry=entry, source=source).exists():
        return _private(HttpResponse("this entry takes no mentions now.", status=400))
    transaction.on_commit(partial(verify_mention.enqueue, source, target))
    return _private(HttpResponse("Accepted: the source will be checked.", status=202))


def index(request: HttpRequest) -> HttpResponse:
    """/comments/ itself: nothing to see, the entries are where comments are."""
    return redirect("posts:index")


def entry_comments(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(Entry.objects.published(), pk=entry_id)
    return redirect(f"{entry.get_absolute_url()}#comments")
