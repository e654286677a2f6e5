from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.static import serve

from posts.sitemaps import SITEMAPS
from posts.views import healthz, robots_txt

admin.site.site_header = f"{settings.BLOGSITE_TITLE} admin"
admin.site.site_title = settings.BLOGSITE_TITLE


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every page, the admin's too."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("admin/", admin.site.urls),
    path("", include("posts.urls")),
]


def media(request: HttpRequest, path: str) -> HttpResponse:
    """Serve an upload from MEDIA_ROOT, as it is set at the time of the request."""
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as err:  # a name too long for the file system, say: no such file
        raise Http404("No such upload.") from err
    # Renditions keep their names when rebuilt, so a day, not forever.
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


if settings.BLOGSITE_SERVE_MEDIA:
    # Uploads from MEDIA_ROOT on a one-box install; off when a web server or S3 serves them.
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media, name="media")]
