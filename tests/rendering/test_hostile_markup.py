"""Hostile Markdown: render_markdown never raises, and what it returns is safe to show.

"Safe" is decided by tests/safe_html.py, a checker written apart from the sanitiser. The
input is Hypothesis-built Markdown made of hostile fragments, and the XSS vectors of the
public filter-evasion literature in tests/data/xss_vectors.py, raw and inside Markdown.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posts.rendering.markdown import render_markdown
from tests.data.xss_vectors import VECTORS, markdown_settings
from tests.safe_html import problems, url_scheme

pytestmark = pytest.mark.django_db  # a picture address under MEDIA_URL is looked up

# The checker itself first: it must see what a browser would run.
UNSAFE_SAMPLES = [
    '<img src="x" onerror="alert(1)">',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href=" \x01javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT&colon;alert(1)">x</a>',
    '<a href="vbscript:x">x</a>',
    '<a href="data:text/html,x">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<img srcset="x 1x, javascript:alert(1) 2x">',
    "<script>alert(1)</script>",
    "<svg><a></a></svg>",
    '<td style="background:url(x)">x</td>',
    '<iframe src="https://evil.example/"></iframe>',
    '<input type="text">',
    "<!-- a comment -->",
    "<img src=x",
]
SAFE_SAMPLES = [
    '<p><a href="https://example.org/?a=1&amp;b=2">x</a></p>',
    '<img src="/media/x.png" alt="javascript:alert(1)" loading="lazy">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<td style="text-align:center">x</td>',
    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    '<input type="checkbox" disabled="disabled" checked="checked">',
]


@pytest.mark.parametrize("fragment", UNSAFE_SAMPLES)
def test_checker_finds_unsafe_html(fragment):
    assert problems(fragment)


@pytest.mark.parametrize("fragment", SAFE_SAMPLES)
def test_checker_passes_safe_html(fragment):
    assert problems(fragment) == []


def test_checker_reads_url_schemes_like_a_browser():
    assert url_scheme("\tjav\nascript:x") == "javascript"
    assert url_scheme(" \x00JaVaScRiPt:x") == "javascript"
    assert url_scheme("/relative:path") is None
    assert url_scheme("javascript%3Ax") is None  # a relative path to a browser


# Hostile fragments, combined by Hypothesis into Markdown documents.
SCHEMES = [
    "javascript:", "JaVaScRiPt:", "java\tscript:", "java&#x09;script:", "&#106;avascript:",
    "javascript&colon;", "javascript&#58;", " javascript:", "\x01javascript:", "vbscript:",
    "data:text/html,", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,", "https://example.org/", "/media/", "mailto:", "#", "",
]  # fmt: skip
PAYLOADS = ["alert(1)", "alert`1`", "<script>alert(1)</script>", '"onerror="alert(1)', "x"]
TAGS = [
    "script", "img", "svg", "iframe", "a", "object", "embed", "math", "style", "base", "meta",
    "form", "button", "details", "video", "body", "input", "td", "div", "link", "template",
    "noscript", "textarea", "title", "picture", "source", "table",
]  # fmt: skip
ATTRIBUTES = [
    "onerror", "onload", "onclick", "onmouseover", "onfocus", "ontoggle", "onbegin", "href",
    "src", "srcset", "style", "formaction", "action", "data", "xlink:href", "srcdoc", "sandbox",
    "id", "class", "title", "autofocus", "open", "type", "background",
]  # fmt: skip
QUOTES = ['"', "'", "`", ""]
SEPARATORS = ["", " ", "\n", "\n\n", "\t", "/", "\x00", "> ", "- ", "| ", "    ", "```\n"]

schemes = st.sampled_from(SCHEMES)
payloads = st.sampled_from(PAYLOADS)
url = st.builds(lambda s, p: s + p, schemes, payloads)
quote = st.sampled_from(QUOTES)
attribute = st.builds(
    lambda name, q, value: f"{name}={q}{value}{q}",
    st.sampled_from(ATTRIBUTES),
    quote,
    st.one_of(url, payloads),
)
html_tag = st.builds(
    lambda tag, attrs, body, close: f"<{tag} {' '.join(attrs)}>{body}" + (f"</{tag}>" * close),
    st.sampled_from(TAGS),
    st.lists(attribute, max_size=3),
    st.one_of(payloads, st.just("")),
    st.booleans(),
)
markdown_link = st.builds(
    lambda text, target, title: f"[{text}]({target}{title})",
    st.one_of(st.just("x"), html_tag),
    st.one_of(url, url.map(lambda u: f"<{u}>")),
    st.sampled_from(["", ' "t"', ' "\\" onmouseover=\\"alert(1)"', " 'x'"]),
)
markdown_image = markdown_link.map(lambda link: "!" + link)
autolink = url.map(lambda u: f"<{u}>")
reference = st.builds(lambda target: f"\n\n[r]: {target}\n\n[r] ![r]\n\n", url)
entity = st.sampled_from(
    ["&#60;", "&lt;", "&#x3C;", "&#0000060", "&colon;", "&Tab;", "&NewLine;", "&amp;lt;", "&"]
)
fenced = st.builds(lambda info, body: f"\n```{info}\n{body}\n```\n", payloads, html_tag)
fragment = st.one_of(
    html_tag, markdown_link, markdown_image, autolink, reference, entity, fenced, url,
    st.sampled_from(SEPARATORS), st.text(max_size=20),
)  # fmt: skip
documents = st.lists(fragment, min_size=1, max_size=12).map("".join)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(documents)
def test_generated_hostile_markdown_renders_safe_html(text):
    html = render_markdown(text)
    assert problems(html) == [], (text, html)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_renders_without_raising(text):
    assert problems(render_markdown(text)) == []


def test_the_vector_table_is_large_and_says_where_each_vector_comes_from():
    assert len({vector for _source, vector in VECTORS}) >= 200
    assert {source for source, _vector in VECTORS} <= {
        "OWASP", "PS", "H5SC", "PATT", "MDXSS", "MXSS"
    }  # fmt: skip


def test_every_known_vector_is_made_safe_raw_and_inside_markdown():
    unsafe = []
    for source, vector in VECTORS:
        for setting, text in markdown_settings(vector):
            found = problems(render_markdown(text))
            if found:
                unsafe.append((source, setting, vector, found))
    assert unsafe == []
