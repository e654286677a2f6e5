import pytest
from django.urls import reverse
from taggit.models import Tag

from posts.editorial.tags import delete_tags, merge_tags, tag_renamed
from posts.links import tag_path
from posts.models import Entry, Redirect
from posts.search import search_entries
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

TAGS = reverse("admin:taggit_tag_changelist")


def tag_form(name: str, slug: str) -> dict:
    return {"name": name, "slug": slug}


def test_renaming_a_tag_in_the_admin_redirects_its_old_address(editor_client, client):
    entry = EntryFactory(tags=["js"])
    tag = Tag.objects.get(name="js")
    response = editor_client.post(
        reverse("admin:taggit_tag_change", args=[tag.pk]), tag_form("JavaScript", "javascript")
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.tag_names == "JavaScript"
    old = client.get("/tags/js/")
    assert old.status_code == 301 and old["Location"] == "/tags/javascript/"
    assert client.get("/tags/javascript/").status_code == 200
    assert [hit.entry for hit in search_entries("javascript")[:10]] == [entry]


def test_renaming_back_leaves_no_loop_and_earlier_redirects_follow():
    EntryFactory(tags=["a"])
    tag = Tag.objects.get(name="a")
    Redirect.objects.create(old_path="/category/a/", target=tag_path("a"))
    for old, new in [("a", "b"), ("b", "a")]:
        tag.name = tag.slug = new
        tag.save()
        tag_renamed(tag, old, old)
    assert not Redirect.objects.filter(old_path=tag_path("a")).exists()
    assert Redirect.objects.get(old_path=tag_path("b")).target == tag_path("a")
    assert Redirect.objects.get(old_path="/category/a/").target == tag_path("a")


def test_merging_moves_entries_deletes_the_others_and_redirects_them(client):
    both = EntryFactory(tags=["python", "py"])
    only_py = EntryFactory(tags=["py", "Python3"])
    keep = Tag.objects.get(name="python")
    others = Tag.objects.filter(name__in=["py", "Python3"])
    assert merge_tags(keep, [keep, *others]) == 2
    assert list(Tag.objects.values_list("name", flat=True)) == ["python"]
    for entry in (both, only_py):
        entry.refresh_from_db()
        assert list(entry.tags.names()) == ["python"]
        assert entry.tag_names == "python"
    assert client.get("/tags/py/")["Location"] == "/tags/python/"
    assert client.get("/tags/python3/")["Location"] == "/tags/python/"
    assert set(client.get("/tags/python/").context["entries"]) == {both, only_py}


def test_the_merge_action_asks_which_tag_to_keep(editor_client):
    EntryFactory(tags=["css", "styles"])
    tags = list(Tag.objects.order_by("name"))
    selected = {"action": "merge", "_selected_action": [t.pk for t in tags]}
    page = editor_client.post(TAGS, selected)
    assert page.status_code == 200
    assert all(f'name="keep" value="{t.pk}"' in page.content.decode() for t in tags)
    assert Tag.objects.count() == 2
    keep = Tag.objects.get(name="styles")
    response = editor_client.post(TAGS, {**selected, "keep": keep.pk, "apply": "1"})
    assert response.status_code == 302
    assert list(Tag.objects.all()) == [keep]
    assert list(Entry.objects.get().tags.all()) == [keep]


def test_merging_one_tag_is_refused(editor_client):
    EntryFactory(tags=["alone"])
    response = editor_client.post(
        TAGS, {"action": "merge", "_selected_action": [Tag.objects.get().pk]}, follow=True
    )
    assert "Select two tags or more" in response.content.decode()
    assert Tag.objects.count() == 1


def test_authors_cannot_merge_tags(author_client):
    EntryFactory(tags=["x", "y"])
    ids = list(Tag.objects.values_list("pk", flat=True))
    author_client.post(TAGS, {"action": "merge", "_selected_action": ids, "keep": ids[0],
                              "apply": "1"})  # fmt: skip
    assert Tag.objects.count() == 2


def test_deleting_tags_takes_them_out_of_the_search_text(editor_client):
    entry = EntryFactory(tags=["keep", "drop", "also-drop"])
    delete_tags(Tag.objects.filter(name="drop"))
    entry.refresh_from_db()
    assert entry.tag_names == "also-drop keep"
    tag = Tag.objects.get(name="also-drop")
    response = editor_client.post(
        reverse("admin:taggit_tag_delete", args=[tag.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.tag_names == "keep"
    assert [hit.entry for hit in search_entries("drop")[:10]] == []
