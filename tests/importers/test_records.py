"""The records a reader builds (posts/importers/records.py): a Post's picture marks."""

from pathlib import Path

import pytest

from posts.importers.records import ImageRef, Post
from posts.models import Entry
from tests.factories import image_bytes
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db


def test_text_that_looks_like_our_picture_mark_stays_text(tmp_path):
    site = tmp_path / "site"
    (site / "shots").mkdir(parents=True)
    (site / "shots" / "a.png").write_bytes(image_bytes(size=(40, 30)))
    body = "Marks: @@blogsite-image-0@@ and @@blogsite-image-7@@.\n\n![A shot](/shots/a.png)\n"
    write(site, "_posts/2020-01-02-marks.md", "---\ntitle: Marks\n---\n" + body)
    run(site / "_posts")
    entry = Entry.objects.get(slug="marks")
    assert "Marks: @@blogsite-image-0@@ and @@blogsite-image-7@@." in entry.body
    assert entry.images.count() == 1 and "/media/" in entry.body


def test_a_picture_added_twice_has_one_mark_and_each_mark_becomes_its_address():
    post = Post(origin="a.md", key="", title="A", slug="a", body="")
    first = post.add_image(ImageRef(Path("a.png")))
    again = post.add_image(ImageRef(Path("a.png"), alt="the same file"))
    other = post.add_image(ImageRef(Path("b.png")))
    assert first == again != other and [ref.path.name for ref in post.images] == ["a.png", "b.png"]
    post.body = f"{first} {other} @@blogsite-image-0@@ {again}"
    assert post.with_pictures(lambda ref: ref.path.name) == "a.png b.png @@blogsite-image-0@@ a.png"
