"""Bylines, author profiles and series in the admin, under the editorial roles."""

import pytest
from django.urls import reverse

from posts.models import AuthorProfile, Entry, Series
from tests.admin.test_entries import byline_form, entry_form
from tests.conftest import member_of
from tests.factories import AuthorProfileFactory, EntryFactory, SeriesFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_ENTRY = reverse("admin:posts_entry_add")


def change_url(entry: Entry) -> str:
    return reverse("admin:posts_entry_change", args=[entry.pk])


def byline(entry: Entry) -> list[str]:
    return [row.user.username for row in entry.bylines.order_by("position", "pk")]


def draft_by(*users) -> Entry:
    entry = EntryFactory(author=users[0], status=Entry.Status.DRAFT, published_at=None)
    entry.set_authors(users)
    return entry


def test_an_editor_writes_an_entry_with_two_authors_in_a_chosen_order(editor_client, editor):
    ada, charles = UserFactory(username="ada"), UserFactory(username="charles")
    form = entry_form(editor, **byline_form(users=[charles, ada]))
    form.update({"bylines-0-position": 2, "bylines-1-position": 1})  # ada first, by number
    response = editor_client.post(ADD_ENTRY, form)
    assert response.status_code == 302, (
        response.context and response.context["inline_admin_formsets"]
    )
    entry = Entry.objects.get()
    assert byline(entry) == ["ada", "charles"]
    assert entry.author.username == "ada"  # the owner is the byline's first


def test_the_add_form_starts_with_the_writer_in_the_byline(editor_client, editor):
    formset = editor_client.get(ADD_ENTRY).context["inline_admin_formsets"][0].formset
    assert [form.initial.get("user") for form in formset.forms] == [editor.pk]


def test_reordering_the_byline_changes_the_owner(editor_client, editor):
    ada, charles = UserFactory(username="ada"), UserFactory(username="charles")
    entry = draft_by(ada, charles)
    form = entry_form(editor, entry, slug=entry.slug)
    form.update({"bylines-0-position": 5})  # ada after charles
    assert editor_client.post(change_url(entry), form).status_code == 302
    entry.refresh_from_db()
    assert byline(entry) == ["charles", "ada"] and entry.author.username == "charles"


@pytest.mark.parametrize("problem", ["none", "twice"])
def test_a_byline_with_nobody_or_someone_twice_is_a_form_error(editor_client, editor, problem):
    users = [] if problem == "none" else [editor, editor]
    response = editor_client.post(ADD_ENTRY, entry_form(editor, **byline_form(users=users)))
    assert response.status_code == 200
    errors = str(response.context["inline_admin_formsets"][0].formset.non_form_errors())
    expected = "at least one author" if problem == "none" else "duplicate data for user"
    assert expected in errors
    assert not Entry.objects.exists()


def test_an_author_edits_a_draft_they_co_write_but_cannot_publish_it(author_client, author):
    lead = UserFactory(username="lead")
    entry = draft_by(lead, author)
    assert author_client.get(change_url(entry)).status_code == 200
    form = entry_form(author, entry, title="Improved together", slug=entry.slug)
    form["status"] = "published"
    assert author_client.post(change_url(entry), form).status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Improved together" and entry.status == Entry.Status.DRAFT


def test_an_author_cannot_rewrite_the_byline(author_client, author):
    lead = UserFactory(username="lead")
    entry = draft_by(lead, author)
    form = entry_form(author, entry, slug=entry.slug)
    form.update({"bylines-0-position": 9, "bylines-TOTAL_FORMS": 3})
    form.update({"bylines-2-user": author.pk, "bylines-2-position": 0})
    assert author_client.post(change_url(entry), form).status_code == 302
    entry.refresh_from_db()
    assert byline(entry) == ["lead", author.username] and entry.author == lead


def test_an_author_sees_the_entries_they_write_or_co_write_only(author_client, author):
    other = UserFactory()
    mine, shared, theirs = draft_by(author), draft_by(other, author), draft_by(other)
    listing = author_client.get(reverse("admin:posts_entry_changelist"))
    assert set(listing.context["cl"].result_list) == {mine, shared}
    assert author_client.get(change_url(theirs)).status_code == 302  # sent away: not theirs


def test_an_author_writing_a_new_entry_is_its_only_author(author_client, author):
    form = entry_form(author, **byline_form(users=[UserFactory()]))
    assert author_client.post(ADD_ENTRY, form).status_code == 302
    entry = Entry.objects.get()
    assert byline(entry) == [author.username] and entry.author == author


def test_a_co_authored_entry_costs_the_changelist_no_query_per_row(
    editor_client, django_assert_max_num_queries
):
    users = UserFactory.create_batch(3)
    draft_by(*users)
    editor_client.get(reverse("admin:posts_entry_changelist"))
    with django_assert_max_num_queries(20) as few:
        editor_client.get(reverse("admin:posts_entry_changelist"))
    for _ in range(10):
        draft_by(*UserFactory.create_batch(3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = editor_client.get(reverse("admin:posts_entry_changelist"))
    assert response.status_code == 200


# Series.


def test_an_editor_puts_an_entry_into_a_series(editor_client, editor):
    series = SeriesFactory()
    entry = draft_by(editor)
    form = entry_form(editor, entry, slug=entry.slug, series=series.pk, series_part=2)
    assert editor_client.post(change_url(entry), form).status_code == 302
    entry.refresh_from_db()
    assert (entry.series, entry.series_part) == (series, 2)


def test_an_author_cannot_put_an_entry_into_a_series(author_client, author):
    series = SeriesFactory()
    entry = draft_by(author)
    form = entry_form(author, entry, slug=entry.slug, series=series.pk, series_part=2)
    assert author_client.post(change_url(entry), form).status_code == 302
    entry.refresh_from_db()
    assert entry.series is None
    assert author_client.get(reverse("admin:posts_series_add")).status_code == 403


def test_an_editor_orders_a_series_parts_by_number(editor_client):
    series = SeriesFactory(title="Old title")
    one, two = (
        EntryFactory(series=series, series_part=1),
        EntryFactory(series=series, series_part=2),
    )
    url = reverse("admin:posts_series_change", args=[series.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    data = {
        "title": "New title", "slug": series.slug, "description": "About *it*.",
        "entries-TOTAL_FORMS": 2, "entries-INITIAL_FORMS": 2,
        "entries-0-id": one.pk, "entries-0-series": series.pk, "entries-0-series_part": 2,
        "entries-1-id": two.pk, "entries-1-series": series.pk, "entries-1-series_part": 1,
    }  # fmt: skip
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    series.refresh_from_db()
    assert series.title == "New title" and "<em>it</em>" in series.description_html
    assert list(Entry.objects.filter(series=series).in_series_order()) == [two, one]


def test_the_series_slug_must_be_unique(editor_client):
    SeriesFactory(slug="taken")
    response = editor_client.post(
        reverse("admin:posts_series_add"),
        {"title": "Another", "slug": "taken", "description": "",
         "entries-TOTAL_FORMS": 0, "entries-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 200 and "already exists" in response.content.decode()
    assert Series.objects.count() == 1


# Author profiles.


def test_an_editor_makes_a_profile_and_hostile_links_are_refused(editor_client):
    user = UserFactory()
    data = {
        "user": user.pk, "display_name": "Ada Lovelace", "slug": "ada",
        "bio": "Hello <script>alert(1)</script> *world*", "avatar": "",
        "website": "javascript:alert(1)", "mastodon": "", "github": "",
    }  # fmt: skip
    response = editor_client.post(reverse("admin:posts_authorprofile_add"), data)
    assert response.status_code == 200 and not AuthorProfile.objects.exists()
    data["website"] = "https://ada.example/"
    response = editor_client.post(reverse("admin:posts_authorprofile_add"), data)
    assert response.status_code == 302
    profile = AuthorProfile.objects.get()
    assert "<em>world</em>" in profile.bio_html and "<script" not in profile.bio_html


def test_an_author_edits_their_own_profile_only(author_client, author):
    own = AuthorProfileFactory(user=author, slug="me")
    other = AuthorProfileFactory(slug="them")
    changelist = author_client.get(reverse("admin:posts_authorprofile_changelist"))
    assert list(changelist.context["cl"].result_list) == [own]
    response = author_client.get(reverse("admin:posts_authorprofile_change", args=[other.pk]))
    assert response.status_code == 302
    data = {"display_name": "Me, myself", "slug": "me", "bio": "", "avatar": "",
            "website": "", "mastodon": "", "github": "", "user": other.user.pk}  # fmt: skip
    url = reverse("admin:posts_authorprofile_change", args=[own.pk])
    assert author_client.post(url, data).status_code == 302
    own.refresh_from_db()
    assert own.display_name == "Me, myself" and own.user == author  # user stays read-only


def test_roles_hold_the_new_permissions():
    member_of("Editor")
    from django.contrib.auth.models import Group

    editor = {p.codename for p in Group.objects.get(name="Editor").permissions.all()}
    author = {p.codename for p in Group.objects.get(name="Author").permissions.all()}
    assert {"change_series", "add_authorprofile"} <= editor
    assert "change_series" not in author and "change_authorprofile" in author
