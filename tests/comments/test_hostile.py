"""Hostile comment input: known XSS vectors, huge bodies, control characters, bad encodings.

Each is refused with a message or rendered safe; none is a 500.
"""

import time

import pytest
from django.urls import reverse

from comments.markup import render_comment
from comments.models import Comment
from comments.stamps import make_stamp
from tests.data.xss_vectors import VECTORS
from tests.safe_html import problems

pytestmark = pytest.mark.django_db
UGC = ' rel="nofollow ugc"'


def unsafe(html: str) -> list[str]:
    """What tests.safe_html finds, once every link is checked to carry rel="nofollow ugc"."""
    assert html.count("<a ") == html.count(UGC), html
    return problems(html.replace(UGC, ""))


@pytest.mark.parametrize(("source", "vector"), VECTORS)
def test_every_known_vector_renders_safe_with_no_picture_or_raw_html(source, vector):
    html = render_comment(vector)
    assert unsafe(html) == [], (source, vector, html)
    assert "<img" not in html and "<iframe" not in html and "<script" not in html.lower()


def test_the_xss_vectors_posted_never_fail_and_show_safe(client, entry, settings):
    settings.COMMENTS_PER_IP_PER_HOUR = 0
    settings.COMMENTS_PER_ENTRY_PER_HOUR = 0
    settings.COMMENTS_MAX_LINKS = 100
    settings.COMMENTS_BAD_PATTERNS = []
    url = reverse("comments:post", kwargs={"entry_id": entry.pk})
    for index, (_source, vector) in enumerate(VECTORS):
        data = {"name": vector[:100], "website": "javascript:alert(1)", "body": f"{index} {vector}",
                "stamp": make_stamp(entry.pk, now=time.time() - 60)}  # fmt: skip
        response = client.post(url, data, HTTP_ORIGIN="http://testserver")
        assert response.status_code in (200, 400), vector
    # The javascript: website is refused by the form, with the text kept: nothing stored.
    assert Comment.objects.count() == 0
    for index, (_source, vector) in enumerate(VECTORS[:50]):
        Comment.objects.create(
            entry=entry, name=vector[:100], body=f"{index} {vector}", status="approved"
        )
    page = client.get(entry.get_absolute_url()).content.decode()
    start = page.index('id="comments"')
    comments = page[start : page.index("</section>", start)]
    for part in comments.split('<div class="comment-body">')[1:]:
        assert unsafe(part[: part.index("</div>")]) == []


@pytest.mark.parametrize(
    "body",
    [
        "x" * 1_000_000,
        "ab\x00cd\x07ef\x1b[31m\x7f\u0085gh",
    ],
    ids=["1MB", "control-characters"],
)
def test_huge_and_odd_bodies_are_refused_or_cleaned(client, entry, body):
    url = reverse("comments:post", kwargs={"entry_id": entry.pk})
    data = {"name": "Odd", "body": body, "stamp": make_stamp(entry.pk, now=time.time() - 60)}
    response = client.post(url, data, HTTP_ORIGIN="http://testserver")
    assert response.status_code in (200, 400)
    for comment in Comment.objects.all():
        assert not any(ord(c) < 32 and c not in "\n\t" for c in comment.body)
        assert "\x7f" not in comment.body_html


def test_a_body_in_a_bad_encoding_or_an_encoded_surrogate_is_not_a_500(client, entry):
    stamp = make_stamp(entry.pk, now=time.time() - 60)
    raw = b"name=Latin&body=caf\xe9+cr\xe8me+\xff\xfe+\xed\xa0\x80&stamp=" + stamp.encode()
    response = client.post(
        reverse("comments:post", kwargs={"entry_id": entry.pk}),
        raw,
        content_type="application/x-www-form-urlencoded",
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code in (200, 400)
    comment = Comment.objects.get()
    assert comment.body.startswith("caf")
