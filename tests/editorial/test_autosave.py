"""The form's autosave: kept apart from the entry, for the right people, bounded, in JSON."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts.delivery.cache import content_version
from posts.editorial.autosave import (
    entry_version,
    mark_present,
    offered_autosave,
    others_present,
    prune_autosaves,
    save_conflict,
    store_autosave,
)
from posts.models import Autosave, Entry, Revision
from tests.admin.test_entries import byline_form
from tests.factories import EntryFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = reverse("admin:posts_entry_autosave_new")
TEXT = {"title": "Half a title", "body": "A body\r\nbeing written.", "excerpt": "", "tags": "a, b"}


def autosave_url(entry: Entry) -> str:
    return reverse("admin:posts_entry_autosave", args=[entry.pk])


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """Counts outlive a test in the cache, and test users' ids repeat: off, but where tested."""
    settings.BLOGSITE_AUTOSAVE_PER_MINUTE = 0


def test_an_autosave_changes_nothing_readers_see(
    staff_client, staff, django_capture_on_commit_callbacks
):
    entry = EntryFactory(author=staff, title="As published", body="Saved text.")
    before = content_version()
    stamp = Entry.objects.values_list("updated_at", "body_html").get(pk=entry.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.post(autosave_url(entry), TEXT)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["saved_at"]
    assert answer["version"] == entry_version(entry)
    assert answer["others"] == []
    autosave = Autosave.objects.get()
    assert (autosave.entry, autosave.user) == (entry, staff)
    assert autosave.body == "A body\nbeing written."  # line ends as the browser's script sends
    # The entry, its revisions and the page cache are as they were.
    assert Entry.objects.values_list("updated_at", "body_html").get(pk=entry.pk) == stamp
    assert not Revision.objects.exists()
    assert callbacks == []
    assert content_version() == before


def test_autosaving_again_updates_the_one_autosave(staff_client, staff):
    entry = EntryFactory(author=staff)
    staff_client.post(autosave_url(entry), TEXT)
    staff_client.post(autosave_url(entry), {**TEXT, "body": "Longer now."})
    staff_client.post(NEW, {**TEXT, "title": "Something new"})
    staff_client.post(NEW, {**TEXT, "title": "Something newer"})
    kept = sorted(Autosave.objects.values_list("entry", "title", "body"), key=str)
    assert kept == sorted(
        [
            (entry.pk, "Half a title", "Longer now."),
            (None, "Something newer", TEXT["body"].replace("\r", "")),
        ],
        key=str,
    )


def test_the_add_form_autosave_is_per_user(author_client, editor_client, author, editor):
    assert author_client.post(NEW, TEXT).status_code == 200
    assert editor_client.post(NEW, {**TEXT, "title": "The editor's"}).status_code == 200
    assert Autosave.objects.get(user=author, entry=None).title == "Half a title"
    assert Autosave.objects.get(user=editor, entry=None).title == "The editor's"


def test_only_signed_in_staff_may_autosave(client, db):
    entry = EntryFactory()
    for url in (NEW, autosave_url(entry)):
        response = client.post(url, TEXT)
        assert response.status_code == 403
        assert response.json()["code"] == "login"
        assert response.json()["login_url"] == reverse("admin:login")
    reader = Client()
    reader.force_login(UserFactory(is_staff=False))
    assert reader.post(NEW, TEXT).json()["code"] == "login"
    assert not Autosave.objects.exists()


def test_staff_without_the_right_to_add_entries_is_refused(db):
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_entry"))
    client = Client()
    client.force_login(clerk)
    response = client.post(NEW, TEXT)
    assert response.status_code == 403
    assert response.json() == {"error": "You may not add entries.", "code": "forbidden"}


def test_an_author_autosaves_only_their_own_drafts(author_client, author):
    own_draft = EntryFactory(author=author, status=Entry.Status.DRAFT)
    own_published = EntryFactory(author=author)
    someone_elses = EntryFactory(status=Entry.Status.DRAFT)
    assert author_client.post(autosave_url(own_draft), TEXT).status_code == 200
    # Published: read-only for an Author, as the form is.
    response = author_client.post(autosave_url(own_published), TEXT)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    # Another's: not even there, as in the admin's lists.
    response = author_client.post(autosave_url(someone_elses), TEXT)
    assert response.status_code == 404
    assert response.json()["error"] == "No such entry, or not one of yours."
    for nonsense in ("1 OR 1=1", "²"):  # "²" is a digit to str.isdigit, not to int()
        url = reverse("admin:posts_entry_autosave", args=[nonsense])
        assert author_client.post(url, TEXT).json()["code"] == "not_found"
    assert list(Autosave.objects.values_list("entry", flat=True)) == [own_draft.pk]


def test_an_editor_autosaves_anyones_entry(editor_client, editor):
    entry = EntryFactory()
    assert editor_client.post(autosave_url(entry), TEXT).status_code == 200


def test_the_csrf_token_is_checked_and_a_stale_one_answered_in_json(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(NEW, TEXT)
    assert response.status_code == 403
    assert response.json()["code"] == "csrf"
    assert "log in again" in response.json()["error"]
    client.get(reverse("admin:posts_entry_add"))  # sets the CSRF cookie, as the form does
    token = client.cookies["csrftoken"].value
    assert client.post(NEW, TEXT, headers={"X-CSRFToken": token}).status_code == 200
    assert client.post(NEW, {**TEXT, "csrfmiddlewaretoken": token}).status_code == 200


def test_only_post_is_answered(staff_client):
    response = staff_client.get(NEW)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["code"] == "method"
    assert "no-cache" in response["Cache-Control"]


def test_a_body_over_the_limit_is_refused_with_the_reason(staff_client, settings):
    settings.BLOGSITE_BODY_MAX_KB = 1
    response = staff_client.post(NEW, {**TEXT, "body": "é" * 1000})
    assert response.status_code == 413
    assert response.json() == {
        "error": "This text is 2 KB; an entry holds at most 1 KB. Split it into several entries.",
        "code": "too_large",
    }
    response = staff_client.post(NEW, {**TEXT, "excerpt": "x" * 2000})
    assert response.status_code == 413
    response = staff_client.post(NEW, {**TEXT, "title": "t" * 201})
    assert response.status_code == 400
    assert response.json()["error"] == "A title holds at most 200 characters."
    assert not Autosave.objects.exists()


def test_a_request_too_large_to_read_is_answered_in_json(staff_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = staff_client.post(NEW, {**TEXT, "body": "x" * 5000})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_an_unknown_action_is_a_clear_error(staff_client):
    response = staff_client.post(NEW, {"action": "publish"})
    assert response.status_code == 400
    assert response.json()["error"] == "Unknown action: use save, discard or heartbeat."


def test_autosaves_past_the_rate_limit_are_answered_429(staff_client, staff, settings):
    settings.BLOGSITE_AUTOSAVE_PER_MINUTE = 2
    with time_machine.travel("2026-12-04 12:00:10 +0000", tick=False):
        cache.delete(f"autosave:{staff.pk}:{int(timezone.now().timestamp() // 60)}")
        answers = [staff_client.post(NEW, TEXT) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2]["Retry-After"] == "50"
    assert answers[2].json()["code"] == "rate"
    assert "kept in this browser" in answers[2].json()["error"]


def test_discard_deletes_only_the_users_own_autosave(staff_client, staff, editor):
    entry = EntryFactory()
    store_autosave(staff, entry, {**TEXT})
    store_autosave(editor, entry, {**TEXT})
    response = staff_client.post(autosave_url(entry), {"action": "discard"})
    assert response.json()["discarded"] == 1
    assert list(Autosave.objects.values_list("user", flat=True)) == [editor.pk]


def test_a_heartbeat_tells_who_else_has_the_entry_open(staff_client, staff, editor):
    entry = EntryFactory(author=staff)
    mark_present(entry, editor)
    response = staff_client.post(autosave_url(entry), {"action": "heartbeat"})
    answer = response.json()
    assert [person["name"] for person in answer["others"]] == [editor.get_full_name()]
    assert "saved_at" not in answer
    assert not Autosave.objects.exists()
    # And the heartbeat counts the sender as present for the other editor.
    assert [person["name"] for person in others_present(entry, editor)] == [staff.get_full_name()]


def test_a_recent_autosave_by_someone_else_counts_as_having_it_open(staff, editor):
    entry = EntryFactory()
    store_autosave(editor, entry, {**TEXT})
    assert [person["name"] for person in others_present(entry, staff)] == [editor.get_full_name()]
    Autosave.objects.update(saved_at=timezone.now() - timedelta(minutes=5))
    assert others_present(entry, staff) == []


def test_the_change_form_offers_a_differing_autosave_with_a_diff(staff_client, staff):
    entry = EntryFactory(author=staff, body="The first line.\n")
    store_autosave(
        staff, entry, {**TEXT, "title": entry.title, "body": "The first line, longer.\n"}
    )
    html = staff_client.get(reverse("admin:posts_entry_change", args=[entry.pk])).content.decode()
    assert 'id="autosave-offer"' in html
    assert "It is newer than the saved entry." in html
    assert '<td class="diff-mark">+</td><td><pre>The first line, longer.</pre>' in html
    assert 'id="autosave-data"' in html
    assert 'name="loaded_version"' in html


def test_an_autosave_equal_to_the_entry_is_not_offered_and_goes(staff):
    entry = EntryFactory(author=staff, body="Same.", excerpt="", tags=["x"])
    store_autosave(
        staff, entry, {"title": entry.title, "body": "Same.", "excerpt": "", "tags": "x"}
    )
    assert offered_autosave(staff, entry) is None
    assert not Autosave.objects.exists()


def test_the_add_form_offers_the_new_entry_autosave(staff_client, staff):
    store_autosave(staff, None, {**TEXT})
    html = staff_client.get(reverse("admin:posts_entry_add")).content.decode()
    assert "From a new entry that was never saved." in html
    assert "Half a title" in html


def test_saving_the_entry_deletes_the_writers_autosave_only(staff_client, staff, editor):
    entry = EntryFactory(author=staff, status=Entry.Status.DRAFT, published_at=None)
    store_autosave(staff, entry, {**TEXT})
    store_autosave(editor, entry, {**TEXT})
    store_autosave(staff, None, {**TEXT})  # another entry in the making: kept
    response = staff_client.post(
        reverse("admin:posts_entry_change", args=[entry.pk]),
        {
            "title": "Saved at last", "body": "Done.", "tags": "", "cover": "", "excerpt": "",
            "status": "draft", "published_at_0": "", "published_at_1": "", "slug": entry.slug,
            "_autosave_token": "tok-1", **byline_form(entry=entry),
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert sorted(Autosave.objects.values_list("user", "entry"), key=str) == sorted(
        [(editor.pk, entry.pk), (staff.pk, None)], key=str
    )
    assert staff_client.session["autosave_saved_tokens"] == ["tok-1"]


def test_adding_an_entry_deletes_the_add_form_autosave(staff_client, staff):
    store_autosave(staff, None, {**TEXT})
    response = staff_client.post(
        reverse("admin:posts_entry_add"),
        {
            "title": "New", "body": "Text.", "tags": "", "cover": "", "excerpt": "",
            "status": "draft", "published_at_0": "", "published_at_1": "", "slug": "",
            **byline_form(staff),
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert not Autosave.objects.exists()


def test_old_autosaves_are_pruned(staff, settings):
    settings.BLOGSITE_AUTOSAVE_KEEP_DAYS = 30
    store_autosave(staff, None, {**TEXT})
    store_autosave(staff, EntryFactory(), {**TEXT})
    Autosave.objects.filter(entry=None).update(saved_at=timezone.now() - timedelta(days=31))
    assert prune_autosaves() == 1
    assert Autosave.objects.filter(entry=None).count() == 0
    assert Autosave.objects.count() == 1


def test_a_save_conflict_names_who_saved_and_when(staff):
    entry = EntryFactory()
    loaded = entry_version(entry)
    assert save_conflict(entry, loaded) is None
    assert save_conflict(entry, "") is None  # no version sent: nothing to check
    entry.save()
    message = save_conflict(entry, loaded)
    assert message.startswith("Not saved: this entry was saved by someone else at ")
    assert "Your text is still in the form below" in message


def test_an_autosave_takes_a_fixed_number_of_queries(
    staff_client, staff, editor, django_assert_num_queries
):
    entry = EntryFactory(author=staff, tags=["a", "b"])
    store_autosave(editor, entry, {**TEXT})
    staff_client.post(autosave_url(entry), TEXT)  # the session is read once it exists
    # Session, user, entry (no tags), the autosave's upsert (savepoint, select, update,
    # release), the last revision, who else autosaved recently.
    with django_assert_num_queries(9):
        staff_client.post(autosave_url(entry), {**TEXT, "body": "Changed."})
