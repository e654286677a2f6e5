"""Saving an entry in the admin: a body too large or too costly to render is a form error."""

import pytest
from django.urls import reverse

from posts.models import Entry
from tests.admin.test_entries import entry_form
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

ADD_ENTRY = reverse("admin:posts_entry_add")


def body_errors(response) -> list[str]:
    return response.context["adminform"].form.errors.get("body", [])


def test_a_megabyte_of_brackets_is_refused_by_size_and_kept_in_the_form(staff_client, staff):
    body = "My draft.\n\n" + "[" * 1_000_000
    response = staff_client.post(ADD_ENTRY, entry_form(staff, body=body))
    assert response.status_code == 200
    assert body_errors(response) == [
        "This text is 977 KB; an entry holds at most 500 KB. Split it into several entries."
    ]
    assert response.context["adminform"].form["body"].value() == body
    assert not Entry.objects.exists()


def test_a_body_too_costly_to_render_is_a_form_error_naming_its_line(staff_client, staff, settings):
    settings.BLOGSITE_RENDER_SECONDS = 0.5  # the same body takes several seconds in full
    body = "My draft.\n\n" + "[[[]" * 100_000
    response = staff_client.post(ADD_ENTRY, entry_form(staff, body=body))
    assert response.status_code == 200
    assert body_errors(response) == [
        "This text is too complex to render within 0.5 seconds: "
        "simplify the run of brackets near line 3."
    ]
    assert response.context["adminform"].form["body"].value() == body
    assert not Entry.objects.exists()


def test_a_change_too_costly_to_render_leaves_the_stored_entry_as_it_was(
    staff_client, staff, settings
):
    settings.BLOGSITE_RENDER_SECONDS = 0.5
    entry = EntryFactory(author=staff, body="Kept *as it was*.")
    change = reverse("admin:posts_entry_change", args=[entry.pk])
    form = entry_form(staff, entry, title=entry.title, slug=entry.slug, body="*a" * 200_000)
    response = staff_client.post(change, form)
    assert response.status_code == 200
    assert body_errors(response)[0].startswith("This text is too complex to render")
    entry.refresh_from_db()
    assert entry.body == "Kept *as it was*."
    assert entry.body_html == "<p>Kept <em>as it was</em>.</p>\n"


def test_a_long_body_renders_once_in_another_process_and_is_stored(staff_client, staff):
    body = "Long *prose* [with a link](https://example.org/).\n\n" * 2_000
    response = staff_client.post(ADD_ENTRY, entry_form(staff, body=body))
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.body_html.count("<em>prose</em>") == 2_000
    assert entry.summary == "Long prose with a link."
