"""Old addresses answered with a 301: imported permalinks, WordPress's ?p=ID, renamed tags."""

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from posts.delivery.security import unavailable_response
from posts.delivery.sitemaps import is_sitemap_request
from posts.models import Redirect
from posts.models.redirect import LEGACY_QUERY_KEYS, candidates, is_safe_target


def public_destination(redirect) -> str | None:
    """Return where a reader may be sent: never to a draft or scheduled entry's address."""
    if redirect.entry_id:
        return redirect.entry.get_absolute_url() if redirect.entry.is_published else None
    if redirect.page_id:
        return redirect.page.get_absolute_url() if redirect.page.is_published else None
    return redirect.target if is_safe_target(redirect.target) else None


def legacy_query(request: HttpRequest) -> str | None:
    """Return the stored form of a WordPress ?p= or ?page_id= address, or None."""
    for key in LEGACY_QUERY_KEYS:
        value = request.GET.get(key)
        # No stored address holds a NUL, and PostgreSQL would refuse to look one up.
        if value and "\x00" not in value:
            # On a sitemap, ?p= is the sitemap's page.
            return None if is_sitemap_request(request) else f"{request.path}?{key}={value}"
    return None


def find(paths: list[str]):
    """Return the first Redirect stored for any of these paths, or None."""
    # A NUL byte is in no stored address, and PostgreSQL refuses it in a query.
    paths = [path for path in paths if "\x00" not in path]
    if not paths:
        return None
    found = {
        redirect.old_path: redirect
        for redirect in Redirect.objects.filter(old_path__in=paths).select_related("entry", "page")
    }
    for path in paths:
        if path in found:
            return found[path]
    return None


class RedirectMiddleware:
    """A page that is not found, or a WordPress ?p=ID, is looked up among the old addresses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        legacy = legacy_query(request) if request.method in ("GET", "HEAD") else None
        if legacy:
            redirect = _find_or_none([legacy])
            destination = redirect and public_destination(redirect)
            if destination:
                return HttpResponsePermanentRedirect(destination)
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        try:
            redirect = find(candidates(request.path))
        except (OperationalError, InterfaceError):
            # The old address may well be stored: "try again later", not "gone".
            return unavailable_response()
        destination = redirect and public_destination(redirect)
        if not destination or destination == request.path:
            return response
        return HttpResponsePermanentRedirect(destination)


def _find_or_none(paths: list[str]):
    # A database that is down must not turn a page into a 500: the view then answers 503.
    try:
        return find(paths)
    except (OperationalError, InterfaceError):
        return None
