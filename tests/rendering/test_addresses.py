"""Link addresses with an author's slip in them (posts/rendering/addresses.py), and their pages."""

import pytest

from posts.rendering.addresses import readable, reading_of
from posts.rendering.markdown import render_markdown


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("http://example.eu]", "http://example.eu"),
        ("http://example.eu%5D", "http://example.eu"),  # as markdown-it hands it on
        ("https://example.org/a)", None),  # readable as written: a path may end in ")"
        ("https://exa mple.org/", "https://example.org/"),
        ("javascript://x]", None),  # readable once trimmed, but never safe
        ("http://[::1]/", None),  # a real IPv6 host: readable as written
    ],
)
def test_the_reading_an_author_meant(written, meant):
    assert reading_of(written) == meant


def test_ordinary_addresses_are_readable():
    for url in ("https://example.org/a?b=c#d", "/2014/01/x/", "mailto:a@b.org", "#top"):
        assert readable(url)


def test_the_renderer_keeps_the_link_where_kramdown_does():
    # Before, the sanitiser dropped the href: <a>broken</a>, a link to nowhere.
    html = render_markdown("[broken][r] and <http://x.org]>\n\n[r]: http://example.eu]\n")
    assert '<a href="http://example.eu">broken</a>' in html
    assert '<a href="http://x.org">http://x.org]</a>' in html
