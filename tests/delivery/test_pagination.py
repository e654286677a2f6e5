import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

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
