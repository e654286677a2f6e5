"""The writer's bulk queries (posts/importers/store.py): rows as the ORM stores them, redirects."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from posts.importers.store import _create_entries, _update_entries
from posts.models import Entry, Redirect
from tests.factories import ImageFactory, UserFactory
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db


def _unsaved(slug: str, author, cover) -> Entry:
    paris = timezone(timedelta(hours=1))
    return Entry(
        slug=slug,
        title="Café « notes »",
        author_id=author.pk,
        body="# Notes\n\nSome *text*.\n",
        body_html="<h1>Notes</h1>\n<p>Some <em>text</em>.</p>",
        body_text="Notes Some text.",
        tag_names="alpha beta",
        excerpt="",
        summary="Some text.",
        status=Entry.Status.PUBLISHED,
        published_at=datetime(2014, 3, 2, 10, 30, tzinfo=paris),
        created_at=datetime(2014, 3, 1, 8, 0, tzinfo=UTC),
        updated_at=datetime(2015, 6, 7, 8, 9, 10, 123456, tzinfo=paris),
        cover_id=cover.pk if cover else None,
        import_key=f"jekyll:{slug}.md",
        preview_token="a-token",
    )


def _stored(entries: list[Entry]) -> list[dict]:
    """Return two entries' rows as the database holds them, but for their ids and sources.

    A time must be stored as the ORM stores it (on SQLite, UTC text), not merely be read
    back as the same value.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {Entry._meta.db_table} WHERE id IN (%s, %s) ORDER BY slug",
            [entry.pk for entry in entries],
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [{k: v for k, v in row.items() if k not in ("id", "slug", "import_key")} for row in rows]


def test_new_entries_are_stored_as_bulk_create_stores_them():
    author, cover = UserFactory(), ImageFactory()
    by_orm = [_unsaved("orm-1", author, cover), _unsaved("orm-2", author, None)]
    by_rows = [_unsaved("rows-1", author, cover), _unsaved("rows-2", author, None)]
    Entry.objects.bulk_create(by_orm)
    _create_entries(by_rows)
    assert all(entry.pk and not entry._state.adding for entry in by_rows)
    assert _stored(by_rows) == _stored(by_orm)
    assert Entry.objects.get(pk=by_rows[0].pk).slug == "rows-1"  # each row got its own id


def test_changed_entries_are_stored_as_bulk_update_stores_them():
    author, cover = UserFactory(), ImageFactory()
    by_orm = [_unsaved("orm-1", author, None), _unsaved("orm-2", author, cover)]
    by_rows = [_unsaved("rows-1", author, None), _unsaved("rows-2", author, cover)]
    Entry.objects.bulk_create([*by_orm, *by_rows])
    later = datetime(2016, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5)))
    for entry in [*by_orm, *by_rows]:
        entry.title, entry.body_html, entry.tag_names = "Renamed", "<p>New</p>", "gamma"
        entry.cover_id = cover.pk if entry.cover_id is None else None
        entry.status, entry.published_at, entry.updated_at = Entry.Status.DRAFT, None, later
    names = ["title", "body_html", "tag_names", "cover_id", "status", "published_at", "updated_at"]
    Entry.objects.bulk_update(by_orm, names)
    _update_entries(by_rows, names)
    assert _stored(by_rows) == _stored(by_orm)
    assert Entry.objects.get(slug="rows-1").cover_id == cover.pk


def test_a_redirects_file_cannot_plant_a_script_address(tmp_path, client):
    write(tmp_path, "a.md", "---\ntitle: A\n---\nx\n")
    (tmp_path / "_redirects").write_text(
        "/old-js javascript:alert(1) 301\n/old-data data:text/html,x 301\n/fine /a/ 301\n"
    )
    output = run(tmp_path)
    assert "redirect to 'javascript:alert(1)' not imported" in output
    assert sorted(Redirect.objects.values_list("old_path", flat=True)) == ["/fine"]
