"""Response headers for the open internet, and a calm 503 when the database is away."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db.utils import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string

from posts.rendering.embeds import frame_sources

log = logging.getLogger(__name__)

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
RETRY_AFTER_SECONDS = 30


def content_security_policy() -> str:
    """Return the CSP: our own scripts only, iframes only from the embed allowlist."""
    media = urlsplit(settings.MEDIA_URL)
    media_origin = f" {media.scheme}://{media.netloc}" if media.netloc else ""
    frames = " ".join(frame_sources()) or "'none'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # Style attributes: the admin and its widgets set some; never scripts.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data:{media_origin}",
            f"frame-src {frames}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy and Permissions-Policy to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def add_static_headers(headers, path: str, url: str) -> None:
    """Give whitenoise's static files the pages' policy (WHITENOISE_ADD_HEADERS_FUNCTION).

    Whitenoise answers before the middleware that adds these, and an SVG opened on its own
    runs as a document: it gets the same CSP, and may no more be framed than a page.
    """
    headers["Content-Security-Policy"] = content_security_policy()
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS


def unavailable_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, not a stack trace, when the database is down or locked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, OperationalError | InterfaceError):
            log.warning("Database unavailable for %s: %s", request.path, exception)
            return unavailable_response()
        return None


class NulBytesMiddleware:
    """A path holding a NUL byte names nothing: the site's 404, before any lookup.

    PostgreSQL refuses NUL in text, so a lookup holding one (a tag slug, an old address)
    would otherwise be a 500 there, where SQLite quietly finds nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            raise Http404("No address holds a NUL byte.")
        return self.get_response(request)
