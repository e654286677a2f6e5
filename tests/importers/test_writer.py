"""The importers' writer (posts/importers/writer.py): what it stores, however it stores it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone as django_timezone

from posts.delivery.cache import content_version
from posts.models import Entry
from posts.search import search_entries
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db


def test_an_imported_entry_has_every_field_a_saved_one_has(tmp_path):
    for number in range(3):
        (tmp_path / f"2020-01-0{number + 1}-post-{number}.md").write_text(
            f"---\ntitle: Post {number}\ntags: [alpha, beta]\n"
            f"date: 2020-01-0{number + 1} 09:00:00 +0100\nlast_modified_at: 2020-02-01\n---\n"
            f"First paragraph of post {number}, about gardening.\n\n## More\n\nText.\n",
            encoding="utf-8",
        )
    call_command("import_markdown", str(tmp_path), stdout=None)
    entries = list(Entry.objects.order_by("slug"))
    assert [entry.slug for entry in entries] == ["post-0", "post-1", "post-2"]
    first = entries[0]
    assert first.import_key == "markdown:2020-01-01-post-0.md"
    assert first.published_at == first.created_at == datetime(2020, 1, 1, 8, 0, tzinfo=UTC)
    assert first.updated_at == datetime(2020, 2, 1, tzinfo=django_timezone.get_current_timezone())
    assert "<h2>More</h2>" in first.body_html
    assert first.body_text.startswith("First paragraph of post 0, about gardening. More")
    assert first.summary == "First paragraph of post 0, about gardening."
    assert first.tag_names == "alpha beta"
    assert sorted(first.tags.names()) == ["alpha", "beta"]
    assert len({entry.preview_token for entry in entries}) == 3 and first.preview_token
    assert first.revisions.count() == 0
    # In the search index, by its text and by its tags.
    for query in ("gardening", "alpha"):
        found = {hit.entry.slug for hit in search_entries(query)[:10]}
        assert found == {"post-0", "post-1", "post-2"}, query


def test_an_import_makes_every_cached_page_stale(tmp_path, django_capture_on_commit_callbacks):
    (tmp_path / "2020-01-01-post.md").write_text("---\ntitle: Post\n---\nText.\n", "utf-8")
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_markdown", str(tmp_path), stdout=None)
    assert content_version() != before


def test_a_reimport_that_changes_an_entry_keeps_what_was_there_as_a_revision(tmp_path):
    source = write(tmp_path, "2020-05-01-notes.md", "---\ntitle: Notes\ntags: [a]\n---\nFirst.\n")
    run(tmp_path)
    entry = Entry.objects.get()
    entry.body = "Edited here, in the admin.\n"
    entry.save()
    source.write_text("---\ntitle: Notes\ntags: [a, b]\n---\nSecond.\n", encoding="utf-8")
    assert "updated: 1" in run(tmp_path)
    entry.refresh_from_db()
    assert entry.body == "Second.\n"
    kept = list(entry.revisions.order_by("created_at", "pk").values_list("body", "tags"))
    assert kept == [("Edited here, in the admin.\n", "a"), ("Second.\n", "a, b")]


def test_an_author_name_longer_than_an_account_name_is_found_again(tmp_path):
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2014-01-02-long.md").write_text(f"---\ntitle: Long\nauthor: {'a' * 200}\n---\nText\n")
    run(posts)
    assert "created: 0, updated: 0, unchanged: 1" in run(posts)
    assert get_user_model().objects.get().username == "a" * 150


def planner_rows(table: str) -> int | None:
    """Return how many rows the planner's statistics say the table has (None: no statistics)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            (rows,) = cursor.fetchone()
            return None if rows < 0 else int(rows)
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx IS NULL", [table])
        found = (
            cursor.fetchone()
            or cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table]).fetchone()
        )
        return int(found[0].split()[0]) if found else None


def write_posts(folder, count: int, first: int = 0) -> None:
    for number in range(first, first + count):
        day = datetime(2020, 1, 1) + timedelta(days=number)
        write(folder, f"{day:%Y-%m-%d}-post-{number}.md", f"# Post {number}\n\nText.\n")


def test_an_import_leaves_the_planner_knowing_how_many_entries_there_are(tmp_path):
    """After a bulk load the planner must not go on thinking the tables are empty: SQLite and
    PostgreSQL pick their indexes from these counts (see posts/operations/maintenance.py)."""
    # ANALYZE's count outlives a test's rollback on PostgreSQL: import a number it is not.
    count = 59 if planner_rows(Entry._meta.db_table) == 57 else 57
    write_posts(tmp_path, count)
    run(tmp_path)
    assert Entry.objects.count() == count
    assert planner_rows(Entry._meta.db_table) == count


def test_a_small_import_leaves_the_statistics_alone(tmp_path, monkeypatch):
    """Under autovacuum's rule (50 rows and a tenth of the table) nothing is analysed: on a
    large site that would cost most of a second for a handful of posts."""
    import posts.importers.writer as writer

    analysed = []
    monkeypatch.setattr(writer, "analyze_database", lambda **kwargs: analysed.append(kwargs))
    # (posts added, first number, folder): 50 is not over 50 + 0 // 10, 55 not over 50 + 50 // 10,
    # 61 is over 50 + 105 // 10.
    for added, first, folder in [(50, 0, "a"), (55, 50, "b"), (61, 105, "c")]:
        write_posts(tmp_path / folder, added, first=first)
        run(tmp_path / folder)
        assert analysed == ([] if folder != "c" else [{"tables": writer.GROWN_TABLES}])
    assert Entry.objects.count() == 166


def test_an_import_stands_when_the_statistics_cannot_be_refreshed(tmp_path, monkeypatch, caplog):
    from django.db import OperationalError

    import posts.importers.writer as writer

    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(writer, "analyze_database", busy)
    write_posts(tmp_path, 51)
    out = run(tmp_path)
    assert Entry.objects.count() == 51 and "Import finished." in out
    assert "Could not refresh the planner's statistics" in caplog.text
