from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from taggit.models import Tag

from posts.importers.base import Report
from posts.importers.templates import convert
from posts.models import Entry, Image, Redirect
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
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


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_markdown", *map(str, args), stdout=out)
    return out.getvalue()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


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
    from tests.factories import image_bytes

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
    assert "{% include figure.html %}" in entry.body  # kept where the author will see it
    assert "template tag kept as text: {% include %}" in output
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
    assert '{{< ref "other.md" >}}' in release.body
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


def test_same_titles_in_one_import_get_distinct_slugs_every_time(tmp_path):
    write(tmp_path, "2013-02-04-hello.md", "---\ntitle: Hello\n---\nOne.\n")
    write(tmp_path, "2013-02-16-hello.md", "---\ntitle: Hello\n---\nTwo.\n")
    run(tmp_path)
    run(tmp_path)
    assert dict(Entry.objects.values_list("slug", "body")) == {
        "hello": "One.\n",
        "hello-2": "Two.\n",
    }


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


def test_a_line_of_pictures_never_closed_is_kept_as_it_is(tmp_path):
    # This body took 15 s to read before; a return of that shows as this test's duration.
    body = "![a](" * 3000 + "\n" + "![" * 30000 + "\n"
    write(tmp_path, "hostile.md", f"---\ntitle: Hostile\n---\n{body}")
    run(tmp_path)
    assert Entry.objects.get().body == body


def test_a_line_of_html_pictures_never_closed_is_kept_as_it_is(tmp_path):
    # Each picture's alt was looked for to the end of the line: this body took 27 s.
    body = "<img src=a.png " * 20_000 + "\n"
    write(tmp_path, "hostile.md", f"---\ntitle: Hostile\n---\n{body}")
    run(tmp_path)
    assert Entry.objects.get().body == body


def test_an_html_pictures_alt_comes_with_it(tmp_path):
    (tmp_path / "a.png").write_bytes(image_bytes())
    (tmp_path / "b.png").write_bytes(image_bytes(colour=(200, 40, 40)))
    body = '<img alt="Before" src="a.png"> and <img src="b.png" alt="After">\n'
    write(tmp_path, "pictured.md", f"---\ntitle: Pictured\n---\n{body}")
    run(tmp_path)
    assert sorted(Image.objects.values_list("alt_text", flat=True)) == ["After", "Before"]


def test_unknown_template_tags_are_kept_and_counted():
    report = Report()
    text = "{% include a.html %} {{ page.title }} {{< instagram x >}}"
    assert convert(text, Path("x.md"), report) == text
    assert set(report.notes) == {
        "template tag kept as text: {% include %}",
        "template tag kept as text: {{ page.title }}",
        "template tag kept as text: {{< instagram >}}",
    }


def test_a_large_import_reads_and_renders_on_every_core_with_the_same_result(tmp_path, monkeypatch):
    from posts.importers import base, markdown
    from tests.factories import image_bytes

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
    monkeypatch.setattr(base, "PARALLEL_FROM", 2)
    monkeypatch.setattr(markdown, "PARALLEL_FROM", 2)  # reading in workers too
    parallel_output = run(tmp_path)
    parallel = {e.slug: (e.body_html, e.body_text, e.summary) for e in Entry.objects.all()}
    assert parallel == serial
    assert "Note (6x): template tag kept as text: {% include %}" in parallel_output
    assert parallel_output.splitlines()[2:] == serial_output.splitlines()[2:]
    assert [entry.images.count() for entry in Entry.objects.order_by("title")] == [0, 1] * 3
    assert "<picture>" in parallel["post-3"][0]
    assert '<span class="nb">print' in parallel["post-2"][0]  # rendered while read


def test_a_reimport_that_changes_an_entry_keeps_what_was_there_as_a_revision(tmp_path):
    source = write(tmp_path, "2020-05-01-notes.md", "---\ntitle: Notes\ntags: [a]\n---\nFirst.\n")
    run(tmp_path)
    entry = Entry.objects.get()
    entry.body = "Edited here, in the admin.\n"
    entry.save()
    source.write_text("---\ntitle: Notes\ntags: [a, b]\n---\nSecond.\n", encoding="utf-8")
    assert "updated: 1" in run(tmp_path)
    entry.refresh_from_db()
    assert entry.body == "Second.\n"
    kept = list(entry.revisions.order_by("created_at", "pk").values_list("body", "tags"))
    assert kept == [("Edited here, in the admin.\n", "a"), ("Second.\n", "a, b")]


def test_pictures_outside_the_imported_folders_are_never_read(tmp_path):
    from tests.factories import image_bytes

    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "secret.png").write_bytes(image_bytes(size=(30, 30)))
    site = tmp_path / "site" / "_posts"
    site.mkdir(parents=True)
    (site / "link.png").symlink_to(secret / "secret.png")
    write(
        site,
        "2020-01-01-sneaky.md",
        "---\ntitle: Sneaky\n---\n![a](../../secret/secret.png)\n\n"
        f"![b](/../../../../..{secret}/secret.png)\n\n![c](link.png)\n",
    )
    output = run(site)
    assert Image.objects.count() == 0
    assert "picture not found, address kept: ../../secret/secret.png" in output
    assert "picture not found, address kept: link.png" in output


def test_an_unrelated_entry_with_the_same_slug_is_never_taken_over(tmp_path):
    from tests.factories import EntryFactory

    about = EntryFactory(slug="about", title="About us", body="Ours.")
    write(tmp_path, "about.md", "---\ntitle: Imported\nslug: about\ndraft: true\n---\nTheirs.\n")
    output = run(tmp_path)
    assert "slug 'about' belongs to another entry" in output and "gets 'about-2'" in output
    about.refresh_from_db()
    assert (about.title, about.body, about.status) == ("About us", "Ours.", Entry.Status.PUBLISHED)
    assert Entry.objects.get(slug="about-2").body == "Theirs.\n"
    assert "Entries created: 0, updated: 0, unchanged: 1" in run(tmp_path)


@pytest.mark.parametrize(
    "front_matter",
    [
        "redirect_from: 5\npictures: 7\ncategories: 5\ntags: {a: 1}\n",
        "authors: Bob\n",
        "draft: 'false'\n",
        "title: [1, 2]\n",
    ],
)
def test_odd_values_in_front_matter_do_not_stop_an_import(tmp_path, front_matter):
    write(tmp_path, "2020-02-02-odd.md", f"---\n{front_matter}---\nText.\n")
    run(tmp_path)
    entry = Entry.objects.get()
    assert entry.status == Entry.Status.PUBLISHED
    if "authors" in front_matter:
        assert entry.author.username == "Bob"


@pytest.mark.parametrize(
    ("front_matter", "tags"),
    [("tags: 2014\n", ["2014"]), ("tags: [2014, 3.5]\n", ["2014", "3.5"]), ("tags: yes\n", [])],
)
def test_tags_written_as_numbers_are_tags(tmp_path, front_matter, tags):
    write(tmp_path, "2020-02-02-year.md", f"---\n{front_matter}---\nText.\n")
    run(tmp_path)
    assert sorted(Entry.objects.get().tags.names()) == tags


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


def test_a_redirects_file_cannot_plant_a_script_address(tmp_path, client):
    write(tmp_path, "a.md", "---\ntitle: A\n---\nx\n")
    (tmp_path / "_redirects").write_text(
        "/old-js javascript:alert(1) 301\n/old-data data:text/html,x 301\n/fine /a/ 301\n"
    )
    output = run(tmp_path)
    assert "redirect to 'javascript:alert(1)' not imported" in output
    assert sorted(Redirect.objects.values_list("old_path", flat=True)) == ["/fine"]


def test_a_drafts_old_address_is_not_given_away(tmp_path, client):
    write(tmp_path, "a.md", "---\ntitle: A\ndraft: true\nredirect_from: /old-a/\n---\nx\n")
    run(tmp_path)
    assert client.get("/old-a/").status_code == 404
    Entry.objects.update(status=Entry.Status.PUBLISHED, published_at=timezone.now())
    assert client.get("/old-a/").status_code == 301


def test_a_redirects_file_keeps_addresses_and_reports_host_rules(tmp_path, client):
    write(tmp_path, "a.md", "---\ntitle: A\n---\nx\n")
    (tmp_path / "_redirects").write_text(
        "# a comment\n/old /a-new/ 301\n/ p=12 /a-new/ 301\n/blog/* /posts/:splat 301\n"
        "/feed/ /feed/index.xml 200\n"
    )
    output = run(tmp_path)
    assert sorted(Redirect.objects.values_list("old_path", "target")) == [
        ("/?p=12", "/a-new/"),
        ("/old", "/a-new/"),
    ]
    assert "_redirects:4: not an old address, left out: /blog/*" in output
    assert "_redirects:5: not an old address, left out: /feed/" in output


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


def test_a_linked_file_belongs_to_the_site_of_its_target(tmp_path):
    site = tmp_path / "blog"
    write(site, "_config.yml", "permalink: /:year/:title/\n")
    write(site, "_posts/2020-01-02-linked.md", "---\ntitle: Linked\n---\nText.\n")
    picked = tmp_path / "picked"
    write(picked, "2020-03-04-plain.md", "---\ntitle: Plain\n---\nText.\n")
    (picked / "2020-01-02-linked.md").symlink_to(site / "_posts" / "2020-01-02-linked.md")
    run(picked)
    keys = dict(Entry.objects.values_list("slug", "import_key"))
    assert keys == {
        "plain": "markdown:2020-03-04-plain.md",
        "linked": "jekyll:2020-01-02-linked.md",
    }
    assert Redirect.objects.get(entry__slug="linked").old_path == "/2020/linked/"
    assert not Redirect.objects.filter(entry__slug="plain").exists()


def test_text_that_looks_like_our_picture_mark_stays_text(tmp_path):
    from tests.factories import image_bytes

    site = tmp_path / "site"
    (site / "shots").mkdir(parents=True)
    (site / "shots" / "a.png").write_bytes(image_bytes(size=(40, 30)))
    body = "Marks: @@blogsite-image-0@@ and @@blogsite-image-7@@.\n\n![A shot](/shots/a.png)\n"
    write(site, "_posts/2020-01-02-marks.md", "---\ntitle: Marks\n---\n" + body)
    run(site / "_posts")
    entry = Entry.objects.get(slug="marks")
    assert "Marks: @@blogsite-image-0@@ and @@blogsite-image-7@@." in entry.body
    assert entry.images.count() == 1 and "/media/" in entry.body


def test_an_author_name_longer_than_an_account_name_is_found_again(tmp_path):
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2014-01-02-long.md").write_text(f"---\ntitle: Long\nauthor: {'a' * 200}\n---\nText\n")
    run(posts)
    assert "created: 0, updated: 0, unchanged: 1" in run(posts)
    assert get_user_model().objects.get().username == "a" * 150


def test_a_picture_whose_address_goes_on_over_a_line_break_is_imported(tmp_path):
    from tests.factories import image_bytes

    (tmp_path / "shot.png").write_bytes(image_bytes())
    write(
        tmp_path,
        "2014-01-01-shots.md",
        "---\ntitle: Shots\n---\n[![A shot](shot.png\n){: .right}](shot.png)\n\n"
        '<img alt="Another"\n  src="shot.png">\n\n![Not one](shot.png\n\n)\n\n'
        "See [the shot][1].\n\n[1]:\n  shot.png\n",
    )
    run(tmp_path)

    image = Image.objects.get()
    body = Entry.objects.get().body
    assert body.count(image.file.url) == 3  # the link to it stays a link
    assert "![Not one](shot.png\n\n)" in body  # a blank line ends it: not a picture
