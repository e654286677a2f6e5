"""What machines ask for: robots.txt and the health check."""

import secrets

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Let crawlers in everywhere but the admin and search, and tell them where the sitemap is."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('posts:search')}",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Say whether the database and the cache answer: 200 if both do, 503 naming what fails."""
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    body = {name: "ok" if ok else "failed" for name, ok in checks.items()}
    response = JsonResponse(body, status=200 if all(checks.values()) else 503)
    response.headers["Cache-Control"] = "no-store"
    return response


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _cache_answers() -> bool:
    key, token = "healthz", secrets.token_hex(8)
    try:
        cache.set(key, token, 10)
        return cache.get(key) == token  # a cache that drops errors answers None here
    except Exception:  # any backend's own failure: the answer is "no"
        return False
