"""Rendering every entry again: on every core, stored a batch at a time, the same as one by one."""

import pytest
from django.core.files.base import ContentFile

from posts import search
from posts.models import Entry, EntryImage, Image
from posts.operations import rerender as rendering
from tests.factories import EntryFactory, image_bytes

pytestmark = pytest.mark.django_db


def make_stale_site():
    """Return entries whose stored HTML an older pipeline made, and one that is up to date."""
    picture = Image.objects.from_upload(
        ContentFile(image_bytes(size=(120, 80)), name="dot.png"), alt_text="A dot"
    )[0]
    shown = EntryFactory(body=f"Before.\n\n![A dot]({picture.file.url})\n")
    coded = EntryFactory(body="```python\nprint('zanzibar')\n```\n")
    fresh = EntryFactory(body="Nothing changes here.")
    EntryImage.objects.filter(entry=shown).delete()
    Entry.objects.filter(pk__in=[shown.pk, coded.pk]).update(
        body_html="<p>old</p>", body_text="old", summary="old"
    )
    return picture, shown, coded, fresh


def stored():
    return {
        entry.pk: (entry.body_html, entry.body_text, entry.summary, list(entry.images.all()))
        for entry in Entry.objects.order_by("pk")
    }


@pytest.mark.parametrize("parallel_from", [2, 10_000], ids=["forked workers", "one process"])
def test_only_what_changed_is_stored_with_its_pictures_and_search_text(monkeypatch, parallel_from):
    monkeypatch.setattr(rendering, "PARALLEL_FROM", parallel_from)
    monkeypatch.setattr(rendering, "BATCH", 2)  # three entries: two batches
    picture, shown, coded, fresh = make_stale_site()
    fresh_updated = Entry.objects.get(pk=fresh.pk).updated_at

    assert rendering.rerender_entries(Entry.objects.all(), dry_run=True) == 2
    assert Entry.objects.get(pk=shown.pk).body_html == "<p>old</p>"
    assert rendering.rerender_entries(Entry.objects.all()) == 2

    after = stored()
    assert "<picture>" in after[shown.pk][0] and after[shown.pk][3] == [picture]
    assert '<span class="nb">print' in after[coded.pk][0]
    assert "zanzibar" in after[coded.pk][1]
    assert Entry.objects.get(pk=fresh.pk).updated_at == fresh_updated
    assert [hit.entry.pk for hit in search.search_entries("zanzibar")[0:10]] == [coded.pk]
    assert rendering.rerender_entries(Entry.objects.all()) == 0


def test_forked_workers_store_exactly_what_one_process_does(monkeypatch):
    make_stale_site()
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 10_000)
    rendering.rerender_entries(Entry.objects.all())
    alone = stored()
    Entry.objects.update(body_html="<p>old</p>", body_text="old", summary="old")
    EntryImage.objects.all().delete()
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 2)
    rendering.rerender_entries(Entry.objects.all())
    assert stored() == alone
