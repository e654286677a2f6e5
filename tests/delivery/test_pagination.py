import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.utils import timezone

from posts.delivery import pagination
from posts.delivery.pagination import WindowPaginator
from posts.models import Entry
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("count", "orphans"), [(20, 0), (23, 0), (23, 3), (24, 3)])
def test_every_page_holds_the_rows_the_plain_paginator_gives(
    count, orphans, django_assert_num_queries
):
    EntryFactory.create_batch(count, tags=["t"])
    entries = Entry.objects.published().for_listing()
    plain = Paginator(entries, 10, orphans=orphans)
    window = WindowPaginator(entries, 10, orphans=orphans)
    for number in plain.page_range:
        expected = plain.page(number)
        with django_assert_num_queries(3):  # the rows (and one more, if any), tags, bylines
            page = window.page(number)
        assert [entry.pk for entry in page] == [entry.pk for entry in expected]
        assert page.has_next() == expected.has_next()
        assert page.has_previous() == expected.has_previous()
        assert all(hasattr(entry, "tag_list") for entry in page)
    with pytest.raises(EmptyPage):
        window.page(plain.num_pages + 1)
    assert window.num_pages == plain.num_pages  # still there for whoever asks: one count


def test_a_page_is_found_without_counting_the_list(django_assert_num_queries):
    EntryFactory.create_batch(3)
    window = WindowPaginator(Entry.objects.published(), 10)
    with django_assert_num_queries(1):
        page = window.page(1)
    assert len(page) == 3 and not page.has_other_pages()
    assert "count" not in window.__dict__  # Django's cached count was never asked for


def test_page_numbers_are_checked_without_a_query(django_assert_num_queries):
    window = WindowPaginator(Entry.objects.published(), 10)
    with django_assert_num_queries(0):
        for bad in ("x", None, 1.5):
            with pytest.raises(PageNotAnInteger):
                window.page(bad)
        for out_of_range in (0, -1, 10**30):
            with pytest.raises(EmptyPage):
                window.page(out_of_range)
    assert list(window.page(1)) == []  # an empty list still has its first page
    with pytest.raises(EmptyPage):
        WindowPaginator(Entry.objects.published(), 10, allow_empty_first_page=False).page(1)


def same_times(count: int) -> list[Entry]:
    """Make entries in threes that share a publish time, so that cursors must break ties by id."""
    base = timezone.now() - timedelta(days=3)
    return [
        EntryFactory(published_at=base - timedelta(hours=number // 3), tags=["t"])
        for number in range(count)
    ]


def test_pages_read_from_cursors_hold_the_rows_the_plain_paginator_gives(
    django_assert_num_queries,
):
    same_times(23)
    entries = Entry.objects.published().for_listing()
    plain = Paginator(entries, 5)
    expected = [[entry.pk for entry in plain.page(n)] for n in plain.page_range]
    # Older, page by page, from the last row of each page.
    cursor, seen = None, []
    for number in plain.page_range:
        paginator = WindowPaginator(entries, 5, after=cursor and str(cursor))
        with django_assert_num_queries(3):  # as a page by number: rows, tags, bylines
            page = paginator.page(number)
        seen.append([entry.pk for entry in page])
        assert page.has_next() == (number < plain.num_pages)
        cursor = page.object_list[-1].pk
    assert seen == expected
    # Newer, from the first row of each page, back up from the last.
    cursor, seen = None, []
    for number in reversed(plain.page_range):
        page = WindowPaginator(entries, 5, before=cursor and str(cursor)).page(number)
        seen.append([entry.pk for entry in page])
        assert page.has_next() == (number < plain.num_pages)
        cursor = page.object_list[0].pk
    assert seen == expected[::-1]


@pytest.mark.parametrize("cursor", ["999999", "x", "-1", "1e3", "٣", "9" * 40, ""])
def test_a_cursor_naming_no_row_falls_back_to_the_page_by_number(cursor):
    same_times(12)
    entries = Entry.objects.published().for_listing()
    by_number = [entry.pk for entry in WindowPaginator(entries, 5).page(2)]
    for direction in ("after", "before"):
        page = WindowPaginator(entries, 5, **{direction: cursor}).page(2)
        assert [entry.pk for entry in page] == by_number


def test_an_unpublished_entry_as_cursor_falls_back_to_the_page_by_number():
    entries = same_times(12)
    hidden = entries[4]
    Entry.objects.filter(pk=hidden.pk).update(status=Entry.Status.DRAFT)
    visible = Entry.objects.published().for_listing()
    # The draft's time still places the cursor: the rows after it, not a made-up page.
    page = WindowPaginator(visible, 5, after=str(hidden.pk)).page(2)
    assert [entry.pk for entry in page] == [
        entry.pk
        for entry in visible
        if (entry.published_at, entry.pk) < (hidden.published_at, hidden.pk)
    ][:5]


def test_a_list_in_another_order_ignores_cursors():
    same_times(12)
    in_parts = Entry.objects.published().for_listing().in_series_order()
    by_number = WindowPaginator(in_parts, 5).page(2)
    page = WindowPaginator(in_parts, 5, after=str(by_number.object_list[0].pk)).page(2)
    assert [entry.pk for entry in page] == [entry.pk for entry in by_number]
    assert page.next_cursor() is None and page.previous_cursor() is None


def follow(client, path: str, rel: str) -> list[tuple[str, list[str]]]:
    """Follow a list's rel=next (or prev) links to the end; return each address and its titles."""
    seen = []
    while path:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        seen.append((path, [entry.title for entry in response.context["entries"]]))
        link = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
        path = link and "/" + unescape(link.group(1)) if link else None
    return seen


def test_readers_walk_a_long_index_by_cursors_and_see_every_entry_once(client, monkeypatch):
    monkeypatch.setattr(pagination, "PLAIN_PAGES", 2)
    entries = same_times(45)
    older = follow(client, "/", "next")
    assert [path for path, _titles in older][:2] == ["/", "/?page=2"]
    assert all("&after=" in path for path, _titles in older[2:])
    titles = [title for _path, page in older for title in page]
    assert sorted(titles) == sorted(entry.title for entry in entries) and len(set(titles)) == 45
    newer = follow(client, older[-1][0], "prev")
    assert [page for _path, page in newer] == [page for _path, page in older][::-1]
    assert newer[-1][0] == "/?page=1"


def test_a_made_up_cursor_never_reaches_the_page_cached_for_its_number(client, settings):
    settings.BLOGSITE_PAGE_CACHE = True
    entries = same_times(15)
    by_number = [entry.title for entry in client.get("/?page=2").context["entries"]]
    deep = client.get(f"/?page=2&after={entries[3].pk}")
    assert [entry.title for entry in deep.context["entries"]] != by_number
    again = client.get("/?page=2")
    assert again["X-Cache"] == "hit"
    assert entries[8].title in deep.content.decode()
    assert entries[8].title not in again.content.decode()
