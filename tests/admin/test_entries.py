from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from posts.models import Entry
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

ADD_ENTRY = reverse("admin:posts_entry_add")
DROP = reverse("admin:posts_image_drop")
PREVIEW = reverse("admin:posts_entry_markdownify")


def byline_form(author=None, entry=None, users=None) -> dict:
    """Return the byline inline's part of the entry form: the entry's rows, or new ones."""
    rows = list(entry.bylines.order_by("position", "pk")) if entry is not None else []
    data = {"bylines-INITIAL_FORMS": len(rows), "bylines-MIN_NUM_FORMS": 0}
    data["bylines-MAX_NUM_FORMS"] = 1000
    for number, row in enumerate(rows):
        data.update({
            f"bylines-{number}-id": row.pk, f"bylines-{number}-entry": entry.pk,
            f"bylines-{number}-user": row.user_id, f"bylines-{number}-position": row.position,
        })  # fmt: skip
    users = users if users is not None else ([] if rows else [author])
    for offset, user in enumerate(users):
        number = len(rows) + offset
        data[f"bylines-{number}-user"] = user.pk
        data[f"bylines-{number}-position"] = number
    data["bylines-TOTAL_FORMS"] = len(rows) + len(users)
    return data


def entry_form(author, entry=None, **fields) -> dict:
    data = {
        "title": "Written in the admin",
        "body": "Hello **admin**.",
        "tags": "django, writing",
        "cover": "",
        "excerpt": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "slug": "",
        **byline_form(author, entry),
    }
    data.update(fields)
    return data


def test_add_page_uses_the_markdown_editor_with_our_preview_and_drop_urls(staff_client):
    html = staff_client.get(ADD_ENTRY).content.decode()
    assert "markdownx-editor" in html
    assert f'data-markdownx-urls-path="{PREVIEW}"' in html
    assert f'data-markdownx-upload-urls-path="{DROP}"' in html


def test_staff_writes_previews_and_publishes_an_entry(staff_client, client, staff):
    response = staff_client.post(ADD_ENTRY, entry_form(staff, _continue="1"))
    assert response.status_code == 302, response.context and response.context["adminform"].errors
    entry = Entry.objects.get()
    assert entry.status == Entry.Status.DRAFT
    assert entry.slug == "written-in-the-admin"
    assert entry.body_html == "<p>Hello <strong>admin</strong>.</p>\n"
    assert sorted(entry.tags.names()) == ["django", "writing"]

    # "View on site" goes through the admin's shortcut to the entry's own page.
    change_page = staff_client.get(reverse("admin:posts_entry_change", args=[entry.pk]))
    view_on_site = change_page.context["original"].get_absolute_url()
    assert (
        view_on_site in change_page.content.decode()
        or "viewsitelink" in change_page.content.decode()
    )
    assert staff_client.get(view_on_site).status_code == 200
    assert client.get(view_on_site).status_code == 404

    response = staff_client.post(
        reverse("admin:posts_entry_change", args=[entry.pk]),
        entry_form(staff, entry, status="published", slug=entry.slug),
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.is_published
    assert client.get(entry.get_absolute_url()).status_code == 200


def test_staff_schedules_an_entry_with_a_future_date(staff_client, client, staff):
    when = timezone.localtime(timezone.now() + timedelta(days=3))
    response = staff_client.post(
        ADD_ENTRY,
        entry_form(
            staff,
            status="published",
            published_at_0=when.strftime("%Y-%m-%d"),
            published_at_1=when.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.is_scheduled
    assert list(client.get(reverse("posts:index")).context["entries"]) == []
    listing = staff_client.get(reverse("admin:posts_entry_changelist")).content.decode()
    assert "Scheduled" in listing


def test_a_duplicate_slug_is_a_form_error_not_a_crash(staff_client, staff):
    EntryFactory(slug="taken")
    response = staff_client.post(ADD_ENTRY, entry_form(staff, slug="taken"))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Entry.objects.count() == 1


def test_admin_lists_render(staff_client):
    EntryFactory(tags=["a", "b"])
    for name in ("posts_entry_changelist", "posts_image_changelist", "posts_image_add"):
        assert staff_client.get(reverse(f"admin:{name}")).status_code == 200
    cover_picker = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "posts", "model_name": "entry", "field_name": "cover"},
    )
    assert cover_picker.status_code == 200
