"""The admin's sections: one "Blog" for writers, libraries' internals for superusers only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from blogsite.admin_site import BlogAdminSite

pytestmark = pytest.mark.django_db

BLOG = [
    "Entries", "Pages", "Series", "Author profiles", "Images", "Tags", "Redirects", "Site settings"
]  # fmt: skip
COMMENTS = "Comments and Webmentions"
SOCIAL = "Social web (ActivityPub)"
# Editors also moderate comments, keep followers, read the statistics and follow mailings:
# apps of their own.
EDITORS_APPS = ["Blog", COMMENTS, SOCIAL, "Statistics", "Subscribers"]


def sections(response) -> dict[str, list[str]]:
    return {app["name"]: [m["name"] for m in app["models"]] for app in response.context["app_list"]}


def test_the_default_admin_site_is_ours():
    assert isinstance(admin.site, BlogAdminSite)


@pytest.mark.parametrize("role", ["author_client", "editor_client"])
def test_writers_see_one_blog_section_and_nothing_else(request, role):
    client = request.getfixturevalue(role)
    response = client.get(reverse("admin:index"))
    shown = sections(response)
    # Editors moderate readers' comments (the comments app), in a section of its own.
    assert list(shown) == (["Blog"] if role == "author_client" else EDITORS_APPS)
    # Authors may not manage tags or redirects; what they see comes in the Blog order.
    assert shown["Blog"] == [name for name in BLOG if name in shown["Blog"]]
    assert "Taggit" not in response.content.decode()
    if role == "editor_client":
        assert shown["Blog"] == BLOG


def test_the_sidebar_groups_the_same_way(editor_client):
    response = editor_client.get(reverse("admin:posts_entry_changelist"))
    assert [app["name"] for app in response.context["available_apps"]] == EDITORS_APPS


def test_superusers_see_sign_in_security_under_a_plain_name(staff_client):
    # staff_client is a superuser (tests.factories.StaffFactory).
    shown = sections(staff_client.get(reverse("admin:index")))
    assert list(shown) == [
        "Blog",
        "Authentication and Authorization",
        "Background tasks",
        COMMENTS,
        "Sign-in security",
        SOCIAL,
        "Statistics",
        "Subscribers",
    ]
    assert shown["Blog"] == BLOG
    assert shown["Sign-in security"] == ["Access attempts", "Access failures", "Access logs"]
    assert "Axes" not in shown


def test_internals_stay_hidden_from_staff_given_their_permissions(editor):
    from django.contrib.auth.models import Permission
    from django.test import Client

    editor.user_permissions.add(*Permission.objects.filter(content_type__app_label="axes"))
    client = Client()
    client.force_login(editor)
    assert list(sections(client.get(reverse("admin:index")))) == EDITORS_APPS


@pytest.mark.parametrize("app_label", ["posts", "taggit"])
def test_both_apps_pages_show_the_blog_section(editor_client, app_label):
    # A tag's breadcrumbs lead to taggit's app page: it shows the whole Blog section.
    response = editor_client.get(reverse("admin:app_list", args=[app_label]))
    assert response.status_code == 200
    assert sections(response) == {"Blog": BLOG}


def test_a_tag_page_says_blog_in_its_breadcrumbs(editor_client):
    response = editor_client.get(reverse("admin:taggit_tag_changelist"))
    breadcrumbs = response.content.decode().split('class="breadcrumbs"')[1].split("</div>")[0]
    assert "Blog" in breadcrumbs and "Taggit" not in breadcrumbs
