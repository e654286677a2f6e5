"""The comments panel on the entry's change form: the Webmentions sent for its links, its
comment switch and its comments in the queue; constant queries, and only for those who may."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Discussion, SentMention
from posts.editorial.roles import AUTHOR, EDITOR
from posts.models import Entry
from tests.conftest import member_of
from tests.factories import EntryFactory, UserFactory

pytestmark = pytest.mark.django_db

PANEL = Template("{% load comments_admin %}{% entry_comments_panel entry %}")


def render(user, entry) -> str:
    request = RequestFactory().get("/admin/")
    request.user = user
    return PANEL.render(Context({"request": request, "entry": entry}))


def mentions(entry, count: int) -> None:
    now = timezone.now()
    SentMention.objects.bulk_create(
        SentMention(
            entry=entry,
            target=f"https://elsewhere.example/notes/{n}",
            endpoint=f"https://elsewhere.example/webmention/{n}",
            status_code=202,
            result="accepted",
            sent_at=now - timedelta(minutes=n),
        )
        for n in range(count)
    )


def test_an_editor_sees_the_mentions_sent_with_their_results(entry):
    SentMention.objects.create(
        entry=entry,
        target="https://elsewhere.example/post",
        endpoint="https://elsewhere.example/wm",
        status_code=400,
        result="refused (400)",
        sent_at=timezone.now(),
    )
    SentMention.objects.create(
        entry=entry, target="https://plain.example/", result="no Webmention endpoint"
    )
    SentMention.objects.create(entry=EntryFactory(), target="https://other-entry.example/")
    html = render(member_of(EDITOR), entry)
    assert 'id="entry-comments-heading"' in html
    assert "https://elsewhere.example/post" in html and "https://elsewhere.example/wm" in html
    assert "refused (400)" in html and ">400<" in html
    assert "no Webmention endpoint" in html
    assert "other-entry.example" not in html


def test_no_mentions_yet_says_when_they_are_sent(entry):
    assert "None sent yet" in render(member_of(EDITOR), entry)


def test_the_switch_says_open_and_links_to_adding_one(entry):
    html = render(member_of(EDITOR), entry)
    assert "Readers may comment on this entry now." in html
    assert "(the site's default)" in html
    add = reverse("admin:comments_discussion_add") + f"?entry={entry.pk}"
    assert f'href="{add}"' in html and "Switch comments off" in html


def test_a_closed_switch_links_to_itself(entry):
    Discussion.objects.create(entry=entry, open=False)
    html = render(member_of(EDITOR), entry)
    assert "Comments are switched off for this entry." in html
    assert reverse("admin:comments_discussion_change", args=[entry.pk]) in html
    assert "Switch comments on" in html and "default" not in html


def test_a_draft_takes_comments_once_published(db):
    draft = EntryFactory(status=Entry.Status.DRAFT, published_at=None)
    assert "they open when the entry is published" in render(member_of(EDITOR), draft)


def test_the_queue_link_names_what_waits_for_this_entry(entry):
    Comment.objects.create(entry=entry, name="A", body="Waiting", status=Comment.Status.PENDING)
    Comment.objects.create(entry=entry, name="B", body="Seen", status=Comment.Status.APPROVED)
    Comment.objects.create(entry=EntryFactory(), name="C", body="Elsewhere")
    html = render(member_of(EDITOR), entry)
    assert "1 comment waiting for moderation." in html
    queue = reverse("admin:comments_comment_changelist")
    assert f"{queue}?entry__id__exact={entry.pk}&amp;status__exact=pending" in html


def test_the_queue_link_opens_only_this_entrys_comments(client, entry):
    Comment.objects.create(entry=entry, name="Ada", body="Mine", status=Comment.Status.PENDING)
    Comment.objects.create(entry=EntryFactory(), name="Bob", body="Theirs")
    client.force_login(member_of(EDITOR))
    queue = client.get(
        reverse("admin:comments_comment_changelist"),
        {"entry__id__exact": entry.pk, "status__exact": "pending"},
    )
    assert queue.status_code == 200
    assert "Mine" in queue.content.decode() and "Theirs" not in queue.content.decode()


@pytest.mark.parametrize("role", [AUTHOR, None])
def test_nothing_for_those_without_the_apps_permissions(entry, role):
    mentions(entry, 2)
    user = member_of(role) if role else UserFactory(is_staff=True)
    assert render(user, entry).strip() == ""
    assert render(AnonymousUser(), entry).strip() == ""


def test_each_part_follows_its_own_permission(entry):
    mentions(entry, 1)
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_discussion"))
    html = render(user, entry)
    assert "Readers may comment" in html
    # May look at the switch but not change it, nor see the mentions or the queue.
    assert "Switch comments off" not in html
    assert "elsewhere.example" not in html and "waiting for moderation" not in html


def test_nothing_on_an_entry_being_added(db):
    assert render(member_of(EDITOR), Entry()).strip() == ""


def test_many_mentions_are_cut_short_with_a_link_to_all(entry):
    mentions(entry, 55)
    html = render(member_of(EDITOR), entry)
    assert html.count("data-mention=") == 50
    every = reverse("admin:comments_sentmention_changelist")
    assert f"{every}?entry__id__exact={entry.pk}" in html


@pytest.mark.parametrize("count", [1, 10])
def test_the_panel_costs_three_queries_however_many_mentions(
    entry, count, django_assert_num_queries
):
    mentions(entry, count)
    Comment.objects.create(entry=entry, name="A", body="Waiting", status=Comment.Status.PENDING)
    editor = member_of(EDITOR)
    editor.has_perm("comments.view_comment")  # the admin has loaded them by the time it renders
    with django_assert_num_queries(3):
        html = render(editor, entry)
    assert html.count("data-mention=") == count


def test_the_entry_form_shows_the_panel_and_still_saves(client, entry):
    mentions(entry, 1)
    client.force_login(member_of(EDITOR))
    page = client.get(reverse("admin:posts_entry_change", args=[entry.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="entry-comments-heading"' in html and "elsewhere.example/notes/0" in html
    # The panel sits after the entry's form, not inside it.
    assert html.index("entry-comments-heading") > html.index('id="entry_form"')


def test_the_link_to_all_mentions_lists_only_this_entrys(client, entry):
    mentions(entry, 1)
    SentMention.objects.create(entry=EntryFactory(), target="https://other-entry.example/")
    client.force_login(member_of(EDITOR))
    every = client.get(
        reverse("admin:comments_sentmention_changelist"), {"entry__id__exact": entry.pk}
    )
    assert every.status_code == 200
    html = every.content.decode()
    assert "elsewhere.example/notes/0" in html and "other-entry.example" not in html
