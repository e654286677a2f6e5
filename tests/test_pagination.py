import pytest
from django.core.paginator import Paginator

from posts.models import Entry
from posts.pagination import WindowPaginator
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("orphans", [0, 3])
def test_every_page_holds_the_rows_the_plain_paginator_gives(orphans, django_assert_num_queries):
    EntryFactory.create_batch(23, tags=["t"])
    entries = Entry.objects.published().for_listing()
    plain = Paginator(entries, 10, orphans=orphans)
    window = WindowPaginator(entries, 10, orphans=orphans)
    assert window.num_pages == plain.num_pages
    for number in plain.page_range:
        expected = [entry.pk for entry in plain.page(number)]
        page = window.page(number)
        with django_assert_num_queries(2):  # the rows, and their tags
            got = [entry.pk for entry in page]
        assert got == expected and len(got) >= 1
        assert all(hasattr(entry, "tag_list") for entry in page)
