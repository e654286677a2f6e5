"""The site settings page: one row, the menu and links as inlines, Editors only."""

import pytest
from django.urls import reverse

from posts.delivery.cache import content_version
from posts.models import MenuItem, SiteSettings
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db

CHANGE = reverse("admin:posts_sitesettings_change", args=[1])


def settings_form(**fields) -> dict:
    data = {
        "title": "Edited title",
        "tagline": "Edited tagline",
        "footer_text": "Text under every page.",
        "default_social_image": "",
        "menu_items-TOTAL_FORMS": "0",
        "menu_items-INITIAL_FORMS": "0",
        "social_links-TOTAL_FORMS": "0",
        "social_links-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def menu_rows(*rows) -> dict:
    data = {"menu_items-TOTAL_FORMS": str(len(rows))}
    for number, row in enumerate(rows):
        for name, value in row.items():
            data[f"menu_items-{number}-{name}"] = value
    return data


def test_the_list_leads_to_the_one_settings_page(editor_client):
    response = editor_client.get(reverse("admin:posts_sitesettings_changelist"))
    assert response.status_code == 302 and response["Location"] == CHANGE
    assert SiteSettings.objects.count() == 1
    assert editor_client.get(CHANGE).status_code == 200


def test_an_editor_builds_the_menu_and_every_page_shows_it_at_once(
    editor_client, client, django_capture_on_commit_callbacks
):
    editor_client.get(reverse("admin:posts_sitesettings_changelist"))
    about = PageFactory(slug="about", title="About")
    token = content_version()[0]
    rows = menu_rows(
        {"order": "20", "label": "", "kind": "page", "page": about.pk, "tag": "", "url": ""},
        {
            "order": "10",
            "label": "Code",
            "kind": "link",
            "page": "",
            "tag": "",
            "url": "https://example.org/",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(CHANGE, settings_form(**rows))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert content_version()[0] != token  # every cached page is stale
    html = client.get("/").content.decode()
    assert "Edited title" in html and "Text under every page." in html
    assert html.index(">Code<") < html.index(">About<")


def test_a_bad_menu_row_is_refused_and_nothing_is_lost(editor_client):
    editor_client.get(reverse("admin:posts_sitesettings_changelist"))
    rows = menu_rows(
        {
            "order": "1",
            "label": "Bad",
            "kind": "link",
            "page": "",
            "tag": "",
            "url": "javascript:alert(1)",
        }
    )
    response = editor_client.post(CHANGE, settings_form(**rows))
    assert response.status_code == 200
    assert "Give an http(s) address" in response.content.decode()
    assert not MenuItem.objects.exists()
    assert SiteSettings.objects.get().title == ""


def test_authors_cannot_change_the_site(author_client):
    SiteSettings.objects.create()
    assert author_client.get(CHANGE).status_code == 403
    assert author_client.post(CHANGE, settings_form()).status_code == 403
    assert SiteSettings.objects.get().title == ""
