from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Put the blog's name and tagline into every template."""
    return {"site_title": settings.BLOGSITE_TITLE, "site_tagline": settings.BLOGSITE_TAGLINE}
