"""Old addresses answered with a 301: imported permalinks, WordPress's ?p=ID, renamed tags."""

from urllib.parse import quote, unquote, urlsplit

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from posts.security import unavailable_response

# WordPress's query-string addresses: /?p=12 and /?page_id=7 still circulate in old links.
LEGACY_QUERY_KEYS = ("p", "page_id")


def has_control_characters(text: str) -> bool:
    """Return True if text holds a space, a line break or another control character."""
    return any(ord(char) < 0x21 or ord(char) == 0x7F for char in text)


def normalize_path(address: str) -> str:
    """Return the form an old address is stored in: the decoded path (as request.path
    gives it), and only a legacy query."""
    parts = urlsplit(address.strip())
    path = unquote(parts.path) or "/"
    if not path.startswith("/"):
        path = "/" + path
    for key in LEGACY_QUERY_KEYS:
        for pair in parts.query.split("&"):
            name, _, value = pair.partition("=")
            if name == key and value:
                return f"{path}?{key}={value}"
    return path


def is_safe_target(target: str) -> bool:
    """Return True for a path on this site or an http(s) address; never javascript: or //host."""
    if has_control_characters(target):
        return False  # a line break here splits headers and the _redirects file
    parts = urlsplit(target)
    if parts.scheme:
        return parts.scheme in ("http", "https") and bool(parts.netloc)
    return target.startswith("/") and not target.startswith("//") and "\\" not in target


def is_storable_path(old_path: str) -> bool:
    """Return True for an old address that can be stored: /…, no spaces or line breaks."""
    return old_path.startswith("/") and not has_control_characters(old_path)


def rule_address(address: str) -> str:
    """Return an address as a redirects file line holds it: percent-encoded, no spaces."""
    return quote(address, safe=":/?#[]@!$&'()*+,;=%~")


def public_destination(redirect) -> str | None:
    """Return where a reader may be sent: never to a draft or scheduled entry's address."""
    if redirect.entry_id:
        return redirect.entry.get_absolute_url() if redirect.entry.is_published else None
    return redirect.target if is_safe_target(redirect.target) else None


def legacy_query(request: HttpRequest) -> str | None:
    """Return the stored form of a WordPress ?p= or ?page_id= address, or None."""
    for key in LEGACY_QUERY_KEYS:
        value = request.GET.get(key)
        # No stored address holds a NUL, and PostgreSQL would refuse to look one up.
        if value and "\x00" not in value:
            return f"{request.path}?{key}={value}"
    return None


def find(paths: list[str]):
    """Return the first Redirect stored for any of these paths, or None."""
    from posts.models import Redirect

    # A NUL byte is in no stored address, and PostgreSQL refuses it in a query.
    paths = [path for path in paths if "\x00" not in path]
    if not paths:
        return None
    found = {
        redirect.old_path: redirect
        for redirect in Redirect.objects.filter(old_path__in=paths).select_related("entry")
    }
    for path in paths:
        if path in found:
            return found[path]
    return None


def candidates(path: str) -> list[str]:
    """Return the stored forms to look up for a request path: as is, with and without a slash."""
    if path.endswith("/") and path != "/":
        return [path, path.rstrip("/")]
    return [path, path + "/"]


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
