"""Two editors on one entry: a save over a newer save is refused with a message, nothing lost."""

import pytest
from django.test import Client
from django.urls import reverse

from posts.editorial.roles import EDITOR
from posts.models import Entry
from tests.admin.test_entries import byline_form
from tests.conftest import member_of
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.BLOGSITE_AUTOSAVE_PER_MINUTE = 0


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(response, **changes) -> dict:
    """Return what the drawn form would send back, with some fields changed."""
    form = response.context["adminform"].form
    data = {
        "title": form["title"].value(),
        "body": form["body"].value(),
        "tags": "",
        "cover": "",
        "excerpt": form["excerpt"].value(),
        "status": form["status"].value(),
        "published_at_0": "",
        "published_at_1": "",
        "slug": form["slug"].value(),
        "loaded_version": form["loaded_version"].value(),
        **byline_form(entry=form.instance),
    }
    return {**data, **changes}


@pytest.fixture
def two_editors():
    grace = member_of(EDITOR, username="grace", first_name="Grace", last_name="Hopper")
    alan = member_of(EDITOR, username="alan", first_name="Alan", last_name="Turing")
    entry = EntryFactory(title="Shared", body="The first draft.", status=Entry.Status.DRAFT)
    return entry, signed_in(grace), signed_in(alan)


def test_a_stale_save_is_refused_and_both_texts_are_kept(two_editors):
    entry, grace, alan = two_editors
    url = reverse("admin:posts_entry_change", args=[entry.pk])
    grace_form, alan_form = grace.get(url), alan.get(url)

    saved = grace.post(url, form_data(grace_form, body="Grace's version."))
    assert saved.status_code == 302

    refused = alan.post(url, form_data(alan_form, body="Alan's version."))
    assert refused.status_code == 200  # the form again, not a redirect
    errors = refused.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("Not saved: this entry was saved by Grace Hopper at ")
    html = refused.content.decode()
    assert "Your text is still in the form below" in html
    assert "Alan&#x27;s version." in html  # Alan's text is in the form he sees
    entry.refresh_from_db()
    assert entry.body == "Grace's version."

    # Told, Alan saves again on purpose: his text goes in, and Grace's stays a revision.
    again = alan.post(url, form_data(refused, body="Alan's version."))
    assert again.status_code == 302
    entry.refresh_from_db()
    assert entry.body == "Alan's version."
    assert "Grace's version." in entry.revisions.values_list("body", flat=True)


def test_a_save_from_an_up_to_date_form_goes_through(two_editors):
    entry, grace, _alan = two_editors
    url = reverse("admin:posts_entry_change", args=[entry.pk])
    first = grace.post(url, form_data(grace.get(url), body="One."), follow=False)
    assert first.status_code == 302
    # The next form drawn carries the new version.
    second = grace.post(url, form_data(grace.get(url), body="Two."))
    assert second.status_code == 302
    entry.refresh_from_db()
    assert entry.body == "Two."


def test_the_same_writer_in_two_tabs_is_refused_too(two_editors):
    entry, grace, _alan = two_editors
    url = reverse("admin:posts_entry_change", args=[entry.pk])
    first_tab, second_tab = grace.get(url), grace.get(url)
    assert grace.post(url, form_data(first_tab, body="From tab one.")).status_code == 302
    refused = grace.post(url, form_data(second_tab, body="From tab two."))
    assert refused.status_code == 200
    assert "saved by Grace Hopper" in refused.content.decode()


def test_a_post_without_a_version_is_not_checked(two_editors):
    entry, grace, alan = two_editors
    url = reverse("admin:posts_entry_change", args=[entry.pk])
    grace.post(url, form_data(grace.get(url), body="Grace's."))
    assert alan.post(url, form_data(alan.get(url), loaded_version="")).status_code == 302


def test_the_second_editor_is_told_who_else_has_the_entry_open(two_editors):
    entry, grace, alan = two_editors
    url = reverse("admin:posts_entry_change", args=[entry.pk])
    grace.post(url, form_data(grace.get(url), body="Grace's."))
    grace.get(url)  # Grace has it open again
    html = alan.get(url).content.decode()
    assert "Also open by" in html
    assert "Grace Hopper (seen " in html
    assert "by Grace Hopper." in html  # who saved it last
    # Grace is not told about herself, and Alan is now counted as present.
    html = grace.get(url).content.decode()
    assert "Alan Turing (seen " in html
    assert "Grace Hopper (seen " not in html
