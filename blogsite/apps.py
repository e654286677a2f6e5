"""How this project installs Django's admin and three libraries: their names and admin site.

Kept out of the apps themselves: these are choices of the project that runs them (the
admin's grouping is blogsite.admin_site, named here by its dotted path only).
"""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django_tasks_db.apps import TasksAppConfig
from taggit.apps import TaggitAppConfig


class BlogAdminConfig(AdminConfig):
    """Django's admin, on the site that groups its app list for writers."""

    default_site = "blogsite.admin_site.BlogAdminSite"


class TagsConfig(TaggitAppConfig):
    """django-taggit, named as writers see its tags: part of the blog (breadcrumbs say so)."""

    verbose_name = "Blog"


class SignInSecurityConfig(AxesAppConfig):
    """django-axes' records of sign-in attempts and lockouts, under a plain name."""

    verbose_name = "Sign-in security"


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks-db's queue of background tasks, shown to superusers under a plain name."""

    verbose_name = "Background tasks"
