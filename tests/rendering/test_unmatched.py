"""The rule that takes brackets nothing closes as text: the same HTML as markdown-it's own."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from posts.rendering.markdown import build_parser, render

SPEC = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "commonmark" / "spec.json"


def both(text: str) -> tuple[str, str]:
    """Return the HTML of text with the rule and without it."""
    with_rule = build_parser(highlight=False, guard=True).render(text)
    without = build_parser(highlight=False, guard=False).render(text)
    return with_rule, without


@pytest.mark.parametrize(
    "text",
    [
        "[" * 500,
        "![" * 500,
        "[[[a](b)",
        "[a] [b] [",
        "![alt](x.png) ![ ![",
        "[^1] [\n\n[^1]: note",
        "^[inline note] [",
        "`[` [ `]`",
        "\\[ [ \\]",
        "[x]\n\n[x]: /url\n\n[[[",
        "<a href='[x'>[</a>",
        "- [ ] task [\n- [x] done",
        "| a [ | b |\n|---|---|\n| [ | ] |",
        "!!![[[!",
        "*[*a* [",
    ],
)
def test_same_html_as_markdown_it(text):
    with_rule, without = both(text)
    assert with_rule == without


@given(st.text(alphabet="[]!()^a *_`\\<>\n:/.", max_size=60))
@example("![[!")
@example("[!]")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_same_html_on_any_mix_of_brackets(text):
    with_rule, without = both(text)
    assert with_rule == without


@pytest.mark.skipif(not SPEC.exists(), reason=f"CommonMark spec corpus not found at {SPEC}")
def test_same_html_on_every_spec_example():
    examples = json.loads(SPEC.read_text())
    differ = [ex["example"] for ex in examples if len(set(both(ex["markdown"]))) != 1]
    assert differ == []


def test_a_megabyte_of_brackets_is_text():
    html = render("Intro\n\n" + "[" * 1_000_000 + "\n\n[a link](https://example.org/)").html
    assert html.count("[") == 1_000_000
    assert '<a href="https://example.org/">a link</a>' in html
