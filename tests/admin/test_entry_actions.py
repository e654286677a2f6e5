import pytest
from django.urls import reverse

from posts.models import Entry
from tests.factories import EntryFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:posts_entry_changelist")


def act(client, action: str, entries, **fields):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [e.pk for e in entries], **fields}
    )


def drafts(count: int, **fields) -> list[Entry]:
    return [
        EntryFactory(status=Entry.Status.DRAFT, published_at=None, **fields) for _ in range(count)
    ]


def test_publish_and_unpublish_the_selected_entries(editor_client):
    selected, left = drafts(2), drafts(1)
    assert act(editor_client, "publish_now", selected).status_code == 302
    assert set(Entry.objects.published()) == set(selected)
    assert not left[0].is_published
    act(editor_client, "make_draft", selected)
    assert not Entry.objects.published().exists()


def test_publish_action_publishes_selected_drafts(staff_client):
    selected = [EntryFactory(status=Entry.Status.DRAFT, published_at=None) for _ in range(2)]
    response = staff_client.post(
        reverse("admin:posts_entry_changelist"),
        {"action": "publish_now", "_selected_action": [d.pk for d in selected]},
    )
    assert response.status_code == 302
    assert Entry.objects.published().count() == 2


def test_publishing_with_the_action_shows_each_entrys_warnings(editor_client):
    [untagged] = drafts(1, title="No <b>tags</b> here")
    [tagged] = drafts(1, tags=["fine"])
    response = act(editor_client, "publish_now", [untagged, tagged])
    shown = [(m.level_tag, m.message) for m in response.wsgi_request._messages]
    assert shown[0] == (
        "warning",
        "“No &lt;b&gt;tags&lt;/b&gt; here” is published, but check: The entry has no tags: "
        "readers will not find it by topic.",
    )
    assert shown[1] == ("success", "Published 2 entries.")
    assert Entry.objects.published().count() == 2


def test_adding_a_tag_asks_for_its_name_first(editor_client, client):
    entries = drafts(2, tags=["old"])
    page = act(editor_client, "add_tag", entries)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="tag"' in html and 'value="add_tag"' in html
    assert all(entry.title in html for entry in entries)
    assert all(list(entry.tags.names()) == ["old"] for entry in entries)

    loaded = {entry.pk: entry.updated_at for entry in entries}
    response = act(editor_client, "add_tag", entries, tag="Fresh", apply="1")
    assert response.status_code == 302
    for entry in entries:
        entry.refresh_from_db()
        # A form opened before the action sees a newer save: its old tags are not saved over.
        assert entry.updated_at > loaded[entry.pk]
        assert sorted(entry.tags.names()) == ["Fresh", "old"]
        assert entry.tag_names == "Fresh old"  # the search column followed
        assert entry.revisions.first().tags == "Fresh, old"


def test_adding_an_empty_tag_name_is_a_form_error(editor_client):
    entries = drafts(1)
    page = act(editor_client, "add_tag", entries, tag="  ", apply="1")
    assert page.status_code == 200
    assert page.context["form"].errors
    assert not entries[0].tags.exists()


def test_removing_a_tag_ignores_its_case(editor_client):
    entries = drafts(2, tags=["python", "web"])
    act(editor_client, "remove_tag", entries, tag="Python", apply="1")
    for entry in entries:
        entry.refresh_from_db()
        assert list(entry.tags.names()) == ["web"]
        assert entry.tag_names == "web"


def test_an_author_tags_only_their_own_drafts(author_client, author):
    own = drafts(1, author=author)
    others = drafts(1, author=UserFactory())
    act(author_client, "add_tag", own + others, tag="mine", apply="1")
    assert list(own[0].tags.names()) == ["mine"]
    assert not others[0].tags.exists()
