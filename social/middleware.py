"""Content negotiation on entry pages: the same address is an Article for the social web
and the page for browsers.

After the page cache in MIDDLEWARE: the page cache never answers, nor stores, a request whose
Accept asks for ActivityPub JSON (posts.delivery.cache.wants_alternate), and entry pages say
`Vary: Accept` so that no other cache mixes the two up either.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from posts.delivery.cache import ALTERNATE_TYPES as ACTIVITY_TYPES
from posts.models import Entry
from social.documents import article
from social.responses import activity_response, error

NEGOTIATED_VIEWS = {"posts:entry"}


def wants_activity(request: HttpRequest) -> bool:
    """Return True if the request's Accept asks for ActivityStreams JSON before HTML."""
    accept = request.headers.get("Accept", "").lower()
    for choice in accept.split(","):
        kind = choice.split(";", 1)[0].strip()
        if kind in ACTIVITY_TYPES:
            return kind == "application/activity+json" or "activitystreams" in choice
        if kind in ("text/html", "application/xhtml+xml"):
            return False
    return False


class ActivityNegotiationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in NEGOTIATED_VIEWS:
            patch_vary_headers(response, ["Accept"])
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match.view_name not in NEGOTIATED_VIEWS or not wants_activity(request):
            return None
        if request.method not in ("GET", "HEAD"):
            return None
        entry = Entry.for_page(view_kwargs.get("slug", ""))
        if entry is None or not entry.is_published:
            return error(404, "no published entry at this address")
        return activity_response(article(entry))
