"""Links between imported posts (posts/importers/internal_links.py): to the new addresses."""

import pytest

from posts.models import Entry
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db


def test_links_between_jekyll_posts_go_to_their_new_addresses_and_twice_changes_nothing(
    tmp_path, client, monkeypatch
):
    # Before: "/blog/2013/09/16/first/" stayed in the body and answered 404 on this site.
    from posts.importers import markdown

    posts = tmp_path / "site" / "_posts"
    write(tmp_path / "site", "_config.yml", "permalink: /blog/:year/:month/:day/:title/\n")
    write(
        posts,
        "2013-09-16-first.md",
        "---\ntitle: First\n---\nNext: [second](/blog/2013/09/17/second/).\n",
    )
    write(
        posts,
        "2013-09-17-second.md",
        '---\ntitle: Second\n---\nBack to [the first](/blog/2013/09/16/first/ "It").\n\n'
        "[ref]: /blog/2013/09/16/first/\n\nSee [ref] and [a page](/about/).\n",
    )
    monkeypatch.setattr(markdown, "PARALLEL_FROM", 10_000)
    run(posts)
    first, second = Entry.objects.get(slug="first"), Entry.objects.get(slug="second")
    assert f"[second]({second.get_absolute_url()})" in first.body
    assert f'[the first]({first.get_absolute_url()} "It")' in second.body
    assert f"[ref]: {first.get_absolute_url()}" in second.body
    assert "[a page](/about/)" in second.body  # not a post of this import: as written
    assert f'<a href="{second.get_absolute_url()}">second</a>' in first.body_html
    for entry in (first, second):
        assert client.get(entry.get_absolute_url()).status_code == 200
    assert "Entries created: 0, updated: 0, unchanged: 2" in run(posts)


def test_a_hugo_relref_links_to_the_entry_whatever_the_sites_permalinks(tmp_path):
    site = tmp_path / "site"
    write(site, "hugo.toml", '[permalinks]\nposts = "/:year/:title/"\n')
    write(
        site,
        "content/posts/a.md",
        '---\ntitle: A\ndate: 2020-01-01\n---\nSee [b]({{< relref "b" >}}).\n',
    )
    write(site, "content/posts/b.md", "---\ntitle: B\ndate: 2020-01-02\n---\nHi.\n")
    run(site / "content")
    a, b = Entry.objects.get(slug="a"), Entry.objects.get(slug="b")
    assert f'<a href="{b.get_absolute_url()}">b</a>' in a.body_html


def test_a_jekyll_post_url_links_to_the_entry_whatever_its_categories(tmp_path):
    # Before: "{% post_url %}" stayed raw in the link; removing it would leave "[it]()".
    posts = tmp_path / "_posts"
    write(posts, "2014-02-03-target.md", "---\ntitle: T\ncategories: [talks]\n---\nHi.\n")
    write(
        posts,
        "2014-02-04-linker.md",
        "---\ntitle: L\n---\nSee [it]({% post_url 2014-02-03-target %}) and "
        "[that]({{ site.baseurl }}{% post_url /2014-02-03-target %}).\n",
    )
    run(posts)
    url = Entry.objects.get(slug="target").get_absolute_url()
    html = Entry.objects.get(slug="linker").body_html
    assert f'<a href="{url}">it</a>' in html and f'<a href="{url}">that</a>' in html
