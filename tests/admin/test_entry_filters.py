"""The entry list: its Draft / Scheduled / Published filter, its search, its columns."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from posts.models import Entry
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:posts_entry_changelist")


@pytest.fixture
def entries(editor):
    now = timezone.now()
    return {
        "draft": EntryFactory(title="Still a draft", status=Entry.Status.DRAFT, author=editor),
        "scheduled": EntryFactory(title="Next week", published_at=now + timedelta(days=7)),
        "published": EntryFactory(title="Out already", published_at=now - timedelta(days=1)),
    }


def listed(response) -> set[str]:
    return {entry.title for entry in response.context["cl"].result_list}


def test_the_state_filter_offers_draft_scheduled_and_published(editor_client, entries):
    response = editor_client.get(CHANGELIST)
    state = next(f for f in response.context["cl"].filter_specs if f.parameter_name == "state")
    assert [choice["display"] for choice in state.choices(response.context["cl"])] == [
        "All", "Draft", "Scheduled", "Published",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("state", "title"),
    [("draft", "Still a draft"), ("scheduled", "Next week"), ("published", "Out already")],
)
def test_each_state_lists_only_its_entries(editor_client, entries, state, title):
    response = editor_client.get(CHANGELIST, {"state": state})
    assert response.status_code == 200
    assert listed(response) == {title}


def test_a_scheduled_entry_counts_as_published_once_its_time_has_come(editor_client, entries):
    Entry.objects.filter(pk=entries["scheduled"].pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    assert listed(editor_client.get(CHANGELIST, {"state": "scheduled"})) == set()
    published = listed(editor_client.get(CHANGELIST, {"state": "published"}))
    assert published == {"Next week", "Out already"}


def test_an_unknown_state_is_a_clear_no_op_not_a_crash(editor_client, entries):
    response = editor_client.get(CHANGELIST, {"state": "nonsense"})
    assert response.status_code == 200
    assert len(listed(response)) == 3


def test_search_finds_words_in_title_excerpt_and_body(editor_client, editor):
    EntryFactory(title="Sourdough notes", author=editor)
    EntryFactory(title="Other", excerpt="All about sourdough starters", author=editor)
    EntryFactory(title="Third", body="Feeding a *sourdough* starter.", author=editor)
    EntryFactory(title="Unrelated", body="Nothing to see.", author=editor)
    response = editor_client.get(CHANGELIST, {"q": "sourdough"})
    assert listed(response) == {"Sourdough notes", "Other", "Third"}
    assert b'id="searchbar"' in response.content


def test_search_and_filter_combine(editor_client, entries):
    response = editor_client.get(CHANGELIST, {"q": "draft", "state": "draft"})
    assert listed(response) == {"Still a draft"}
    assert listed(editor_client.get(CHANGELIST, {"q": "draft", "state": "published"})) == set()


def test_the_list_shows_title_state_authors_and_date(editor_client, entries):
    response = editor_client.get(CHANGELIST)
    cl = response.context["cl"]
    # The last column is the social app's (social/admin.py), for those who may see reactions.
    assert cl.list_display == [
        "action_checkbox", "title", "state", "byline", "published_at", "likes_and_boosts"
    ]  # fmt: skip
    html = response.content.decode()
    assert "Scheduled" in html and "Draft" in html


def test_the_list_runs_a_fixed_number_of_queries(
    editor_client, editor, django_assert_max_num_queries
):
    EntryFactory.create_batch(3, author=editor)
    editor_client.get(CHANGELIST)  # warm: sessions, content types
    with django_assert_max_num_queries(12) as few:
        editor_client.get(CHANGELIST)
    EntryFactory.create_batch(20, author=editor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        editor_client.get(CHANGELIST)
