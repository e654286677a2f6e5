from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.static import serve

from blogsite.password_reset import StaffPasswordResetView
from posts.delivery import sitemaps
from posts.views import healthz, robots_txt
from social import urls as social_urls

admin.site.site_header = f"{settings.BLOGSITE_TITLE} admin"
admin.site.site_title = settings.BLOGSITE_TITLE
# The reset pages are Django's auth views in the admin's templates: they get its header too.
ADMIN_FRAME = {"site_header": admin.site.site_header, "site_title": admin.site.site_title}


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every page, the admin's too."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<slug:section>-<int:page>.xml", sitemaps.section, name="sitemap-page"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap-section"),
    # Staff password reset by email, with Django's own views and the admin's templates. The
    # name admin_password_reset puts "Forgotten your password?" on the admin's login page.
    path(
        "admin/password_reset/",
        StaffPasswordResetView.as_view(extra_context=ADMIN_FRAME),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(extra_context=ADMIN_FRAME),
        name="password_reset_done",
    ),
    path(
        "admin/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(extra_context=ADMIN_FRAME),
        name="password_reset_confirm",
    ),
    path(
        "admin/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(extra_context=ADMIN_FRAME),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("subscribe/", include("subscribers.urls")),
    path("stats/", include("stats.urls")),
    path("social/", include("social.urls")),
    path("", include((social_urls.well_known, "social"), namespace="social-root")),
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
