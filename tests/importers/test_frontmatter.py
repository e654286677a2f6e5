"""Our export's front matter: whatever an entry holds, a YAML reader gives back exactly that."""

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from posts.importers import frontmatter

# Any text the database can hold: every code point but the lone surrogates.
texts = st.text(st.characters(exclude_categories=["Cs"]))
metas = st.dictionaries(
    st.sampled_from(["title", "slug", "excerpt", "date", "tags", "pictures", "draft"]),
    texts
    | st.booleans()
    | st.lists(texts)
    | st.lists(
        st.fixed_dictionaries({"file": texts, "alt": texts, "decorative": st.booleans()}),
        min_size=1,
    ),
)


@settings(max_examples=300)
@given(metas, texts)
def test_what_dump_writes_split_reads_back(meta, body):
    document = frontmatter.split(frontmatter.dump(meta) + body, "post.md")

    assert document.meta == meta
    assert document.body == body


@settings(max_examples=300)
@given(metas)
def test_pure_python_yaml_reads_it_too(meta):
    # Hugo, Jekyll and other tools bring their own readers: not only libyaml's.
    raw = frontmatter.dump(meta).removeprefix("---\n").removesuffix("---\n")

    assert (yaml.load(raw, Loader=yaml.SafeLoader) or {}) == meta


def test_values_that_look_like_other_things_stay_text():
    meta = {
        "title": "---",
        "slug": "yes",
        "date": "2015-01-01",
        "excerpt": 'a "quoted" line\nand a # that is no comment',
        "tags": ["1.0", "null", "~"],
    }

    dumped = frontmatter.dump(meta)

    assert frontmatter.split(dumped, "post.md").meta == meta
    assert dumped.count("\n---\n") == 1  # the closing fence only


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("title: A\ndate: 2010-13-45\n", 3),
        ("title: A\ntags:\n  - x\n  - 2014-02-30\n", 5),
        ("title: A\ncreated: 2014-01-02 25:00:00\n", 3),
    ],
)
def test_a_date_that_is_no_date_is_named_with_its_line(raw, line):
    with pytest.raises(frontmatter.FrontMatterError) as caught:
        frontmatter.split(f"---\n{raw}---\nBody\n", "post.md")

    assert caught.value.problem.line == line
    assert "bad value" in caught.value.problem.message


def test_a_long_value_repeated_by_aliases_is_refused():
    # 20 kB written once and named 200 times: 4 MB of categories for one permalink, and
    # 1 MB named 9,999 times stayed under the count of values while standing for 10 GB.
    raw = f"c: &c {'x' * 20_000}\ncategories: [{', '.join(['*c'] * 200)}]\n"

    with pytest.raises(frontmatter.FrontMatterError) as caught:
        frontmatter.split(f"---\n{raw}---\nBody\n", "post.md")

    assert caught.value.problem.line == 3
    assert "front matter stands for more than" in caught.value.problem.message


def test_aliases_of_short_values_and_long_values_written_once_are_read():
    raw = f"excerpt: {'y' * 300_000}\nc: &c short\ncategories: [{', '.join(['*c'] * 200)}]\n"

    meta = frontmatter.split(f"---\n{raw}---\nBody\n", "post.md").meta

    assert len(meta["excerpt"]) == 300_000 and meta["categories"] == ["short"] * 200
