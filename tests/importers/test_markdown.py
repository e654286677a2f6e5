from pathlib import Path

import pytest
from django.core.management import CommandError
from django.utils import timezone
from taggit.models import Tag

from posts.importers.records import Report
from posts.importers.templates import convert
from posts.models import Entry, Image, Redirect
from tests.factories import image_bytes
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
JEKYLL = CORPUS / "jekyll" / "benbalter.github.com"
BROKEN = "2010-12-01-the-internet-is-series-of-tubes.md"
needs_jekyll = pytest.mark.skipif(
    not JEKYLL.exists(), reason=f"Jekyll corpus not found at {JEKYLL}"
)
JEKYLL_OPTIONS = [
    "--permalink",
    "/:year/:month/:day/:title/",
    "--site-url",
    "http://ben.balter.com",
]


@needs_jekyll
def test_a_broken_file_stops_the_jekyll_import_naming_file_and_line(media_root):
    with pytest.raises(CommandError) as err:
        run(JEKYLL / "_posts", *JEKYLL_OPTIONS)
    assert f"{BROKEN}:1: 'l' stands before the front matter's opening ---" in str(err.value)
    assert Entry.objects.count() == Image.objects.count() == Tag.objects.count() == 0
    assert not any(media_root.rglob("*.*"))


@needs_jekyll
def test_the_jekyll_blog_arrives_whole_with_skip_invalid_and_twice_changes_nothing(client):
    output = run(JEKYLL / "_posts", "--skip-invalid", *JEKYLL_OPTIONS)
    assert "Entries created: 92, updated: 0, unchanged: 0, skipped as invalid: 1." in output
    assert f"Skipped {JEKYLL / '_posts' / BROKEN}:1:" in output
    files = sorted(p for p in (JEKYLL / "_posts").glob("*.md") if p.name != BROKEN)
    assert Entry.objects.count() == len(files) == 92
    # "published: false" in one post's front matter: a draft; every other one published.
    assert Entry.objects.filter(status=Entry.Status.DRAFT).count() == 1
    assert Entry.objects.published().count() == 91
    # All 7 screenshots the corpus holds, among 33 referenced; one of them has its address
    # end on the next line ("![a](http://…/shot.png\n)"), which was once missed.
    assert Image.objects.count() == 7
    # The text arrived: every line of every body is there, but the ones the import rewrote.
    rewritten = ("{%", "{:", "![", "<img", "]: ")
    for path in files:
        body = path.read_text("utf-8").split("\n---", 1)[1]
        entry = _entry_for(path)
        for line in body.split("\n"):
            if line.strip() and not any(mark in line for mark in rewritten):
                assert line.strip() in entry.body, (path.name, line)
    again = run(JEKYLL / "_posts", "--skip-invalid", *JEKYLL_OPTIONS)
    assert "Entries created: 0, updated: 0, unchanged: 92" in again
    assert "Pictures added: 0, already here: 7. Tags added: 0. Authors added: 0." in again
    assert Entry.objects.count() == 92 and Image.objects.count() == 7
    # Old addresses: the permalink pattern's, and the front matter's redirect_from.
    tubes = Entry.objects.get(slug="treat-data-as-code")
    response = client.get("/2013/09/16/treat-data-as-code/")
    assert response.status_code == 301 and response["Location"] == tubes.get_absolute_url()
    moved = Redirect.objects.get(old_path="/2014/01/27/open-collabortion/")
    assert client.get(moved.old_path)["Location"] == moved.entry.get_absolute_url()


def _entry_for(path: Path) -> Entry:
    """The entry a corpus file became: its old address leads to it."""
    year, month, day = path.name[:10].split("-")
    redirect = Redirect.objects.filter(
        old_path__startswith=f"/{year}/{month}/{day}/", entry__isnull=False
    )
    matches = [r.entry for r in redirect if r.old_path.endswith(f"/{path.stem[11:]}/")]
    assert len(matches) == 1, path.name
    return matches[0]


@needs_jekyll
def test_a_dry_run_reports_and_writes_nothing(media_root):
    output = run(JEKYLL / "_posts", "--skip-invalid", "--dry-run", *JEKYLL_OPTIONS)
    assert "Entries would be created: 92" in output
    assert "Pictures would be added: 7" in output
    assert "Dry run: nothing was written." in output
    assert Entry.objects.count() == Image.objects.count() == Tag.objects.count() == 0
    assert Redirect.objects.count() == 0
    assert not any(media_root.rglob("*.*"))


def test_front_matter_fields_become_the_entry(tmp_path, client):
    posts = tmp_path / "site" / "_posts"
    write(tmp_path / "site", "shots/board.png", "")  # replaced by a real picture below

    (tmp_path / "site" / "shots" / "board.png").write_bytes(image_bytes(size=(200, 100)))
    write(
        posts,
        "2014-03-02-a-talk.md",
        "---\n"
        "title: >\n  A talk at\n  FOSDEM\n"
        "author: Ada Lovelace\n"
        "date: 2014-03-02 10:30:00 +0100\n"
        "categories: [Conferences]\n"
        "tags: ocaml unikernels\n"
        "excerpt: What we saw.\n"
        "image: /shots/board.png\n"
        "redirect_from: /talk/\n"
        "---\n"
        "Intro with ![the board](/shots/board.png).\n\n"
        "{% highlight ocaml %}\nlet x = 1\n{% endhighlight %}\n\n"
        "{% include figure.html %}\n",
    )
    output = run(posts)
    entry = Entry.objects.get()
    assert entry.title == "A talk at FOSDEM"
    assert entry.slug == "a-talk"
    assert entry.author.get_full_name() == "Ada Lovelace" and not entry.author.is_active
    assert entry.published_at.isoformat() == "2014-03-02T09:30:00+00:00"
    assert sorted(entry.tags.names()) == ["Conferences", "ocaml", "unikernels"]
    assert entry.excerpt == "What we saw."
    assert entry.cover.alt_text == "the board" and entry.cover.width == 200  # one Image for both
    assert f"![the board]({entry.cover.file.url})" in entry.body
    assert "```ocaml\nlet x = 1\n```" in entry.body
    assert '<span class="k">let</span>' in entry.body_html
    assert "{% include" not in entry.body  # no rendering here: never shown raw to readers
    assert "template tag removed, nothing here renders it: {% include figure.html %}" in output
    assert client.get("/talk/")["Location"] == entry.get_absolute_url()
    # Jekyll's default permalink, with no _config.yml and no --permalink:
    assert client.get("/conferences/2014/03/02/a-talk.html").status_code == 301


def test_hugo_toml_front_matter_aliases_and_drafts(tmp_path, client):
    content = tmp_path / "content"
    write(
        content,
        "posts/mirage-release.md",
        '+++\ntitle = "Mirage 2.0"\ndate = 2014-07-22T09:00:00Z\n'
        'lastmod = 2014-07-23T09:00:00Z\ntags = ["mirage"]\naliases = ["/blog/mirage-2"]\n'
        'description = "The release."\n+++\n'
        'Watch: {{< youtube dQw4w9WgXcQ >}}\n\n{{< ref "other.md" >}}\n',
    )
    write(content, "posts/notes.md", '+++\ntitle = "Notes"\ndraft = true\n+++\nLater.\n')
    write(content, "posts/_index.md", '+++\ntitle = "Posts"\n+++\n')
    run(content)
    release = Entry.objects.get(slug="mirage-release")
    assert release.excerpt == "The release."
    assert release.updated_at.isoformat() == "2014-07-23T09:00:00+00:00"
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in release.body_html
    assert release.body.endswith("\n/posts/other/\n")  # the old address, kept as a redirect
    assert Entry.objects.get(slug="notes").status == Entry.Status.DRAFT
    assert Entry.objects.count() == 2  # the section's _index.md is not a post
    for old in ("/blog/mirage-2", "/posts/mirage-release/"):
        assert client.get(old)["Location"] == release.get_absolute_url()


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("---\ntitle: ok\ntags: [a, b\n---\nBody\n", "front matter is not valid YAML", 4),
        (
            "---\ntitle: ok\ndate: next tuesday\n---\nBody\n",
            "date: 'next tuesday' is not a date",
            3,
        ),
        ("---\ntitle: never closed\nBody\n", "never closed", 1),
        ("---\n- a list\n---\nBody\n", "must be a set of `key: value` lines", 2),
        ('+++\ntitle = "x\n+++\nBody\n', "front matter is not valid TOML", 2),
        # A billion laughs: 9 levels of 9 aliases. Its date was once written out in the
        # message: 2 GB of text.
        (
            "---\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + "".join(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 9))
            + "title: *a8\ndate: *a8\n---\nBody\n",
            "front matter stands for more than 10,000 values",
            3,
        ),
        ("---\ndate: [[[2020]]]\n---\nBody\n", "date: [[[2020]]] is not a date", 2),
        (f'---\ndate: "{"x" * 100_000}"\n---\n', "date: 'xxxxxxxxxxxx...xxxxxxxxxxxxx' is not", 2),
    ],
)
def test_malformed_front_matter_names_file_and_line_and_writes_nothing(
    tmp_path, text, message, line
):
    write(tmp_path, "good.md", "---\ntitle: Good\n---\nFine.\n")
    bad = write(tmp_path, "bad.md", text)
    with pytest.raises(CommandError) as err:
        run(tmp_path)
    assert f"{bad}:{line}: " in str(err.value) and message in str(err.value)
    assert Entry.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path):
    (tmp_path / "latin.md").write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    with pytest.raises(CommandError, match=r"latin.md:2: is not UTF-8 text \(byte 0xe9\)"):
        run(tmp_path)


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file or folder"):
        run(tmp_path / "nope")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{% highlight python %}\nx = 1\n{% endhighlight %}", "```python\nx = 1\n```"),
        (
            "  {% highlight php %}<?php echo 1; ?>{% endhighlight %}",
            "```php\n<?php echo 1; ?>\n```",
        ),
        ("{{< highlight go >}}\nfunc f() {}\n{{< /highlight >}}", "```go\nfunc f() {}\n```"),
        ("{{< vimeo 55073825 >}}", "https://vimeo.com/55073825"),
        ("{{< gist spf13 7896402 >}}", "https://gist.github.com/spf13/7896402"),
        ('{{< figure src="/a.png" alt="A" caption="Cap" >}}', '![A](/a.png "Cap")'),
        ("See {{ site.url }}/about/.", "See /about/."),
        ("{% raw %}{{ not a tag }}{% endraw %}", "{{ not a tag }}"),
        ("```\n{% include kept.html %}\n```", "```\n{% include kept.html %}\n```"),
        ("Text.\n{: .note}\nMore", "Text.\nMore"),
    ],
)
def test_template_tags_become_markdown(source, expected):
    assert convert(source, Path("x.md"), Report()).strip() == expected


@pytest.mark.parametrize(
    "line",
    ["{{" + " " * 1000, "{{< a" * 3000, "{{ a" * 3000, "{% highlight x " * 1000, "{% a" * 5000],
)
def test_a_line_of_tags_never_closed_is_kept_as_it_is(line):
    # Each took seconds to minutes before (growing with the cube or the square of its
    # length); a return of that shows as this test's duration, not in a timed assertion.
    assert convert(line + "\n", Path("hostile.md"), Report()) == line + "\n"


@pytest.mark.parametrize(
    "text",
    [
        "{{< highlight a " * 16_000,  # 34 s: each opening read to the end of the text
        " " * 200_000 + "highlight",  # 32 s: each space read to the end of the spaces
        "highlight\n" + "\t" * 200_000 + "x",
        "a {:" * 100_000,  # 12 s: each attribute list never closed read to the line's end
    ],
)
def test_highlight_tags_and_attribute_lists_never_closed_are_kept_as_they_are(text):
    # A return of the slow patterns shows as this test's duration, not in a timed assertion.
    assert convert(text + "\n", Path("hostile.md"), Report()) == text + "\n"


def test_unknown_template_tags_are_removed_and_counted():
    report = Report()
    text = "{% include a.html %} {{ page.title }} {{< instagram x >}}"
    assert convert(text, Path("x.md"), report) == "  "
    assert set(report.notes) == {
        "template tag removed, nothing here renders it: {% include a.html %}",
        "template tag removed, nothing here renders it: {{ page.title }}",
        "template tag removed, nothing here renders it: {{< instagram >}}",
    }


def test_a_large_import_reads_and_renders_on_every_core_with_the_same_result(tmp_path, monkeypatch):
    from posts.importers import markdown, writer

    (tmp_path / "dot.png").write_bytes(image_bytes(size=(90, 60)))
    for number in range(6):
        write(
            tmp_path,
            f"2020-01-0{number + 1}-post-{number}.md",
            f"---\ntitle: Post {number}\n---\n"
            + (f"![Dot {number}](dot.png)\n\n" if number % 2 else "")  # some rendered by readers
            + f"```python\nprint({number})\n```\n\n{{% include x.html %}}\n",
        )
    serial_output = run(tmp_path)
    serial = {e.slug: (e.body_html, e.body_text, e.summary) for e in Entry.objects.all()}
    Entry.objects.all().delete()
    monkeypatch.setattr(writer, "PARALLEL_FROM", 2)
    monkeypatch.setattr(markdown, "PARALLEL_FROM", 2)  # reading in workers too
    parallel_output = run(tmp_path)
    parallel = {e.slug: (e.body_html, e.body_text, e.summary) for e in Entry.objects.all()}
    assert parallel == serial
    assert "Note (6x): template tag removed, nothing here renders it: {% include x.html %}" in (
        parallel_output
    )
    assert parallel_output.splitlines()[2:] == serial_output.splitlines()[2:]
    assert [entry.images.count() for entry in Entry.objects.order_by("title")] == [0, 1] * 3
    assert "<picture>" in parallel["post-3"][0]
    assert '<span class="nb">print' in parallel["post-2"][0]  # rendered while read


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("---\ndate: 0001-01-01 00:00:00 +05:00\n---\nx\n", "is not a date"),
        ("---\ndate: 9999-12-31 23:00:00 -05:00\n---\nx\n", "is not a date"),
    ],
)
def test_empty_files_and_dates_out_of_range_are_refused_by_name(tmp_path, text, message):
    write(tmp_path, "odd.md", text)
    with pytest.raises(CommandError, match=message):
        run(tmp_path)
    assert Entry.objects.count() == 0


def test_a_drafts_old_address_is_not_given_away(tmp_path, client):
    write(tmp_path, "a.md", "---\ntitle: A\ndraft: true\nredirect_from: /old-a/\n---\nx\n")
    run(tmp_path)
    assert client.get("/old-a/").status_code == 404
    Entry.objects.update(status=Entry.Status.PUBLISHED, published_at=timezone.now())
    assert client.get("/old-a/").status_code == 301


def test_the_files_found_are_markdown_in_a_stable_order_without_hidden_or_index_files(tmp_path):
    from posts.importers.markdown import find_files

    for name in [
        "a.md", "B.MD", "c.markdown", "notes.txt", "_index.md", ".draft.md", ".git/x.md",
        "sub/d.md", "sub/_index.en.md", "sub/deeper/e.mkd", "dir.md/f.md", "sub/.cache/g.md",
    ]:  # fmt: skip
        write(tmp_path, name, "---\ntitle: x\n---\n")
    (tmp_path / "link.md").symlink_to(tmp_path / "a.md")  # a link to a file is taken
    (tmp_path / "linked").symlink_to(tmp_path / "sub")  # a link to a folder is not followed
    (tmp_path / "broken.md").symlink_to(tmp_path / "nowhere.md")
    found = [path.relative_to(tmp_path).as_posix() for path in find_files([tmp_path])]
    assert found == [
        "B.MD", "a.md", "c.markdown", "dir.md/f.md", "link.md", "sub/d.md", "sub/deeper/e.mkd",
    ]  # fmt: skip
    assert find_files([tmp_path / "sub" / "d.md", tmp_path]) == [
        tmp_path / "sub" / "d.md",
        *(tmp_path / name for name in found if name != "sub/d.md"),
    ]


def test_subject_gives_the_title_and_updated_or_lastmod_the_date(tmp_path):
    # Before: titles came from file names ("Msa00") and both posts were dated at import time.
    write(
        tmp_path,
        "msa00.md",
        "---\nsubject: Notes on the first meeting\nupdated: 2011-04-05\n---\nA\n",
    )
    write(tmp_path, "msa01.md", '+++\nlastmod = 2012-06-07T08:00:00Z\ntitle = "Second"\n+++\nB\n')
    write(tmp_path, "msa02.md", "---\ntitle: Third\npublishDate: 2013-01-02\n---\nC\n")
    write(tmp_path, "msa03.md", "---\ntitle: Undated\n---\nD\n")
    write(tmp_path, "msa04.md", "---\ntitle: Draft\ndraft: true\n---\nE\n")
    output = run(tmp_path)
    first = Entry.objects.get(slug="msa00")
    assert first.title == "Notes on the first meeting"
    assert first.published_at.date().isoformat() == "2011-04-05"
    assert Entry.objects.get(slug="msa01").published_at.isoformat() == "2012-06-07T08:00:00+00:00"
    assert Entry.objects.get(slug="msa02").published_at.date().isoformat() == "2013-01-02"
    undated = f"{tmp_path / 'msa03.md'}: no date in its front matter"
    assert undated in output
    assert output.count("no date in its front matter") == 1  # a draft needs none


def test_the_text_before_more_is_the_summary_of_a_markdown_post(tmp_path):
    # Before: the summary was the first paragraph alone, whatever <!--more--> said.
    body = "Listed *here*.\n\nAnd this.\n\n<!--more-->\n\nOnly on the page.\n"
    write(tmp_path, "a.md", f"---\ntitle: A\n---\n{body}")
    run(tmp_path)
    entry = Entry.objects.get()
    assert entry.summary == "Listed here. And this." and "Only on the page." in entry.body_html
