"""A Markdown body's pictures (posts/importers/body.py): found, marked, or kept as written."""

import json

import pytest
from django.core.management import CommandError

from posts.models import Entry, Image
from tests.factories import image_bytes
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db


def test_a_line_of_pictures_never_closed_is_kept_as_it_is(tmp_path):
    # This body took 15 s to read before; a return of that shows as this test's duration.
    body = "![a](" * 3000 + "\n" + "![" * 30000 + "\n"
    write(tmp_path, "hostile.md", f"---\ntitle: Hostile\n---\n{body}")
    run(tmp_path)
    assert Entry.objects.get().body == body


def test_a_line_of_html_pictures_never_closed_is_kept_as_it_is(tmp_path):
    # Each picture's alt was looked for to the end of the line: this body took 27 s.
    body = "<img src=a.png " * 20_000 + "\n"
    write(tmp_path, "hostile.md", f"---\ntitle: Hostile\n---\n{body}")
    run(tmp_path)
    assert Entry.objects.get().body == body


def test_an_html_pictures_alt_comes_with_it(tmp_path):
    (tmp_path / "a.png").write_bytes(image_bytes())
    (tmp_path / "b.png").write_bytes(image_bytes(colour=(200, 40, 40)))
    body = '<img alt="Before" src="a.png"> and <img src="b.png" alt="After">\n'
    write(tmp_path, "pictured.md", f"---\ntitle: Pictured\n---\n{body}")
    run(tmp_path)
    assert sorted(Image.objects.values_list("alt_text", flat=True)) == ["After", "Before"]


def test_pictures_outside_the_imported_folders_are_never_read(tmp_path):
    from tests.factories import image_bytes

    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "secret.png").write_bytes(image_bytes(size=(30, 30)))
    site = tmp_path / "site" / "_posts"
    site.mkdir(parents=True)
    (site / "link.png").symlink_to(secret / "secret.png")
    write(
        site,
        "2020-01-01-sneaky.md",
        "---\ntitle: Sneaky\n---\n![a](../../secret/secret.png)\n\n"
        f"![b](/../../../../..{secret}/secret.png)\n\n![c](link.png)\n",
    )
    output = run(site)
    assert Image.objects.count() == 0
    assert "  ../../secret/secret.png (in 2020-01-01-sneaky.md)" in output
    assert "  link.png (in 2020-01-01-sneaky.md)" in output


def test_a_picture_whose_address_goes_on_over_a_line_break_is_imported(tmp_path):
    from tests.factories import image_bytes

    (tmp_path / "shot.png").write_bytes(image_bytes())
    write(
        tmp_path,
        "2014-01-01-shots.md",
        "---\ntitle: Shots\n---\n[![A shot](shot.png\n){: .right}](shot.png)\n\n"
        '<img alt="Another"\n  src="shot.png">\n\n![Not one](shot.png\n\n)\n\n'
        "See [the shot][1].\n\n[1]:\n  shot.png\n",
    )
    run(tmp_path)

    image = Image.objects.get()
    body = Entry.objects.get().body
    assert body.count(image.file.url) == 3  # the link to it stays a link
    assert "![Not one](shot.png\n\n)" in body  # a blank line ends it: not a picture


def test_a_link_with_a_stray_bracket_costs_neither_the_post_nor_the_blog(tmp_path, client):
    # Before: urlsplit raised "Invalid IPv6 URL", the import said the file "holds a value that
    # cannot be read" and nothing at all was imported.
    write(tmp_path, "good.md", "---\ntitle: Good\n---\nFine.\n")
    write(
        tmp_path,
        "slip.md",
        "---\ntitle: Slip\n---\nRead [the notes][n] and [more](https://example.org]).\n\n"
        "```\n[x]: http://in.code]\n```\n\n[n]: http://example.eu]\n",
    )
    output = run(tmp_path)
    slip = Entry.objects.get(slug="slip")
    assert Entry.objects.filter(slug="good").exists()
    assert "[n]: http://example.eu]" in slip.body  # the text as written
    assert '<a href="http://example.eu">the notes</a>' in slip.body_html
    assert '<a href="https://example.org">more</a>' in slip.body_html
    path = tmp_path / "slip.md"
    assert (
        f"{path}:4: link address cannot be read as written, kept: Read [the notes][n] and "
        "[more](https://example.org]). (linked as https://example.org)"
    ) in output
    assert "(and 1 more like it)" in output  # one kind, one example on the screen
    # Every one in the report file, with its file and line.
    report = tmp_path / "report.jsonl"
    run(tmp_path, "--report", report)
    notes = [json.loads(line) for line in report.read_text().splitlines()]
    notes = [(n["file"], n["line"], n["message"]) for n in notes if n["type"] == "note"]
    message = f"{path}:10: link address cannot be read as written, kept: [n]: http://example.eu]"
    assert any(note[2].startswith(message) and note[:2] == (str(path), 10) for note in notes)
    assert len([note for note in notes if "link address" in note[2]]) == 2
    assert "in.code" not in output  # code is code: never a link, never a warning


def test_an_address_with_no_safe_reading_stays_as_text_with_a_warning(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\n---\n[x](javascript://x]) and more.\n")
    output = run(tmp_path)
    entry = Entry.objects.get()
    assert 'href="javascript' not in entry.body_html and "[x](javascript://x])" in entry.body
    assert "no safe reading: shown as text" in output


def test_front_matter_that_cannot_be_read_still_refuses_the_post_by_file_and_line(tmp_path):
    write(tmp_path, "ok.md", "---\ntitle: Ok\n---\n[n]: http://example.eu]\n")
    write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nText.\n")
    with pytest.raises(CommandError, match=r"bad\.md:3: front matter"):
        run(tmp_path)
    assert not Entry.objects.exists()
    run(tmp_path, "--skip-invalid")
    assert list(Entry.objects.values_list("slug", flat=True)) == ["ok"]


def test_a_heading_right_after_a_closing_div_is_a_heading_as_in_kramdown(tmp_path):
    # Before: CommonMark's HTML block ran on over "### Subscribe", shown as raw text.
    posts = tmp_path / "_posts"
    write(
        posts,
        "2013-02-03-box.md",
        '---\ntitle: Box\n---\n<div class="box">\n<p>Inside.</p>\n</div>\n### Subscribe\nBy mail.\n'
        "\n```html\n</div>\n### not a heading\n```\n",
    )
    run(posts)
    html = Entry.objects.get().body_html
    assert "</div>\n<h3>Subscribe</h3>\n<p>By mail.</p>" in html
    assert "### not a heading" in html


def test_site_absolute_pictures_are_found_at_the_site_root_given_or_walked_up_to(tmp_path):
    # Before: a plain folder of posts was its own site: /images/… and /assets/… were not found.
    site = tmp_path / "site"
    (site / "static" / "images").mkdir(parents=True)
    (site / "static" / "images" / "h.png").write_bytes(image_bytes(size=(30, 20)))
    (site / "assets").mkdir()
    (site / "assets" / "a.png").write_bytes(image_bytes(size=(20, 30), colour=(9, 9, 200)))
    write(site / "posts", "one.md", "---\ntitle: One\n---\n![h](/images/h.png)\n")
    write(site / "notes", "two.md", "---\ntitle: Two\n---\n![a](/assets/a.png)\n")
    run(site / "posts", site / "notes", "--site-root", site)
    assert Image.objects.count() == 2
    Entry.objects.all().delete()
    Image.objects.all().delete()
    (site / "hugo.toml").write_text('title = "x"\n')  # without --site-root: found walking up
    run(site / "posts")
    assert Image.objects.count() == 1


def test_missing_pictures_are_listed_once_with_the_entries_that_show_them(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\n---\n![x](/gone/x.png) ![y](y.png)\n")
    write(tmp_path, "b.md", "---\ntitle: B\n---\n![x](/gone/x.png)\n")
    output = run(tmp_path)
    assert "Pictures not found (2), their addresses kept:\n" in output
    assert "  /gone/x.png (in a.md, b.md)\n  y.png (in a.md)\n" in output


def test_a_closing_div_in_indented_code_or_a_quote_is_left_as_it_is(tmp_path):
    posts = tmp_path / "_posts"
    body = "Code:\n\n    <div>\n    </div>\n    after\n\n> <div>a\n> </div>\n> quoted\n"
    write(posts, "2013-02-03-code.md", f"---\ntitle: Code\n---\n{body}")
    run(posts)
    entry = Entry.objects.get()
    assert entry.body == body
