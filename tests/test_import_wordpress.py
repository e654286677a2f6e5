import html
import re
import xml.etree.ElementTree as ET
import zlib
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from posts.importers.wpcontent import Converter
from posts.models import Entry, Image, Redirect
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db

WXR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "wordpress"
WXR = WXR / "themeunittestdata.wordpress.xml"
needs_wxr = pytest.mark.skipif(not WXR.exists(), reason=f"WordPress corpus not found at {WXR}")
NS = {
    "wp": "https://wordpress.org/export/1.2/",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


def run(*args) -> str:
    out = StringIO()
    call_command("import_wordpress", *map(str, args), stdout=out)
    return out.getvalue()


def corpus_posts() -> list[ET.Element]:
    """The file's posts, read here with the standard library, apart from the importer."""
    items = ET.parse(WXR).getroot().iter("item")
    return [i for i in items if i.findtext("wp:post_type", namespaces=NS) == "post"]


def longest_text(content: str) -> str:
    """The longest stretch of words between tags and shortcodes: it must arrive."""
    pieces = re.split(r"<[^>]+>|\[[^\]]*\]|\n", content)
    return " ".join(html.unescape(max(pieces, key=len)).split())


@needs_wxr
def test_the_theme_unit_test_export_arrives_whole_and_twice_changes_nothing(client):
    output = run(WXR)
    assert "Entries created: 58, updated: 0, unchanged: 0" in output
    for counted in ("21 pages", "70 menu items", "33 comments", "37 attachments not found"):
        assert f"Not imported: {counted}" in output
    assert Entry.objects.published().count() == 56
    assert Entry.objects.scheduled().count() == 1
    assert Entry.objects.filter(status=Entry.Status.DRAFT).count() == 1
    posts = corpus_posts()
    wanted_tags = {
        c.text.strip()
        for p in posts
        for c in p.findall("category")
        if c.text and c.get("domain") != "post_format"  # a layout hint, not a subject
    }
    imported_tags = {name for e in Entry.objects.all() for name in e.tags.names()}
    assert {t.casefold() for t in imported_tags} == {t.casefold() for t in wanted_tags}
    # Both authors by their logins, including the post whose creator reads ">themereviewteam".
    assert set(get_user_model().objects.values_list("username", flat=True)) == {
        "themedemos",
        "themereviewteam",
    }
    for post in posts:
        post_id = post.findtext("wp:post_id", namespaces=NS)
        entry = Redirect.objects.get(old_path=f"/?p={post_id}").entry
        assert entry.title == (" ".join((post.findtext("title") or "").split()) or "(untitled)")
        text = longest_text(post.findtext("content:encoded", namespaces=NS) or "")
        # As text on the page, or (a URL alone) as the embed it became.
        arrived = " ".join(html.unescape(entry.body + " " + entry.body_text).split())
        assert text in arrived, (entry.slug, text)
        response = client.get("/", {"p": post_id})
        if entry.is_published:
            assert response.status_code == 301
            assert response["Location"] == entry.get_absolute_url()
        else:  # a draft's or a scheduled post's address is not given away
            assert response.status_code == 200 and "Location" not in response
    old = Redirect.objects.get(old_path="/2013/01/11/markup-html-tags-and-formatting/")
    assert client.get(old.old_path)["Location"] == old.entry.get_absolute_url()
    assert "Entries created: 0, updated: 0, unchanged: 58" in run(WXR)


@needs_wxr
def test_attachments_from_the_uploads_folder_become_pictures_galleries_and_covers(tmp_path):
    uploads = tmp_path / "uploads"
    items = ET.parse(WXR).getroot().iter("item")
    for item in items:
        url = item.findtext("wp:attachment_url", namespaces=NS)
        if url:
            target = uploads / url.split(".com/", 1)[1]
            target.parent.mkdir(parents=True, exist_ok=True)
            fmt = "PNG" if target.suffix == ".png" else "JPEG"
            colour = tuple(zlib.crc32(url.encode()).to_bytes(4, "big")[:3])  # one per file
            target.write_bytes(image_bytes(size=(120, 90), fmt=fmt, colour=colour))
    output = run(WXR, "--media-dir", uploads)
    assert "attachments not found" not in output
    gallery = Entry.objects.get(slug="post-format-gallery")
    assert gallery.images.count() >= 10 and "https://wpthemetestdata" not in gallery.body
    assert "<figure><picture>" in gallery.body_html and "<figcaption>" in gallery.body_html
    canola = Image.objects.get(file__contains="canola2")
    assert canola.caption.startswith("Lorem ipsum")
    assert Entry.objects.exclude(cover=None).exists()  # from _thumbnail_id
    assert "Pictures added: 0" in run(WXR, "--media-dir", uploads)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            "<rss><channel><title>&b;</title></channel></rss>",
            "refused: the file declares entities",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            "<rss><channel><title>&x;</title></channel></rss>",
            "refused: the file declares entities",
        ),
        (
            '<?xml version="1.0"?>\n<rss>\n<channel>\n<item></channel></rss>',
            ":4: is not well-formed",
        ),
        ('<?xml version="1.0"?><html></html>', "not a WordPress export"),
    ],
)
def test_hostile_or_broken_files_are_refused_and_nothing_is_written(tmp_path, xml, message):
    path = tmp_path / "export.xml"
    path.write_text(xml)
    with pytest.raises(CommandError, match=re.escape(message)):
        run(path)
    assert Entry.objects.count() == 0


def convert(content: str, notes: list | None = None) -> str:
    gallery = [("https://x.org/wp-content/uploads/a.jpg", "A", "First")]
    notes = [] if notes is None else notes
    return Converter(lambda src: src, lambda options: gallery, notes.append).convert(content)


def test_wordpress_paragraphs_become_paragraphs_and_line_breaks():
    body = convert("One line\nand the next.\n\nSecond *paragraph*.\n<ul>\n<li>item</li>\n</ul>")
    assert "<p>One line<br>\nand the next.</p>" in body
    assert "<p>Second *paragraph*.</p>" in body  # WordPress text is not Markdown
    assert "<ul>" in body and "<li>item</li>" in body


def test_shortcodes_become_fences_figures_and_embeds():
    body = convert(
        '[code lang="python"]if a &lt; b:\n\n    pass[/code]\n\n'
        '[caption id="x" width="300"]<img src="https://x.org/b.jpg" alt="B"> '
        "The caption[/caption]\n\n"
        "[embed]https://www.youtube.com/watch?v=abc[/embed]\n\n[gallery]"
    )
    assert "```python\nif a < b:\n\n    pass\n```" in body
    assert '![B](https://x.org/b.jpg "The caption")' in body
    assert "\n\nhttps://www.youtube.com/watch?v=abc\n\n" in body
    assert '![A](https://x.org/wp-content/uploads/a.jpg "First")' in body


def test_unknown_shortcodes_stay_visible_and_are_reported():
    notes = []
    assert "[audio src=x.mp3]" in convert("Listen: [audio src=x.mp3]", notes)
    assert notes == ["shortcode kept as text: [audio]"]


def test_shortcodes_and_tags_never_closed_stay_as_text():
    # From each opening, the patterns once scanned to the end of the post: hours for 1 MB.
    pieces = ["[code lang=x]a", "[caption]<img src=x.png>", "[embed]b", "<pre>c", "[gallery"]
    notes = []
    body = convert(" ".join(pieces * 20_000), notes)
    for piece in pieces:
        assert body.count(piece) == 20_000
    assert notes == []


@needs_wxr
def test_with_skip_invalid_a_broken_file_is_listed_and_the_others_go_in(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<rss><channel><item>")
    with pytest.raises(CommandError, match=r"broken\.xml:1: is not well-formed"):
        run(WXR, broken)
    assert Entry.objects.count() == 0
    output = run(WXR, broken, "--skip-invalid")
    assert "Entries created: 58" in output and f"Skipped {broken}:1: is not well-formed" in output


@needs_wxr
def test_a_dry_run_writes_nothing():
    assert "Entries would be created: 58" in run(WXR, "--dry-run")
    assert Entry.objects.count() == Redirect.objects.count() == 0
    assert get_user_model().objects.count() == 0


MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.1/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><link>https://old.example.org</link>
<item><title>Photo</title><wp:post_id>7</wp:post_id><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>https://old.example.org/wp-content/uploads/{path}</wp:attachment_url>
<wp:menu_order>first</wp:menu_order></item>
<item><title>Hello</title><wp:post_id>9a</wp:post_id><wp:post_type>post</wp:post_type>
<wp:status>publish</wp:status><wp:post_name>../../etc/passwd</wp:post_name>
<content:encoded><![CDATA[Hi.

[gallery]]]></content:encoded>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>7</wp:meta_value></wp:postmeta>
</item></channel></rss>"""


def test_attachments_outside_the_media_dir_are_never_read(tmp_path):
    (tmp_path / "secret.png").write_bytes(image_bytes(size=(20, 20)))
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    path = tmp_path / "export.xml"
    path.write_text(MINIMAL.format(path="../../secret.png"))  # WXR 1.1 namespaces, odd values
    output = run(path, "--media-dir", uploads)
    assert "attachment outside --media-dir not imported" in output
    entry = Entry.objects.get()
    assert entry.slug == "etcpasswd" and entry.cover is None and Image.objects.count() == 0


def test_a_date_that_cannot_be_read_is_reported(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(
        MINIMAL.format(path="a.png").replace(
            "<wp:status>publish</wp:status>",
            "<wp:status>publish</wp:status><wp:post_date_gmt>2015-13-45 10:00:00</wp:post_date_gmt>"
            "<wp:post_date>2015-06-01 12:00:00</wp:post_date>",
        )
    )
    run(path)
    assert Entry.objects.get().published_at.year == 2015  # the local date was readable

    path.write_text(path.read_text().replace("2015-06-01 12", "June 1st, 12"))
    output = run(path)
    assert "post 9a: its date '2015-13-45 10:00:00' cannot be read" in output
