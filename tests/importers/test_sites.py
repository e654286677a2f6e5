"""A Markdown file's site (posts/importers/sites.py): its kind, its old addresses, _redirects."""

import pytest

from posts.models import Entry, Redirect
from tests.importers.markdown_sources import run, write

pytestmark = pytest.mark.django_db


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
    # The second of the kind is counted with the first; --report FILE lists it.
    assert "left out: /blog/* /posts/:splat 301 (and 1 more like it)" in output


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


@pytest.mark.parametrize(
    ("name", "config"),
    [
        ("hugo.toml", '[permalinks]\nposts = "/:year/:month/:title/"\nnotes = "/n/:slug/"\n'),
        ("config.yaml", "permalinks:\n  posts: /:year/:month/:title/\n  notes: /n/:slug/\n"),
        ("hugo.json", '{"permalinks": {"page": {"posts": "/:year/:month/:title/", '
         '"notes": "/n/:slug/"}}}'),
    ],
)  # fmt: skip
def test_a_hugo_sites_own_permalinks_give_the_old_addresses(tmp_path, client, name, config):
    # Before: every post's old address was /section/slug/, an address the site never had.
    site = tmp_path / "site"
    write(site, name, config)
    write(
        site, "content/posts/first-try.md", "---\ntitle: My First Try\ndate: 2019-05-06\n---\nA\n"
    )
    write(site, "content/notes/n1.md", "---\ntitle: Note\nslug: short\ndate: 2019-05-07\n---\nB\n")
    write(site, "content/about.md", "---\ntitle: About\ndate: 2019-05-08\n---\nC\n")
    run(site / "content")
    old = dict(Redirect.objects.values_list("entry__slug", "old_path"))
    assert old == {"first-try": "/2019/05/my-first-try/", "short": "/n/short/", "about": "/about/"}
    entry = Entry.objects.get(slug="first-try")
    assert client.get("/2019/05/my-first-try/")["Location"] == entry.get_absolute_url()


def test_the_permalink_option_wins_over_a_hugo_sites_config(tmp_path):
    site = tmp_path / "site"
    write(site, "hugo.toml", '[permalinks]\nposts = "/:year/:title/"\n')
    write(site, "content/posts/p.md", "---\ntitle: Pee\ndate: 2019-05-06\n---\nA\n")
    run(site / "content", "--permalink", "/archive/:slug/")
    assert Redirect.objects.get().old_path == "/archive/pee/"
