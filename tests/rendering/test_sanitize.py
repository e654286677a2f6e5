"""The sanitiser: nothing off the allowlist reaches a page, however the HTML is written."""

from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from posts.rendering.markdown import render_markdown


class UnsafeMarkupFinder(HTMLParser):
    """An independent check of rendered HTML: only harmless tags, no script-bearing attributes."""

    # Written out here, not imported from posts.rendering.markdown, so a widened allowlist shows up.
    SAFE_TAGS = {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
        "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
        "input", "ins", "kbd", "label", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp",
        "section", "small", "source", "span", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
    }  # fmt: skip
    URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href"}

    def __init__(self, extra_tags=()):
        super().__init__()
        self.problems = []
        self.safe_tags = self.SAFE_TAGS | set(extra_tags)

    def handle_starttag(self, tag, attrs):
        if tag not in self.safe_tags:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (name == "style" and tag not in {"td", "th"}):
                self.problems.append(f"attribute {name} on <{tag}>")
            scheme = "".join((value or "").split()).lower()
            if name in self.URL_ATTRIBUTES and scheme.startswith(
                ("javascript:", "vbscript:", "data:")
            ):
                self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def unsafe_parts(html: str, extra_tags=()) -> list[str]:
    finder = UnsafeMarkupFinder(extra_tags)
    finder.feed(html)
    finder.close()
    return finder.problems


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<form action="https://evil.example/"><input name="q" type="text"></form>',
    "<style>body{display:none}</style>",
    '<p onclick="alert(1)">x</p>',
    '<object data="evil.swf"></object>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<a href="#" onmouseover="alert(1)">hover</a>',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "```\n</code></pre><script>alert(1)</script>\n```",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_markdown_is_sanitised(hostile):
    html = render_markdown(hostile)
    assert unsafe_parts(html) == [], html


def test_the_checker_itself_catches_unsafe_html():
    assert unsafe_parts('<img src=x onerror="alert(1)">') == ["attribute onerror on <img>"]
    assert unsafe_parts('<a href=" javascript:x">') == ["href=' javascript:x' on <a>"]
    assert unsafe_parts("<script></script>") == ["tag <script>"]


@pytest.mark.parametrize(
    "html",
    [
        '<img srcset="javascript:alert(1) 1x">',
        '<img src="/a.png" srcset="/a.png 1x, JavaScript:alert(1) 2x">',
        '<picture><source srcset="data:image/svg+xml,x"><img src="/a.png"></picture>',
    ],
)
def test_srcset_with_a_script_or_data_url_is_dropped(html):
    assert "srcset" not in render_markdown(html)


def test_srcset_of_relative_and_https_urls_is_kept():
    html = render_markdown('<img src="/a.png" srcset="/a.png 1x, https://example.org/b.png 2x">')
    assert 'srcset="/a.png 1x, https://example.org/b.png 2x"' in html


def _tree_depth(fragment: str) -> int:
    """The deepest element of a fragment as a browser's parser builds it (html5lib)."""
    import html5lib

    deepest, pending = 0, [(node, 1) for node in html5lib.parseFragment(fragment)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        pending += [(child, depth + 1) for child in node]
    return deepest


tag_soup = st.lists(
    st.sampled_from(
        ["<div>", "</div>", "<b>", "</b>", "<i id=1>", "</i>", "<p>", "</p>", "<object>",
         "</object>", "<table>", "</table>", "<td>", "<li>", "<ul>", "</ul>", "<select>",
         "<option>", "<svg>", "</svg>", "<math>", "<span/>", "<br>", "x", "<a>", "</a>",
         "<template>", "</template>", "<!--", "-->", "<dl>", "<dd>", "<ruby>", "<rt>"]
    ),
    max_size=60,
).map("".join)  # fmt: skip


@settings(max_examples=500)
@given(tag_soup)
@example("<b><div></b>" * 20)  # an end tag that closes a formatting element, not the block
@example("<div><object></div></object>" * 20)  # an end tag out of scope, ignored
@example("<p><b>x</p>" * 20)  # formatting elements opened again in the next paragraph
def test_the_depth_limit_is_never_fooled_by_tags_out_of_order(soup):
    # Counted elements never nest deeper than the limit; the tags they imply (a table's
    # body, row and cell) at most four times as deep.
    from posts.rendering.sanitize import limit_depth

    assert _tree_depth(limit_depth(soup, 3)) <= 4 * 3 + 1


def test_html_nested_past_a_thousand_levels_is_shown_as_text():
    # html5ever's time grows with the square of the depth: 128,000 of these took 38 s.
    html = render_markdown("<div>\n" * 3_000)

    assert html.count("<div>") == 1_000 and html.count("&lt;div&gt;") == 2_000


def test_long_posts_of_ordinary_html_are_left_whole():
    sloppy = "<div><span>an inline element never closed</div>\n" * 400
    html = render_markdown("<section>\n" + "<p>a paragraph</p>\n" * 3_000 + sloppy)
    assert "&lt;" not in html and html.count("<span>") == 400


def test_a_noscript_fallback_inside_an_embed_is_not_shown_as_markup():
    # Before: html5ever read the <noscript>'s content as text: "&lt;a href=…&gt;" on the page.
    html = render_markdown(
        '<div class="video">\n<iframe src="https://www.youtube.com/embed/abc"></iframe>\n'
        '<noscript><a href="https://www.youtube.com/watch?v=abc">Watch</a></noscript>\n</div>\n'
    )
    assert "youtube.com/embed/abc" in html
    assert "&lt;" not in html and "Watch" not in html
