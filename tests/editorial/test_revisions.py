from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from posts.editorial.revisions import (
    diff_html,
    entry_snapshot,
    prune_revisions,
    record_revision,
    restore_revision,
)
from posts.models import Entry, Revision
from tests.admin.test_entries import entry_form
from tests.factories import EntryFactory, ImageFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_url(entry: Entry) -> str:
    return reverse("admin:posts_entry_change", args=[entry.pk])


def revisions_url(entry: Entry) -> str:
    return reverse("admin:posts_entry_revisions", args=[entry.pk])


def restore_url(entry: Entry, revision: Revision) -> str:
    return reverse("admin:posts_entry_restore", args=[entry.pk, revision.pk])


# The model-level helper.


def test_recording_keeps_who_when_and_the_text():
    writer = UserFactory()
    entry = EntryFactory(title="First", body="One.", excerpt="Short.", tags=["b", "a"])
    revision = record_revision(entry, writer)
    assert (revision.author, revision.title, revision.body) == (writer, "First", "One.")
    assert (revision.excerpt, revision.tags, revision.cover) == ("Short.", "a, b", None)
    assert revision.created_at is not None


def test_an_unchanged_entry_records_no_second_revision():
    entry = EntryFactory(body="Via the model.")
    assert record_revision(entry).body == "Via the model."
    assert record_revision(entry) is None


def test_no_revision_when_nothing_kept_has_changed():
    entry = EntryFactory(body="Same.")
    record_revision(entry)
    entry.status = Entry.Status.DRAFT  # not one of the kept fields
    entry.save()
    assert record_revision(entry) is None
    assert entry.revisions.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda e: setattr(e, "title", "New title"),
        lambda e: setattr(e, "body", "New body."),
        lambda e: setattr(e, "excerpt", "New excerpt."),
        lambda e: setattr(e, "cover", ImageFactory()),
        lambda e: e.tags.add("new-tag"),
    ],
    ids=["title", "body", "excerpt", "cover", "tags"],
)
def test_each_kept_field_makes_a_revision_when_it_changes(change):
    entry = EntryFactory()
    record_revision(entry)
    change(entry)
    entry.save()
    assert record_revision(entry) is not None
    assert entry.revisions.count() == 2


def test_an_entry_without_revisions_keeps_its_earlier_state_first():
    entry = EntryFactory(body="Before.")
    before = entry_snapshot(entry)
    entry.body = "After."
    entry.save()
    record_revision(entry, previous=before)
    assert list(entry.revisions.values_list("body", flat=True)) == ["After.", "Before."]


def test_only_the_newest_revisions_are_kept(settings):
    settings.BLOGSITE_REVISIONS_KEEP = 3
    entry = EntryFactory()
    for number in range(5):
        entry.body = f"Version {number}."
        entry.save()
        record_revision(entry)
    assert list(entry.revisions.values_list("body", flat=True)) == [
        "Version 4.", "Version 3.", "Version 2."
    ]  # fmt: skip


def test_restoring_puts_the_text_back_and_is_a_revision_itself():
    cover = ImageFactory()
    entry = EntryFactory(title="Old", body="Old body.", cover=cover, tags=["old"])
    old = record_revision(entry)
    entry.title, entry.body, entry.cover = "New", "New body.", None
    entry.save()
    entry.tags.set(["new"])
    record_revision(entry)
    restorer = UserFactory()
    restored = restore_revision(old, restorer)
    entry.refresh_from_db()
    assert (entry.title, entry.body, entry.cover) == ("Old", "Old body.", cover)
    assert list(entry.tags.names()) == ["old"]
    assert "Old body." in entry.body_html  # rendered again
    assert restored.author == restorer
    assert entry.revisions.count() == 3


def test_the_diff_escapes_the_text_and_marks_lines():
    html = diff_html("same\n<b>gone</b>", "same\n<script>alert(1)</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<tr class="diff-del">' in html and '<tr class="diff-add">' in html
    assert "No difference" in diff_html("a", "a")


def test_the_diff_shows_changed_lines_that_start_with_dashes_or_pluses():
    html = diff_html("Text.\n---\n-- signature", "Text.\n+++ added\n++ more")
    for line in ("---", "-- signature"):
        assert f'<tr class="diff-del"><td class="diff-mark">−</td><td><pre>{line}</pre>' in html
    for line in ("+++ added", "++ more"):
        assert f'<tr class="diff-add"><td class="diff-mark">+</td><td><pre>{line}</pre>' in html
    # The file headers of a unified diff are no lines of the text.
    assert html.count("<tr") == 6  # the hunk, one line kept, two gone, two added


def test_prune_revisions_command_keeps_n_per_entry_and_can_dry_run():
    entries = [EntryFactory(), EntryFactory()]
    for entry in entries:
        for number in range(4):
            Revision.objects.create(entry=entry, title=entry.title, body=str(number))
    out = StringIO()
    call_command("prune_revisions", "--keep", "1", "--dry-run", stdout=out)
    assert "Would delete 6 revisions" in out.getvalue()
    assert Revision.objects.count() == 8
    call_command("prune_revisions", "--keep", "1", stdout=out)
    assert "Deleted 6 revisions" in out.getvalue()
    for entry in entries:
        assert list(entry.revisions.values_list("body", flat=True)) == ["3"]
    assert prune_revisions(1) == 0


# In the admin.


def test_saving_in_the_admin_keeps_a_revision_only_when_the_text_changed(staff_client, staff):
    staff_client.post(reverse("admin:posts_entry_add"), entry_form(staff, body="First."))
    entry = Entry.objects.get()
    assert entry.revisions.get().author == staff
    form = entry_form(staff, entry, body="First.", slug=entry.slug)
    staff_client.post(change_url(entry), form)
    assert entry.revisions.count() == 1
    staff_client.post(change_url(entry), {**form, "tags": "django, writing, more"})
    assert entry.revisions.count() == 2
    assert entry.revisions.first().tags == "django, more, writing"


def test_the_history_page_shows_a_safe_diff_and_restores_in_one_click(staff_client, staff):
    entry = EntryFactory(body="Line one.\n<img src=x onerror=alert(1)>")
    first = record_revision(entry, staff)
    entry.body = "Line one.\nLine two."
    entry.save()
    record_revision(entry, staff)

    change_page = staff_client.get(change_url(entry)).content.decode()
    assert revisions_url(entry) in change_page

    page = staff_client.get(revisions_url(entry), {"revision": first.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Line two." in html

    assert staff_client.get(restore_url(entry, first)).status_code == 405
    response = staff_client.post(restore_url(entry, first))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.body == "Line one.\n<img src=x onerror=alert(1)>"
    assert entry.revisions.count() == 3


def test_the_history_page_of_an_entry_without_revisions(staff_client):
    entry = EntryFactory()
    page = staff_client.get(revisions_url(entry))
    assert page.status_code == 200
    assert "No revisions yet" in page.content.decode()


def test_the_history_page_says_what_each_revision_changed(staff_client):
    entry = EntryFactory(title="One", body="Same.")
    record_revision(entry)
    entry.title = "Two"
    entry.save()
    entry.tags.add("added")
    record_revision(entry)
    page = staff_client.get(revisions_url(entry))
    assert [changed for _revision, changed in page.context["rows"]] == [["title", "tags"], None]


def test_restoring_needs_the_csrf_token(staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    entry = EntryFactory(body="Old.")
    old = record_revision(entry)
    entry.body = "New."
    entry.save()
    assert client.post(restore_url(entry, old)).status_code == 403
    entry.refresh_from_db()
    assert entry.body == "New."


def test_an_author_sees_history_only_of_their_own_entries(author_client, author):
    own = EntryFactory(author=author, status=Entry.Status.DRAFT, published_at=None)
    other = EntryFactory(status=Entry.Status.DRAFT, published_at=None, body="Theirs.")
    record_revision(own)
    theirs = record_revision(other)
    assert author_client.get(revisions_url(own)).status_code == 200
    assert author_client.get(revisions_url(other)).status_code == 404
    assert author_client.post(restore_url(other, theirs)).status_code == 404


def test_an_author_cannot_restore_into_their_published_entry(author_client, author):
    entry = EntryFactory(author=author, body="Live.")
    old = record_revision(entry)
    Entry.objects.filter(pk=entry.pk).update(body="Edited by an editor.")
    page = author_client.get(revisions_url(entry))
    assert page.status_code == 200 and not page.context["can_restore"]
    assert author_client.post(restore_url(entry, old)).status_code == 403
    entry.refresh_from_db()
    assert entry.body == "Edited by an editor."
