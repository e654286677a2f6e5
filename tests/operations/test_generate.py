import pytest

from posts.models import Entry
from posts.operations.generate import generate_entries
from posts.search import search_entries

pytestmark = pytest.mark.django_db


def test_generated_entries_are_published_tagged_and_searchable_as_they_are_written():
    assert generate_entries(30, batch=10) == 30  # three batches, each indexed as written
    entries = list(Entry.objects.published().prefetch_related("tags"))
    assert len(entries) == 30
    for entry in entries:
        names = sorted(tag.name for tag in entry.tags.all())
        assert len(names) == 3 and entry.tag_names == " ".join(names)
        assert entry.body_html and entry.cover_id
        assert [byline.user_id for byline in entry.bylines.all()] == [entry.author_id]
    tagged = entries[0].tag_names.split()[0]
    found = {hit.entry.pk for hit in search_entries(tagged)[0:50]}
    assert {e.pk for e in entries if tagged in e.tag_names.split()} == found
    title = entries[0].title.split("(")[-1].rstrip(")")  # every title ends with its number
    assert [hit.entry for hit in search_entries(title)[0:10]] == [entries[0]]
