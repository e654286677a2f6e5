"""Every post of the real corpora, imported and shown: no generator syntax reaches a reader.

Reads ../shared/corpus/ where it is (a Jekyll blog and WordPress's theme unit test export).
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from posts.models import Entry

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
JEKYLL = CORPUS / "jekyll" / "benbalter.github.com" / "_posts"
WXR = CORPUS / "wordpress" / "themeunittestdata.wordpress.xml"
# What a generator wrote for itself, never for readers.
LEFTOVERS = ("{%", "{{<", "{{%", "[caption", "[sourcecode", "[youtube", "<!--", "-->")
_CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_HREF = re.compile(r'href="(/[^"#]*)')
# A page of the Jekyll site (not a post): the corpus holds its _posts/ only.
PAGES_NOT_IN_CORPUS = {"/fine-print"}


def visible_text(body_html: str) -> str:
    """The page's text outside code, where a tag's syntax may be the subject."""
    import html

    return html.unescape(_TAG.sub(" ", _CODE.sub(" ", body_html)))


def imported(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *map(str, args), stdout=out)
    return out.getvalue()


def check_every_entry(client) -> tuple[list, list]:
    """Return the leftovers of generator syntax, and the internal links that answer 404."""
    entries = list(Entry.objects.published())
    assert entries
    leftovers, dead = [], []
    for entry in entries:
        text = visible_text(entry.body_html)
        for leftover in LEFTOVERS:
            if leftover in text:
                leftovers.append((entry.slug, text[text.find(leftover) - 40 :][:120]))
        for path in set(_HREF.findall(entry.body_html)):
            if path not in PAGES_NOT_IN_CORPUS and client.get(path).status_code == 404:
                dead.append((entry.slug, path))
    return leftovers, dead


@pytest.mark.skipif(not JEKYLL.exists(), reason=f"Jekyll corpus not found at {JEKYLL}")
def test_the_jekyll_blog_shows_no_generator_syntax_and_no_dead_internal_link(client, media_root):
    imported("import_markdown", JEKYLL, "--skip-invalid", "--site-url", "http://ben.balter.com")
    leftovers, dead = check_every_entry(client)
    assert leftovers == []
    assert dead == []


@pytest.mark.skipif(not WXR.exists(), reason=f"WordPress corpus not found at {WXR}")
def test_the_wordpress_export_shows_no_shortcode_and_no_dead_internal_link(client, media_root):
    imported("import_wordpress", WXR)
    leftovers, dead = check_every_entry(client)
    assert leftovers == []
    assert dead == []
