"""Front-matter values (posts/importers/fields.py): odd kinds read as nothing, numbers as tags."""

import pytest

from posts.models import Entry
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "front_matter",
    [
        "redirect_from: 5\npictures: 7\ncategories: 5\ntags: {a: 1}\n",
        "authors: Bob\n",
        "draft: 'false'\n",
        "title: [1, 2]\n",
    ],
)
def test_odd_values_in_front_matter_do_not_stop_an_import(tmp_path, front_matter):
    write(tmp_path, "2020-02-02-odd.md", f"---\n{front_matter}---\nText.\n")
    run(tmp_path)
    entry = Entry.objects.get()
    assert entry.status == Entry.Status.PUBLISHED
    if "authors" in front_matter:
        assert entry.author.username == "Bob"


@pytest.mark.parametrize(
    ("front_matter", "tags"),
    [("tags: 2014\n", ["2014"]), ("tags: [2014, 3.5]\n", ["2014", "3.5"]), ("tags: yes\n", [])],
)
def test_tags_written_as_numbers_are_tags(tmp_path, front_matter, tags):
    write(tmp_path, "2020-02-02-year.md", f"---\n{front_matter}---\nText.\n")
    run(tmp_path)
    assert sorted(Entry.objects.get().tags.names()) == tags


def byline(entry: Entry) -> list[str]:
    return [row.user.username for row in entry.bylines.order_by("position")]


def test_an_authors_list_becomes_the_byline_in_its_order(tmp_path):
    write(
        tmp_path,
        "2020-02-02-together.md",
        "---\nauthors: [charles, Ada Lovelace, charles, {name: Grace Hopper}]\n---\nText.\n",
    )
    run(tmp_path)
    entry = Entry.objects.get()
    assert byline(entry) == ["charles", "ada-lovelace", "grace-hopper"]
    assert entry.author.username == "charles"
    assert "unchanged: 1" in run(tmp_path)  # the same byline again changes nothing


def test_a_changed_authors_list_updates_the_byline(tmp_path):
    path = write(tmp_path, "2020-02-02-together.md", "---\nauthors: [a, b]\n---\nText.\n")
    run(tmp_path)
    path.write_text("---\nauthors: [b, c]\n---\nText.\n", encoding="utf-8")
    assert "updated: 1" in run(tmp_path)
    assert byline(Entry.objects.get()) == ["b", "c"]


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("series: Unikernels in production\nseries_part: 2\n", ("unikernels-in-production", 2)),
        ("series: [Unikernels, Other]\n", ("unikernels", None)),
        ("series: {slug: uk, title: Unikernels}\nseries_part: '3'\n", ("uk", 3)),
        ("series: Unikernels\nseries_part: [1]\n", ("unikernels", None)),
        ("series: Unikernels\nseries_part: 99999999\n", ("unikernels", None)),
        ("series: {slug: uk}\n", (None, None)),
        ("series: 5\n", ("5", None)),
        ("series_part: 2\n", (None, None)),
    ],
)
def test_series_in_front_matter(tmp_path, front_matter, expected):
    write(tmp_path, "2020-02-02-part.md", f"---\n{front_matter}---\nText.\n")
    run(tmp_path)
    entry = Entry.objects.select_related("series").get()
    assert (entry.series and entry.series.slug, entry.series_part) == expected
