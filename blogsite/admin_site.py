"""The admin's front page and sidebar: one "Blog" section for writers, internals for superusers.

Django lists each installed app as its own section, so tags (django-taggit's) would sit
under their own heading apart from the entries they label, and a library's tables
(django-axes' sign-in records) would sit beside them. This site groups what writers use
and shows libraries' internals to superusers only. It lives in the project, not in
posts.admin: Django builds the default site while it imports posts.admin, so the site's
class must import without it (it imports Django alone).
"""

from django.contrib import admin
from django.http import HttpRequest

# The apps whose models make up the "Blog" section, and the order writers look for them in.
BLOG_APPS = ("posts", "taggit")
BLOG_ORDER = (
    "Entry",
    "Page",
    "Series",
    "AuthorProfile",
    "Image",
    "Tag",
    "Redirect",
    "SiteSettings",
)
# Libraries' own records: shown to superusers only, whatever a group's permissions say.
INTERNAL_APPS = ("axes", "django_tasks_database", "django_tasks_db", "sessions", "contenttypes")


def _blog_position(model: dict) -> tuple[int, str]:
    name = model["object_name"]
    return (BLOG_ORDER.index(name) if name in BLOG_ORDER else len(BLOG_ORDER), model["name"])


class BlogAdminSite(admin.AdminSite):
    """Django's admin site with the app list regrouped (see the module's docstring)."""

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        apps = super().get_app_list(request)
        if not request.user.is_superuser:
            apps = [app for app in apps if app["app_label"] not in INTERNAL_APPS]
        blog = [app for app in apps if app["app_label"] in BLOG_APPS]
        rest = [app for app in apps if app["app_label"] not in BLOG_APPS]
        if blog:
            # The posts app names the section and its page; taggit's Tag joins it.
            main = next((app for app in blog if app["app_label"] == "posts"), blog[0])
            section = {**main, "models": sorted(
                (model for app in blog for model in app["models"]), key=_blog_position
            )}  # fmt: skip
            rest.insert(0, section)
        if app_label is None:
            return rest
        wanted = "posts" if app_label in BLOG_APPS else app_label
        return [app for app in rest if app["app_label"] == wanted]
