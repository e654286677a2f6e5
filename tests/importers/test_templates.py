"""Generator tags in a body (posts/importers/templates.py): each table's rules, and imports."""

from pathlib import Path

import pytest

from posts.importers.records import Report
from posts.importers.templates import convert
from posts.models import Entry
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db


def test_jekyll_bootstraps_setup_line_never_reaches_the_summary(tmp_path):
    # Before: "{% include JB/setup %}" was the first paragraph, the summary and the feed text.
    posts = tmp_path / "_posts"
    write(posts, "2013-05-01-first.md", "---\ntitle: First\n---\n{% include JB/setup %}\n\nHi.\n")
    run(posts)
    entry = Entry.objects.get()
    assert entry.summary == "Hi." and "include" not in entry.body_html


def test_a_hugo_note_box_becomes_a_quote_with_its_markdown_rendered(tmp_path):
    content = tmp_path / "content" / "posts"
    write(
        content,
        "boxes.md",
        '---\ntitle: Boxes\n---\n{{% alert title="Heads up" color="warning" %}}\n'
        "Mind the **gap**.\n\nAnd the step.\n{{% /alert %}}\n\n"
        "{{< notice tip >}}Short one{{< /notice >}}\n\n"
        "```\n{{% alert %}}shown as code{{% /alert %}}\n```\n",
    )
    run(tmp_path / "content")
    html = Entry.objects.get().body_html
    assert (
        "<blockquote>\n<p><strong>Heads up</strong></p>\n<p>Mind the <strong>gap</strong>." in html
    )
    assert "<p>And the step.</p>\n</blockquote>" in html
    assert "<strong>Tip</strong></p>\n<p>Short one</p>" in html
    assert "{{% alert %}}shown as code{{% /alert %}}" in html  # code is left alone


def test_hugo_param_relref_and_a_titled_youtube(tmp_path, client):
    site = tmp_path / "site"
    write(
        site,
        "hugo.toml",
        'title = "Mine"\n[params]\nauthor = "Ada"\n[params.social]\nfed = "@ada"\n',
    )
    write(
        site, "content/posts/target-post.md", "---\ntitle: Target\ndate: 2020-01-02\n---\nHere.\n"
    )
    write(
        site,
        "content/posts/linker.md",
        "---\ntitle: Linker\ndate: 2020-01-03\n---\n"
        "By {{< param author >}} ({{< param social.fed >}}). "
        'See [it]({{< relref "target-post" >}}) and '
        '[too]({{< ref "/posts/target-post.md#part" >}}).\n\n'
        '{{< youtube id="w7Ft2ymGmfc" title="A site in two minutes" >}}\n',
    )
    run(site / "content")
    linker, target = Entry.objects.get(slug="linker"), Entry.objects.get(slug="target-post")
    assert "By Ada (@ada)." in linker.body_html
    url = target.get_absolute_url()  # the link goes straight to the imported entry
    assert f'<a href="{url}">it</a>' in linker.body_html
    assert f'<a href="{url}#part">too</a>' in linker.body_html
    assert client.get("/posts/target-post/")["Location"] == target.get_absolute_url()
    assert 'title="A site in two minutes"' in linker.body_html


def test_a_table_extended_in_settings_wins(settings):
    settings.BLOGSITE_IMPORT_SHORTCODES = {
        "hugo": {"spoiler": "<details><summary>{label}</summary>\n\n{inner}\n\n</details>"},
        "jekyll": {"include note.html": "> {content}"},
    }
    text = '{{< spoiler title="Ending" >}}\nThey *win*.\n{{< /spoiler >}}\n'
    assert convert(text, Path("x.md"), Report()).strip() == (
        "<details><summary>Ending</summary>\n\nThey *win*.\n\n</details>"
    )
    assert convert('{% include note.html content="Hey" %}\n', Path("x.md"), Report(), "jekyll") == (
        "> Hey\n"
    )


def test_tags_with_no_rendering_are_removed_with_one_note_each_kind(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\n---\n{{< gallery dir=x >}}{% include share.html %}\n")
    write(tmp_path, "b.md", "---\ntitle: B\n---\n{{< gallery dir=y >}}\n")
    output = run(tmp_path)
    assert "Note (2x): template tag removed, nothing here renders it: {{< gallery >}}" in output
    assert "{{<" not in "".join(Entry.objects.values_list("body_html", flat=True))
