from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Put the blog's name, tagline and this page's canonical address into every template."""
    canonical = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and int(page) > 1:
        canonical += f"?page={int(page)}"
    return {
        "site_title": settings.BLOGSITE_TITLE,
        "site_tagline": settings.BLOGSITE_TAGLINE,
        "canonical_url": canonical,
    }
