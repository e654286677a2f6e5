"""Posting a comment: what goes through, what each spam rule refuses, and what readers see."""

import re
import time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment, Discussion
from comments.moderation import COMMENTER_COOKIE
from comments.stamps import make_stamp
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

TYPED = "A thoughtful answer about gardens and *roses*."


def test_a_real_comment_waits_for_moderation_and_is_not_shown_yet(client, entry, send):
    response = send()
    assert response.status_code == 200
    assert "waiting for moderation" in response.content.decode()
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.body_html == "<p>A thoughtful answer about gardens and <em>roses</em>.</p>\n"
    assert TYPED not in client.get(entry.get_absolute_url()).content.decode()


def test_the_cookie_stays_on_the_comment_path_and_the_entry_page_sets_none(client, entry, send):
    response = send()
    cookie = response.cookies[COMMENTER_COOKIE]
    assert cookie["path"] == "/comments/"
    page = client.get(entry.get_absolute_url())
    assert not page.cookies
    assert 'name="csrfmiddlewaretoken"' not in page.content.decode()


def test_an_approved_commenter_is_published_at_once_by_cookie(client, entry, send):
    send()
    Comment.objects.update(status=Comment.Status.APPROVED)
    response = send(body="A second thought, published straight away.")
    assert response.status_code == 303
    second = Comment.objects.latest("pk")
    assert second.status == Comment.Status.APPROVED
    assert response["Location"].endswith(f"#comment-{second.pk}")
    assert "A second thought" in client.get(entry.get_absolute_url()).content.decode()


def test_a_trusted_commenter_with_a_link_still_waits(client, entry, send):
    send()
    Comment.objects.update(status=Comment.Status.APPROVED)
    send(body="See https://example.org/roses for more.")
    assert Comment.objects.latest("pk").status == Comment.Status.PENDING


def test_trust_by_email_only_where_the_setting_allows(client, entry, send, settings):
    Comment.objects.create(
        entry=entry, name="G", email="grace@example.org", body="old", status="approved"
    )
    client.cookies.clear()
    send(body="New words from a new browser.")
    assert Comment.objects.latest("pk").status == Comment.Status.PENDING
    settings.COMMENTS_TRUST_EMAIL = True
    send(body="Newer words from a new browser.")
    assert Comment.objects.latest("pk").status == Comment.Status.APPROVED


def refused_keeping_text(
    response, status: int, reason: str, typed: str = TYPED, stored: int = 0
) -> None:
    page = response.content.decode()
    assert response.status_code == status, page
    assert reason in page
    assert typed.replace("*", "") in page.replace("*", "")  # what they typed is in the form
    assert Comment.objects.count() == stored


def test_honeypot_refuses_a_bot_and_keeps_the_text(send):
    refused_keeping_text(send(homepage="http://spam.example"), 400, "hidden field")


@pytest.mark.parametrize(("age", "reason"), [(0, "very quickly"), (2 * 86400, "open too long")])
def test_a_stamp_too_young_or_too_old_is_refused(send, entry, age, reason):
    refused_keeping_text(send(stamp=make_stamp(entry.pk, now=time.time() - age)), 400, reason)


def test_a_forged_or_other_entrys_stamp_is_refused(send, entry):
    other = EntryFactory()
    refused_keeping_text(send(stamp="1:2:forged"), 400, "not sent from this site")
    refused_keeping_text(
        send(stamp=make_stamp(other.pk, now=time.time() - 60)), 400, "another entry"
    )


def test_a_post_from_another_origin_or_none_is_refused(send):
    refused_keeping_text(send(origin="https://evil.example"), 403, "sent from this site")
    refused_keeping_text(send(origin=None), 403, "sent from this site")
    refused_keeping_text(send(origin="http://["), 403, "sent from this site")  # no 500


def test_per_ip_rate_limit(send, settings):
    settings.COMMENTS_PER_IP_PER_HOUR = 2
    assert send(body="first comment here").status_code == 200
    assert send(body="second comment here").status_code == 200
    refused_keeping_text(send(), 429, "Too many comments", stored=2)


def test_per_entry_rate_limit(send, settings, entry):
    settings.COMMENTS_PER_ENTRY_PER_HOUR = 1
    other = EntryFactory()
    assert send(body="first comment here").status_code == 200
    response = send(body="on the same entry again")  # the per-address limit is far off
    assert response.status_code == 429
    assert "on the same entry again" in response.content.decode()
    assert send(other, body="another entry is fine").status_code == 200


def test_too_many_links_are_refused_and_a_few_pass(send, settings):
    settings.COMMENTS_MAX_LINKS = 2
    many = "https://a.example https://b.example https://c.example"
    refused_keeping_text(send(body=many), 400, "at most 2 links", typed=many)
    assert send(body="Only https://a.example here").status_code == 200


def test_bad_patterns_are_refused(send):
    spam = "Buy VIAGRA now"
    refused_keeping_text(send(body=spam), 400, "looks like spam", typed=spam)
    assert send(body="Vineyards are not spam.").status_code == 200


def test_a_duplicate_is_refused(send):
    assert send().status_code == 200
    response = send(body="  a THOUGHTFUL answer about   gardens and *roses*. ")
    assert response.status_code == 400
    assert "already received" in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_body_over_the_maximum_length_is_refused(send, settings):
    settings.COMMENTS_MAX_LENGTH = 100
    response = send(body="x" * 101)
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
    assert send(body="y" * 100).status_code == 200


def test_closed_entries_and_old_entries_take_no_comments(send, entry, settings):
    Discussion.objects.create(entry=entry, open=False)
    assert send().status_code == 403
    Discussion.objects.filter(entry=entry).update(open=True)
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0  # never
    assert send().status_code == 200


def test_auto_close_after_n_days(client, send, entry, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1  # the entry was published a day ago, plus a bit
    response = send()
    assert response.status_code == 403
    assert "closed" in response.content.decode()
    assert "Comments are closed" in client.get(entry.get_absolute_url()).content.decode()


def test_replies_are_one_level_deep(client, entry, send):
    top = Comment.objects.create(entry=entry, name="A", body="top", status="approved")
    reply = Comment.objects.create(
        entry=entry, name="B", body="reply", parent=top, status="approved"
    )
    deeper = Comment.objects.create(entry=entry, name="C", body="deeper", parent=reply)
    assert deeper.parent_id == top.pk
    send(parent=str(reply.pk))
    assert Comment.objects.latest("pk").parent_id == top.pk


def test_the_entry_page_shows_approved_comments_safely_in_constant_queries(client, entry):
    Comment.objects.create(
        entry=entry, name="One", body="[a link](https://x.example)", status="approved"
    )
    client.get(entry.get_absolute_url())  # the site's menu, read once per content version
    with CaptureQueriesContext(connection) as one:
        body = client.get(entry.get_absolute_url()).content.decode()
    assert '<a href="https://x.example" rel="nofollow ugc">a link</a>' in body
    for number in range(9):
        Comment.objects.create(
            entry=entry, name=f"N{number}", body=f"comment {number}", status="approved"
        )
    with CaptureQueriesContext(connection) as ten:
        body = client.get(entry.get_absolute_url()).content.decode()
    assert body.count('class="comment h-cite"') == 10
    assert len(one) == len(ten)


def test_the_signed_delete_link_is_mailed_and_deletes(client, entry, send):
    send()
    comment = Comment.objects.get()
    message = next(m for m in mail.outbox if m.to == ["grace@example.org"])
    link = next(line for line in message.body.splitlines() if "/comments/delete/" in line)
    path = link[link.index("/comments/") :]
    assert "Delete your comment?" in client.get(path).content.decode()
    assert client.post(path).status_code == 200
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert client.get(path).status_code == 404
    assert client.get(reverse("comments:delete", kwargs={"token": "forged"})).status_code == 404


def test_the_entry_page_form_has_no_stamp_and_no_script(client, entry):
    page = client.get(entry.get_absolute_url()).content.decode()
    # The comments section, up to the footer (the statistics beacon follows the footer, and
    # the subscribers' sign-up form in it has a stamp of its own, the same all day).
    comments = page.split('id="comments"')[1].split('<footer class="site-footer"')[0]
    assert 'name="stamp"' in comments and 'name="stamp" value' not in comments
    assert "<script" not in comments
    assert page == client.get(entry.get_absolute_url()).content.decode()  # same every time


def test_the_entry_page_form_is_the_form_rendered_afresh_and_follows_the_length_setting(
    client, entry, settings
):
    """The empty form's fields are rendered once per process: what they give is what Django
    renders for a new form, and a different COMMENTS_MAX_LENGTH gives a different form."""
    from django.template.loader import render_to_string

    from comments.forms import CommentForm

    fresh = render_to_string("comments/includes/form_fields.html", {"form": CommentForm()})
    page = client.get(entry.get_absolute_url()).content.decode()
    assert fresh.strip() in page
    assert f'maxlength="{settings.COMMENTS_MAX_LENGTH}"' in page
    settings.COMMENTS_MAX_LENGTH = 1234
    page = client.get(entry.get_absolute_url()).content.decode()
    assert 'maxlength="1234"' in page and "At most 1234 characters" in page


def test_from_the_page_a_comment_is_previewed_with_a_stamp_then_sent(client, entry, send):
    response = send(stamp="", body="First **draft** of my thought.")
    page = response.content.decode()
    assert response.status_code == 200 and "Preview your comment" in page
    assert "<strong>draft</strong>" in page and "First **draft** of my thought." in page
    assert Comment.objects.count() == 0
    assert response["Cache-Control"] == "private, no-store" and not response.cookies
    stamp = re.search(r'name="stamp" value="([^"]+)"', page).group(1)
    assert send(stamp=stamp).status_code == 400  # sent at once: too fast
    assert "very quickly" in send(stamp=stamp).content.decode()
    later = make_stamp(entry.pk, now=time.time() - 10)
    assert send(stamp=later, body="First **draft** of my thought.").status_code == 200
    assert Comment.objects.get().body == "First **draft** of my thought."


def test_the_reply_page_answers_one_approved_comment(client, entry, send):
    top = Comment.objects.create(entry=entry, name="Ada", body="top words", status="approved")
    waiting = Comment.objects.create(entry=entry, name="Bo", body="waiting")
    page = client.get(entry.get_absolute_url()).content.decode()
    url = reverse("comments:reply", kwargs={"entry_id": entry.pk, "parent_id": top.pk})
    assert url in page
    response = client.get(url)
    assert "Reply to Ada" in response.content.decode() and not response.cookies
    assert f'name="parent" value="{top.pk}"' in response.content.decode()
    bad = reverse("comments:reply", kwargs={"entry_id": entry.pk, "parent_id": waiting.pk})
    assert client.get(bad).status_code == 404
    send(parent=str(top.pk))
    assert Comment.objects.latest("pk").parent_id == top.pk


def test_feeds_per_entry_and_for_the_site(client, entry):
    Comment.objects.create(entry=entry, name="Shown", body="approved words", status="approved")
    Comment.objects.create(entry=entry, name="Hidden", body="waiting words")
    for url in (
        reverse("comments:entry-feed", kwargs={"entry_id": entry.pk}),
        reverse("comments:feed"),
    ):
        body = client.get(url).content.decode()
        assert "approved words" in body and "waiting words" not in body


def test_the_entry_page_advertises_webmention(client, entry):
    response = client.get(entry.get_absolute_url())
    assert 'rel="webmention"' in response["Link"]
    assert '<link rel="webmention" href="/comments/webmention/">' in response.content.decode()
