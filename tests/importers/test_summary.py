"""The summary at the end of an import (posts/importers/summary.py): one screen, all in a file."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from posts.importers.records import Report
from posts.importers.summary import read_warning, summary_lines
from posts.models import Entry
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db

SCREEN = 25  # lines: what a terminal shows without scrolling
POSTS = 250


def lines_of(output: str) -> list[str]:
    return output.rstrip("\n").splitlines()


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_hundreds_of_markdown_warnings_fit_one_screen_and_the_file_holds_every_one(tmp_path):
    for n in range(POSTS):
        write(
            tmp_path / "posts",
            f"post-{n}.md",
            f"---\ntitle: Post {n}\n---\nSee [it](http://example.eu{n}]) and "
            f"![x](/gone/{n}.png).\n\n{{{{< widget-{n} >}}}}\n",
        )
    report = tmp_path / "report.jsonl"
    output = run(tmp_path / "posts", "--report", report)
    assert Entry.objects.count() == POSTS
    lines = lines_of(output)
    assert len(lines) <= SCREEN, output
    assert lines[0].startswith(f"Entries created: {POSTS},")
    # Each kind once, with its count and one example.
    assert sum("no date in its front matter" in line for line in lines) == 1
    assert f"Note ({POSTS}x): " in output and f"(and {POSTS - 1} more like it)" in output
    assert f"Pictures not found ({POSTS}), their addresses kept:" in output
    assert "widget-0 >}} (and 249 more like it)" in output
    assert f"Every outcome and note, one a line: {report}" in output

    records = read_jsonl(report)
    assert sum(r["type"] == "entry" and r["outcome"] == "created" for r in records) == POSTS
    notes = [r for r in records if r["type"] == "note"]
    for kind in ("no date", "link address cannot be read", "picture not found", "widget-"):
        about = [r for r in notes if kind in r["kind"] or kind in r["message"]]
        assert len(about) == POSTS, kind
        # Every file is named where the note has a place.
        if kind != "widget-":
            assert {r["file"].rsplit("/", 1)[-1] for r in about} == {
                f"post-{n}.md" for n in range(POSTS)
            }
    links = [r for r in notes if "link address" in r["kind"]]
    assert {r["line"] for r in links} == {4}


def wxr(posts: int) -> str:
    items = "".join(
        f"""<item><title>Post {n}</title><wp:post_id>{n}</wp:post_id>
<wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
<wp:post_date_gmt>someday {n}</wp:post_date_gmt>
<content:encoded><![CDATA[Text [plugin{n} size="2"]inside[/plugin{n}].]]></content:encoded>
</item>"""
        for n in range(posts)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<link>https://old.example.org</link>{items}</channel></rss>"""


def test_hundreds_of_wordpress_warnings_fit_one_screen_and_the_file_holds_every_one(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(wxr(POSTS))
    report = tmp_path / "report.jsonl"
    out = StringIO()
    call_command("import_wordpress", str(path), "--report", str(report), stdout=out)
    output = out.getvalue()
    lines = lines_of(output)
    assert len(lines) <= SCREEN, output
    assert sum("date cannot be read" in line for line in lines) == 1
    assert f"Note ({POSTS}x): date cannot be read: post 0, 'someday 0'" in output
    notes = [r for r in read_jsonl(report) if r["type"] == "note"]
    dates = {r["message"] for r in notes if r["kind"] == "date cannot be read"}
    assert dates == {f"date cannot be read: post {n}, 'someday {n}'" for n in range(POSTS)}
    removed = [r for r in notes if r["message"].startswith("shortcode removed")]
    assert len(removed) == POSTS


def test_a_dry_run_writes_its_report_too_and_nothing_else(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\n---\nHi.\n")
    report = tmp_path / "report.jsonl"
    output = run(tmp_path, "--dry-run", "--report", report)
    assert Entry.objects.count() == 0 and "Dry run" in output
    records = read_jsonl(report)
    assert records[0] == {"type": "entry", "outcome": "created", "slug": "a", "dry_run": True}
    assert records[-1]["type"] == "totals"


def test_a_report_file_that_cannot_be_written_is_refused_before_the_import(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\n---\nHi.\n")
    with pytest.raises(CommandError, match="--report"):
        run(tmp_path, "--report", tmp_path / "no-such-folder" / "r.jsonl")
    with pytest.raises(CommandError, match="--report"):
        run(tmp_path, "--report", tmp_path)
    assert Entry.objects.count() == 0


def test_a_warning_is_read_apart_from_its_place():
    note = read_warning("/blog/my posts/a.md:12: link address cannot be read: [x] (y)", 1)
    assert (note.file, note.line) == ("/blog/my posts/a.md", 12)
    assert note.kind == "link address cannot be read"
    item = read_warning("export.xml (item 3): body kept as written: oops", 2)
    assert (item.file, item.line, item.kind) == (
        "export.xml (item 3)",
        None,
        "body kept as written",
    )
    plain = read_warning("kramdown attribute list removed ({: ...})", 4)
    assert plain.kind == "kramdown attribute list removed ({: ...})" and plain.file == ""
    quoted = read_warning("slug 'a' belongs to another entry: x.md gets 'a-2'", 1)
    assert quoted.kind == "slug … belongs to another entry"


def test_a_kind_noted_a_few_times_names_each_one_and_many_are_one_line():
    report = Report()
    report.notes["template tag removed, nothing here renders it: {{< gallery >}}"] += 2
    report.notes["template tag removed, nothing here renders it: {% include x %}"] += 1
    assert summary_lines(report)[-2:] == [
        "Note (2x): template tag removed, nothing here renders it: {{< gallery >}}",
        "Note (1x): template tag removed, nothing here renders it: {% include x %}",
    ]
    for n in range(20):
        report.notes[f"shortcode removed, nothing here renders it: [p{n}]"] += 1
    report.notes["another kind"] += 1
    lines = summary_lines(report)
    assert (
        lines[2]
        == "Note (20x): shortcode removed, nothing here renders it: [p0] (and 19 more like it)"
    )
    assert len(lines) == 2 + 1 + 2 + 1 + 1  # counts, shortcodes, tags, another, the hint
    many = Report()
    for n in range(30):
        many.notes[f"kind {n}: x"] += 1
    lines = summary_lines(many)
    assert len(lines) == 2 + 10 + 1 + 1 and lines[-2] == "  … and 20 more kinds of note."


def test_the_notes_take_ten_lines_at_most_whatever_their_kinds():
    report = Report()
    for kind in range(12):
        for n in range(3):  # three of each: each kind could list all three
            report.notes[f"removed kind{kind}: [x{n}]"] += 1
    noted = summary_lines(report)[2:]
    assert len(noted) <= 10 + 2  # ten lines, "… and N more kinds", the --report hint
    assert noted[-2].startswith("  … and ") and "--report FILE" in noted[-1]
