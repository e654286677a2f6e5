"""The social web's doors: WebFinger, NodeInfo, actors, the inbox, outboxes and followers.

Every answer is JSON; bad input gets a 4xx with a message saying what was wrong, never a 500.
"""

import json
import logging

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from posts.models import AuthorProfile, Entry
from social import documents
from social.inbox import apply, revive
from social.inbox_checks import Refused, check_request
from social.models import Follower
from social.responses import activity_response, error

log = logging.getLogger(__name__)

JRD = "application/jrd+json"
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"
PAGE_SIZE = 20


@require_GET
def webfinger(request: HttpRequest) -> HttpResponse:
    """RFC 7033: acct:blog@domain (or an actor's address) to the actor's document."""
    resource = request.GET.get("resource", "").strip()
    if not resource:
        return error(
            400, "the resource parameter is required, e.g. acct:blog@" + documents.domain()
        )
    local = _local_for_resource(resource)
    if local is None:
        return error(404, "no such account here")
    me = documents.actor_id(local)
    username = local or settings.SOCIAL_USERNAME
    profile_page = (
        documents.absolute(reverse("posts:index"))
        if not local
        else documents.absolute(reverse("posts:author", kwargs={"slug": local}))
    )
    answer = JsonResponse(
        {
            "subject": f"acct:{username}@{documents.domain()}",
            "aliases": [me, profile_page],
            "links": [
                {"rel": "self", "type": documents.ACTIVITY_JSON, "href": me},
                {
                    "rel": "http://webfinger.net/rel/profile-page",
                    "type": "text/html",
                    "href": profile_page,
                },
            ],
        },
        content_type=JRD,
    )
    answer.headers["Access-Control-Allow-Origin"] = "*"
    return answer


def _local_for_resource(resource: str) -> str | None:
    if resource.startswith("acct:"):
        user, _, host = resource[5:].lstrip("@").rpartition("@")
        if host.lower() != documents.domain().lower() or not user:
            return None
        if user.lower() == settings.SOCIAL_USERNAME.lower():
            return ""
        return user if documents.author_profile(user) is not None else None
    if resource == documents.actor_id():
        return ""
    from social.inbox import local_actor

    return local_actor(resource)


@require_GET
def nodeinfo_links(request: HttpRequest) -> JsonResponse:
    href = documents.absolute(reverse("social:nodeinfo"))
    return JsonResponse({"links": [{"rel": NODEINFO_SCHEMA, "href": href}]})


@require_GET
def nodeinfo(request: HttpRequest) -> JsonResponse:
    authors = AuthorProfile.objects.public().count() if settings.SOCIAL_AUTHOR_ACTORS else 0
    document = {
        "version": "2.1",
        "software": {
            "name": "blogsite",
            "version": "0.1.0",
            "homepage": "https://github.com/",
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]},
        "openRegistrations": False,
        "usage": {
            "users": {"total": 1 + authors},
            "localPosts": Entry.objects.published().count(),
        },
        "metadata": {"nodeName": settings.BLOGSITE_TITLE},
    }
    return JsonResponse(
        document,
        content_type=f'application/json; profile="{NODEINFO_SCHEMA}#"',
    )


@require_GET
def actor(request: HttpRequest) -> HttpResponse:
    return activity_response(documents.actor())


@require_GET
def author_actor(request: HttpRequest, slug: str) -> HttpResponse:
    profile = documents.author_profile(slug)
    if profile is None:
        raise Http404("No such actor.")
    return activity_response(documents.actor(slug, profile))


@require_GET
def note(request: HttpRequest, pk: int) -> HttpResponse:
    """A reply this blog sent elsewhere (social_reply), for servers that fetch it."""
    from social.models import SentNote
    from social.outgoing import note_document

    found = SentNote.objects.filter(pk=pk).first()
    if found is None:
        raise Http404("No such note.")
    return activity_response(note_document(found))


@csrf_exempt
@require_POST
def inbox(request: HttpRequest) -> HttpResponse:
    """Take one activity: signed, recent, its Digest matching, its actor the key's owner."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > settings.SOCIAL_INBOX_MAX_KB * 1024:
        return error(413, f"an activity is at most {settings.SOCIAL_INBOX_MAX_KB} KB")
    body = request.body
    try:
        activity = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        activity = None
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers.setdefault("host", request.get_host())
    try:
        checked = check_request("POST", request.build_absolute_uri(), headers, body, activity)
    except Refused as refused:
        if refused.status == 202:
            return HttpResponse(status=202)
        if refused.status == 400:
            return error(400, "the body is not a JSON object (an activity)")
        log.info("Inbox refused (%s): %s", refused.status, refused.message)
        answer = error(refused.status, refused.message)
        if refused.status == 429:
            answer.headers["Retry-After"] = "60"
        return answer
    revive(checked.actor)
    result = apply(checked)
    log.info("Inbox: %s from %s: %s", activity.get("type"), checked.actor.uri, result)
    return HttpResponse(status=202)


def _page_number(request: HttpRequest) -> int | None:
    page = request.GET.get("page")
    if page is None:
        return None
    if not page.isdigit() or int(page) < 1:
        raise ValueError("page must be a positive whole number")
    return int(page)


def _outbox(request: HttpRequest, local: str, entries) -> HttpResponse:
    collection = documents.outbox_id(local)
    try:
        number = _page_number(request)
    except ValueError as err:
        return error(400, str(err))
    paginator = Paginator(entries, PAGE_SIZE)
    if number is None:
        return activity_response(
            documents.ordered_collection(collection, paginator.count, f"{collection}?page=1")
        )
    try:
        page = paginator.page(number)
    except EmptyPage:
        return error(404, "no such page")
    items = [
        documents.wrap(
            "Create", local, documents.article(entry, local), f"{documents.entry_url(entry)}#create"
        )
        for entry in page.object_list
    ]
    following = f"{collection}?page={number + 1}" if page.has_next() else None
    return activity_response(
        documents.collection_page(f"{collection}?page={number}", collection, items, following)
    )


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    entries = Entry.objects.published().select_related("cover").prefetch_related("tags")
    return _outbox(request, "", entries.order_by("-published_at", "-pk"))


@require_GET
def author_outbox(request: HttpRequest, slug: str) -> HttpResponse:
    profile = documents.author_profile(slug)
    if profile is None:
        raise Http404("No such actor.")
    entries = (
        Entry.objects.published()
        .filter(bylines__user=profile.user_id)
        .select_related("cover")
        .prefetch_related("tags")
        .distinct()
    )
    return _outbox(request, slug, entries.order_by("-published_at", "-pk"))


def _followers(request: HttpRequest, local: str) -> HttpResponse:
    collection = documents.followers_id(local)
    follows = Follower.objects.filter(local=local, state=Follower.State.ACCEPTED)
    try:
        number = _page_number(request)
    except ValueError as err:
        return error(400, str(err))
    if not settings.SOCIAL_SHOW_FOLLOWERS:
        # Who follows is private by default: the count only.
        return activity_response(documents.ordered_collection(collection, follows.count(), None))
    paginator = Paginator(follows.order_by("pk").values_list("actor__uri", flat=True), PAGE_SIZE)
    if number is None:
        return activity_response(
            documents.ordered_collection(collection, paginator.count, f"{collection}?page=1")
        )
    try:
        page = paginator.page(number)
    except EmptyPage:
        return error(404, "no such page")
    following = f"{collection}?page={number + 1}" if page.has_next() else None
    return activity_response(
        documents.collection_page(
            f"{collection}?page={number}", collection, list(page.object_list), following
        )
    )


@require_GET
def followers(request: HttpRequest) -> HttpResponse:
    return _followers(request, "")


@require_GET
def author_followers(request: HttpRequest, slug: str) -> HttpResponse:
    if documents.author_profile(slug) is None:
        raise Http404("No such actor.")
    return _followers(request, slug)
