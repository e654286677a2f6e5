"""A WordPress export's comments arrive as Comments through posts' entry_imported signal."""

import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from comments.models import Comment
from posts.models import Entry

pytestmark = pytest.mark.django_db

WXR = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "wordpress"
WXR = WXR / "themeunittestdata.wordpress.xml"


def comment(cid, body, approved="1", parent="0", kind="", author="Ada") -> str:
    return f"""<wp:comment>
<wp:comment_id>{cid}</wp:comment_id>
<wp:comment_author><![CDATA[{author}]]></wp:comment_author>
<wp:comment_author_email><![CDATA[ada@example.org]]></wp:comment_author_email>
<wp:comment_author_url>https://ada.example.org/</wp:comment_author_url>
<wp:comment_date><![CDATA[2014-03-0{cid[-1]} 10:00:00]]></wp:comment_date>
<wp:comment_date_gmt><![CDATA[2014-03-0{cid[-1]} 09:00:00]]></wp:comment_date_gmt>
<wp:comment_content><![CDATA[{body}]]></wp:comment_content>
<wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
<wp:comment_type><![CDATA[{kind}]]></wp:comment_type>
<wp:comment_parent>{parent}</wp:comment_parent>
<wp:comment_user_id>0</wp:comment_user_id>
</wp:comment>"""


EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old blog</title><link>https://old.example.org</link>
<item><title>Gardens</title><dc:creator><![CDATA[ada]]></dc:creator>
<content:encoded><![CDATA[On roses.]]></content:encoded>
<wp:post_id>5</wp:post_id><wp:post_date_gmt>2014-03-01 09:00:00</wp:post_date_gmt>
<wp:post_name>gardens</wp:post_name><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
{comments}
</item>
<item><title>About</title><wp:post_id>6</wp:post_id><wp:status>publish</wp:status>
<wp:post_type>page</wp:post_type>{page_comment}</item>
</channel></rss>"""

COMMENTS = "\n".join(
    [
        comment("1", 'Lovely <a href="https://roses.example/">roses</a>.\nTruly.'),
        comment("2", "Thanks, Ada!", parent="1", author="Grace"),
        comment("3", "And a reply to the reply.", parent="2", author="Ada"),
        comment("4", "Waiting for a look.", approved="0"),
        comment("5", "Buy pills", approved="spam"),
        comment("6", "Thrown away", approved="trash"),
        comment("7", "[...] wrote about this [...]", kind="pingback", author="Other blog"),
        comment("8", "<script>alert(1)</script><img src=x onerror=alert(2)>Hi *you*"),
        comment("9", "[...] again [...]", kind="trackback", author="Other blog"),
    ]
)


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_wordpress", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(EXPORT.format(comments=COMMENTS, page_comment=comment("10", "On a page")))
    return path


def test_approved_and_pending_comments_arrive_spam_and_trash_are_counted(export):
    output = run(export)
    entry = Entry.objects.get(slug="gardens")
    rows = {c.import_key: c for c in Comment.objects.filter(entry=entry)}
    assert sorted(rows) == [f"wordpress:{n}" for n in (1, 2, 3, 4, 7, 8, 9)]
    assert rows["wordpress:1"].status == Comment.Status.APPROVED
    assert rows["wordpress:4"].status == Comment.Status.PENDING
    assert rows["wordpress:7"].kind == rows["wordpress:9"].kind == Comment.Kind.MENTION
    # Two from one page: the first is its mention, the second a plain one (a page mentions once).
    assert rows["wordpress:7"].source == "https://ada.example.org/"
    assert rows["wordpress:9"].source == ""
    assert rows["wordpress:1"].created_at.isoformat() == "2014-03-01T09:00:00+00:00"
    assert rows["wordpress:1"].website == "https://ada.example.org/"
    assert "Comments added: 7, already here: 0." in output
    assert "Not imported: 1 comments (spam)." in output
    assert "Not imported: 1 comments (trash)." in output
    assert "Not imported: 1 comments on pages and other items that are not posts." in output


def test_readers_see_the_approved_ones_on_the_entrys_page(export, client):
    run(export)
    page = client.get(Entry.objects.get(slug="gardens").get_absolute_url()).content.decode()
    assert "Lovely" in page and "Thanks, Ada!" in page and "mentioned this" in page
    assert "Waiting for a look." not in page and "Buy pills" not in page


def test_threads_stay_one_level_deep(export):
    run(export)
    rows = {c.import_key: c for c in Comment.objects.all()}
    top = rows["wordpress:1"]
    assert top.parent is None
    assert rows["wordpress:2"].parent == top
    assert rows["wordpress:3"].parent == top  # a reply to a reply joins the first comment


def test_bodies_go_through_the_comments_renderer(export):
    run(export)
    rows = {c.import_key: c for c in Comment.objects.all()}
    first = rows["wordpress:1"].body_html
    assert '<a href="https://roses.example/" rel="nofollow ugc">roses</a>' in first
    assert "<br>" in first or "<br />" in first
    hostile = rows["wordpress:8"]
    assert "<script" not in hostile.body_html and "onerror" not in hostile.body_html
    assert "alert" not in hostile.body_html
    assert "*you*" in hostile.body_html  # the visitor's stars, as typed: not Markdown


def test_a_second_import_adds_no_comment_twice(export):
    run(export)
    output = run(export)
    assert Comment.objects.count() == 7
    assert "Comments added: 0, already here: 7." in output
    # A comment approved since on the old site still does not come twice.
    export.write_text(export.read_text().replace("Waiting for a look.", "Now approved."))
    run(export)
    assert Comment.objects.count() == 7


def test_a_dry_run_adds_no_comment(export):
    output = run(export, "--dry-run")
    assert Comment.objects.count() == 0 and Entry.objects.count() == 0
    assert "Comments would be added: 7" in output


@pytest.mark.skipif(not WXR.exists(), reason=f"WordPress corpus not found at {WXR}")
def test_the_theme_unit_test_exports_comments_arrive():
    # Counted apart from the importer, with the standard library: the posts' comments.
    ns = {"wp": "https://wordpress.org/export/1.2/"}
    posts = [
        item
        for item in ET.parse(WXR).getroot().iter("item")
        if item.findtext("wp:post_type", namespaces=ns) == "post"
    ]
    found = [c for post in posts for c in post.findall("wp:comment", ns)]
    wanted = [c for c in found if c.findtext("wp:comment_approved", namespaces=ns) in ("1", "0")]
    approved = [c for c in wanted if c.findtext("wp:comment_approved", namespaces=ns) == "1"]
    mentions = [
        c
        for c in wanted
        if c.findtext("wp:comment_type", namespaces=ns) in ("pingback", "trackback")
    ]
    output = run(WXR)
    assert f"Comments added: {len(wanted)}, already here: 0." in output
    assert Comment.objects.count() == len(wanted) == 28
    assert Comment.objects.approved().count() == len(approved)
    assert Comment.objects.filter(kind=Comment.Kind.MENTION).count() == len(mentions)
    assert not Comment.objects.filter(parent__parent__isnull=False).exists()
    assert f"Comments added: 0, already here: {len(wanted)}." in run(WXR)


def test_without_an_app_that_keeps_comments_the_summary_says_where_they_stay(export):
    from comments.imports import add_imported_comments
    from posts.signals import entry_imported

    entry_imported.disconnect(add_imported_comments, sender=Entry)
    try:
        output = run(export)
    finally:
        entry_imported.connect(add_imported_comments, sender=Entry)
    assert Comment.objects.count() == 0 and Entry.objects.count() == 1
    assert "Not imported: 7 comments (no app here keeps comments; they stay in the source)." in (
        output
    )
