"""The linear scans find what the `.*?` patterns they replace found, on any text."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from posts.importers import body, wpcontent
from posts.rendering import embeds
from posts.rendering import markdown as markup
from posts.rendering.textscan import sub_enclosed, sub_tag_matches, sub_tags, tag_matches


def pieces(*words: str):
    """Texts made of these pieces and a little else: openings, closings, brackets, text."""
    return st.lists(
        st.sampled_from([*words, "a", " ", "\n", "<", ">", "[", "]", '"']), max_size=40
    ).map("".join)


def mark(_opening, _inner, whole):
    return "{" + whole + "}"


@settings(max_examples=400)
@given(pieces("<pre", "<PRE class=x>", "</pre>", "</Pre>", "<prex"))
def test_a_required_closing_finds_what_a_lazy_pattern_finds(text):
    lazy = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)

    assert sub_enclosed(text, wpcontent._PRE, wpcontent._PRE_END, mark) == lazy.sub(
        lambda m: "{" + m.group(0) + "}", text
    )


@settings(max_examples=400)
@given(pieces("[code", "[CODE lang=x]", "[sourcecode", "[/code]", "[/sourcecode]", "[/CODE]"))
def test_a_shortcode_closes_with_its_own_name_as_a_back_reference_did(text):
    lazy = re.compile(r"\[(code|sourcecode)\b([^\[\]]*)\](.*?)\[/\1\]", re.IGNORECASE | re.DOTALL)

    def inner(_opening, between, _whole):
        return "{" + between + "}"

    assert sub_enclosed(text, wpcontent._CODE, wpcontent._closing, inner) == lazy.sub(
        lambda m: "{" + m.group(3) + "}", text
    )


@settings(max_examples=400)
@given(pieces("<iframe", "<IFRAME src=x>", "</iframe>", "</iframe >", "<iframes"))
def test_an_optional_closing_takes_the_opening_alone_as_before(text):
    lazy = re.compile(r"<iframe\b[^>]*>(?:.*?</iframe\s*>)?", re.IGNORECASE | re.DOTALL)

    found = sub_enclosed(
        text, embeds.IFRAME, embeds.IFRAME_END, mark, optional=True, opening_ends=">"
    )
    assert found == lazy.sub(lambda m: "{" + m.group(0) + "}", text)


@settings(max_examples=400)
@given(pieces("<img", "<IMG ", "src=", " src = 'x.png'", "alt=b", "<imgs"))
def test_tag_matches_are_the_patterns_own_matches(text):
    expected = [m.span() for m in markup._HTML_SRC.finditer(text)]

    assert [m.span() for m in tag_matches(markup._IMG_TAG, markup._HTML_SRC, text)] == expected
    assert sub_tag_matches(
        body._IMG_TAG, body._HTML_IMAGE, lambda m: "{" + m.group(3) + "}", text
    ) == body._HTML_IMAGE.sub(lambda m: "{" + m.group(3) + "}", text)


@settings(max_examples=400)
@given(pieces("<img", "<IMG src=x>", "<imgs", " alt='>'"))
def test_sub_tags_is_the_patterns_own_sub(text):
    assert sub_tags(wpcontent._IMG, "{}", text) == wpcontent._IMG.sub("{}", text)


# Each of these took from seconds to hours: every opening scanned to the end of the text.
HOSTILE = 40_000


def test_openings_never_closed_cost_one_scan():
    shortcodes, pre = "[code [CODE]" * HOSTILE, "<pre " * HOSTILE
    images, embedded = "<img a " * HOSTILE, "<iframe <script src=x " * HOSTILE

    assert sub_enclosed(shortcodes, wpcontent._CODE, wpcontent._closing, mark) == shortcodes
    assert sub_enclosed(pre, wpcontent._PRE, wpcontent._PRE_END, mark) == pre
    assert list(tag_matches(markup._IMG_TAG, markup._HTML_SRC, images)) == []
    assert embeds.rewrite_raw_embeds(embedded) == embedded.replace("<iframe", "&lt;iframe")


class CountingText(str):
    """A text that counts the characters its find() calls look through."""

    looked_at = 0

    def find(self, sub, start=0, end=None):
        found = super().find(sub, start, end)
        CountingText.looked_at += (len(self) if found == -1 else found) - start
        return found


def test_tags_matched_one_after_another_are_looked_through_once():
    # Every "<img src=a" matches; the ">" that ends them all is found once, not once each.
    text = CountingText("<img src=a " * 2_000)
    CountingText.looked_at = 0

    assert len(list(tag_matches(markup._IMG_TAG, markup._HTML_SRC, text))) == 2_000
    assert CountingText.looked_at <= 2 * len(text)


def test_pictures_before_one_end_find_it_once():
    # Each of 400,000 openings looked for the same ">" (or for none): 8 s.
    for text in ("<img src=a " * 400_000, "<img src=a " * 400_000 + ">"):
        found = list(tag_matches(markup._IMG_TAG, markup._HTML_SRC, text))
        assert [m.group(1) for m in found] == ["a"] * 400_000
