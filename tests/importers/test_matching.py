"""Which entry a post updates (posts/importers/matching.py), and the slug it takes."""

import pytest

from posts.models import Entry
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db


def test_same_titles_in_one_import_get_distinct_slugs_every_time(tmp_path):
    write(tmp_path, "2013-02-04-hello.md", "---\ntitle: Hello\n---\nOne.\n")
    write(tmp_path, "2013-02-16-hello.md", "---\ntitle: Hello\n---\nTwo.\n")
    run(tmp_path)
    run(tmp_path)
    assert dict(Entry.objects.values_list("slug", "body")) == {
        "hello": "One.\n",
        "hello-2": "Two.\n",
    }


def test_an_unrelated_entry_with_the_same_slug_is_never_taken_over(tmp_path):
    from tests.factories import EntryFactory

    about = EntryFactory(slug="about", title="About us", body="Ours.")
    write(tmp_path, "about.md", "---\ntitle: Imported\nslug: about\ndraft: true\n---\nTheirs.\n")
    output = run(tmp_path)
    assert "slug 'about' belongs to another entry" in output and "gets 'about-2'" in output
    about.refresh_from_db()
    assert (about.title, about.body, about.status) == ("About us", "Ours.", Entry.Status.PUBLISHED)
    assert Entry.objects.get(slug="about-2").body == "Theirs.\n"
    assert "Entries created: 0, updated: 0, unchanged: 1" in run(tmp_path)
