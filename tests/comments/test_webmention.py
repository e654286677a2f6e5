"""Webmention both ways against a second site on 127.0.0.1 (tests/otherside.py).

The h-entry markup below is written here, in microformats2.
"""

import pytest
from django.urls import reverse
from PIL import Image

from comments.models import Comment, SentMention
from comments.webmention.receive import read_mention
from tests.factories import EntryFactory, image_bytes
from tests.otherside import OtherSite, Page

pytestmark = pytest.mark.django_db

REPLY = """<!doctype html><html><body>
<article class="h-entry">
  <p class="p-author h-card"><img class="u-photo" src="/me.jpg" alt="">
    <a class="p-name u-url" href="/about">Lin Ostrom</a></p>
  <p>In reply to <a class="u-in-reply-to" href="{target}">the gardens entry</a></p>
  <div class="e-content">Commons need <b>rules</b> made by those who use them.</div>
  <a class="u-url" href="/notes/7">permalink</a>
</article></body></html>"""

LIKE = """<html><body><div class="h-entry">
  <a class="p-author h-card" href="https://liker.example/">Ada Liker</a>
  liked <a class="u-like-of" href="{target}">this</a>
</div></body></html>"""

MENTION = """<html><body><article class="h-entry"><h1 class="p-name">Weekly links</h1>
<div class="e-content">Read <a href="{target}">a good entry</a> today.</div>
</article></body></html>"""


@pytest.fixture
def other(settings):
    settings.BLOGSITE_FETCH_ALLOW_HOSTS = ["127.0.0.1"]
    settings.BLOGSITE_FETCH_TIMEOUT = 1.0
    settings.BLOGSITE_SITE_URL = "http://testserver"
    with OtherSite() as site:
        yield site


@pytest.fixture
def target(entry):
    return "http://testserver" + entry.get_absolute_url()


@pytest.fixture
def mention(client, django_capture_on_commit_callbacks, target):
    def post(source: str, to: str | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("comments:webmention"), {"source": source, "target": to or target}
            )

    return post


def test_a_reply_is_verified_parsed_and_moderated(client, other, mention, target, entry):
    other.pages["/reply"] = Page(REPLY.format(target=target).encode())
    other.pages["/me.jpg"] = Page(
        image_bytes((300, 200), "JPEG"), headers={"Content-Type": "image/jpeg"}
    )
    assert mention(other.url("/reply")).status_code == 202
    comment = Comment.objects.get()
    assert (comment.kind, comment.status, comment.name) == ("reply", "pending", "Lin Ostrom")
    assert comment.photo == other.url("/me.jpg") and comment.website == other.url("/about")
    with Image.open(comment.avatar.path) as avatar:  # a small copy, served by this site
        assert (avatar.format, avatar.size) == ("WEBP", (64, 43))
    assert "Commons need rules" in comment.body
    Comment.objects.update(status="approved")
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Lin Ostrom" in page and "Commons need rules" in page
    picture = page.split('<img class="comment-photo"')[1].split(">")[0]
    assert f'src="{comment.avatar.url}"' in picture


def test_a_photo_that_is_no_picture_or_too_big_leaves_the_mention_without_one(
    other, mention, target
):
    other.pages["/reply"] = Page(REPLY.format(target=target).encode())
    other.pages["/me.jpg"] = Page(b"<html>not a picture</html>")
    mention(other.url("/reply"))
    assert Comment.objects.get().avatar.name == ""
    other.pages["/me.jpg"] = Page(b"x" * 65536, repeat=20)
    mention(other.url("/reply"))
    assert Comment.objects.get().avatar.name == ""


def test_an_update_is_followed_and_a_410_deletes(other, mention, target):
    other.pages["/reply"] = Page(REPLY.format(target=target).encode())
    mention(other.url("/reply"))
    other.pages["/reply"] = Page(REPLY.format(target=target).replace("rules", "norms").encode())
    mention(other.url("/reply"))
    assert Comment.objects.get().body.startswith("Commons need norms")
    other.pages["/reply"] = Page(b"gone", status=410)
    mention(other.url("/reply"))
    assert not Comment.objects.exists()


def test_a_source_that_stops_linking_is_deleted_and_one_that_never_did_is_ignored(
    other, mention, target
):
    other.pages["/post"] = Page(MENTION.format(target=target).encode())
    mention(other.url("/post"))
    assert Comment.objects.get().kind == "mention"
    other.pages["/post"] = Page(b"<p>No link any more.</p>")
    mention(other.url("/post"))
    assert not Comment.objects.exists()
    other.pages["/never"] = Page(b"<p>Nothing to see.</p>")
    mention(other.url("/never"))
    assert not Comment.objects.exists()


def test_a_like_shows_as_a_reaction(client, other, mention, target, entry):
    other.pages["/like"] = Page(LIKE.format(target=target).encode())
    mention(other.url("/like"))
    comment = Comment.objects.get()
    assert (comment.kind, comment.name) == ("like", "Ada Liker")
    Comment.objects.update(status="approved")
    assert "Ada Liker</a> liked this" in client.get(entry.get_absolute_url()).content.decode()


def test_a_redirect_to_a_private_address_a_slow_and_a_huge_source(other, mention, target):
    other.pages["/jump"] = Page(status=302, headers={"Location": "http://10.1.2.3/reply"})
    other.pages["/slow"] = Page(REPLY.format(target=target).encode(), delay=3)
    head = MENTION.format(target=target).encode()
    other.pages["/huge-late"] = Page(
        b"<p>" + b"x" * 65536, repeat=100, headers={"Content-Type": "text/html"}
    )
    other.pages["/huge-early"] = Page(head + b"<!--" + b"y" * 65536, repeat=100)
    for path in ("/jump", "/slow", "/huge-late"):
        assert mention(other.url(path)).status_code == 202
    assert not Comment.objects.exists()
    mention(other.url("/huge-early"))  # the link comes before the cut: kept
    assert Comment.objects.get().kind == "mention"


@pytest.mark.parametrize(
    ("source", "to", "status"),
    [("ftp://x.example/", None, 400),
     ("http://a.example/", "http://elsewhere.example/2026/01/x/", 400),
     ("http://a.example/", "http://testserver/tags/", 400),
     ("http://[", None, 400)],
)  # fmt: skip
def test_bad_requests_are_refused_at_once(mention, source, to, status):
    assert mention(source, to).status_code == status


def test_the_verify_results(other, target, entry):
    from comments.webmention.receive import verify

    other.pages["/jump"] = Page(status=302, headers={"Location": "http://10.1.2.3/reply"})
    other.pages["/slow"] = Page(b"late", delay=3)
    assert verify(other.url("/jump"), target) == "refused"
    assert verify(other.url("/slow"), target) == "timed out"


def test_read_mention_takes_a_plain_author_and_no_content():
    found = read_mention(
        '<div class="h-entry"><span class="p-author">Plain Name</span>'
        '<a class="u-repost-of" href="http://t.example/p">x</a></div>',
        "http://s.example/r",
        "http://t.example/p",
    )
    assert (found["kind"], found["name"]) == ("repost", "Plain Name")


def test_an_author_address_that_is_no_web_page_is_dropped():
    found = read_mention(
        '<div class="h-entry"><div class="p-author h-card"><span class="p-name">Eve</span>'
        '<a class="u-url" href="javascript:alert(1)">me</a></div>'
        '<a class="u-in-reply-to" href="http://t.example/p">x</a></div>',
        "http://s.example/r",
        "http://t.example/p",
    )
    assert (found["name"], found["website"]) == ("Eve", "")


@pytest.mark.parametrize(
    ("headers", "html"),
    [
        (
            {"Link": '<http://127.0.0.1:{port}/x>; rel="other", </endpoint>; rel="webmention"'},
            "",
        ),
        ({}, '<html><head><link rel="webmention" href="/endpoint"></head></html>'),
        ({}, '<html><body><a rel="nofollow webmention" href="endpoint">wm</a></body></html>'),
    ],
    ids=["link-header", "link-element", "a-element"],
)
def test_publishing_sends_once_per_change(other, headers, html, django_capture_on_commit_callbacks):
    port = other.base.rsplit(":", 1)[1]
    headers = {k: v.format(port=port) for k, v in headers.items()}
    other.pages["/"] = Page(html.encode(), headers={"Content-Type": "text/html", **headers})
    other.pages["/quiet"] = Page(b"<p>no endpoint</p>")
    body = f"See [their post]({other.url('/')}) and [another]({other.url('/quiet')})."
    with django_capture_on_commit_callbacks(execute=True):
        entry = EntryFactory(body=body)
    source = "http://testserver" + entry.get_absolute_url()
    assert [(r["path"], r["source"], r["target"]) for r in other.received] == [
        ("/endpoint", source, other.url("/"))
    ]
    results = dict(SentMention.objects.values_list("target", "result"))
    assert results == {other.url("/"): "accepted", other.url("/quiet"): "no Webmention endpoint"}
    with django_capture_on_commit_callbacks(execute=True):
        entry.save()  # nothing changed: nothing sent
    assert len(other.received) == 1
    entry.body = "The link is gone now."
    with django_capture_on_commit_callbacks(execute=True):
        entry.save()
    assert len(other.received) == 2  # the dropped link hears of it, so it can delete


def test_sending_to_a_private_endpoint_is_refused_and_recorded(
    other, django_capture_on_commit_callbacks
):
    other.pages["/"] = Page(b'<link rel="webmention" href="http://169.254.169.254/wm">')
    with django_capture_on_commit_callbacks(execute=True):
        EntryFactory(body=f"[x]({other.url('/')})")
    assert SentMention.objects.get().result.startswith("not sent: 169.254.169.254 resolves")
    assert other.received == []


def test_one_address_may_send_only_so_many_mentions_an_hour(mention, settings):
    settings.WEBMENTIONS_PER_IP_PER_HOUR = 2
    assert mention("ftp://x.example/").status_code == 400
    assert mention("ftp://x.example/").status_code == 400
    response = mention("http://a.example/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
