from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from posts.editorial.roles import (
    AUTHOR,
    EDITOR,
    ROLE_PERMISSIONS,
    can_pick_pictures,
    can_publish,
)
from posts.models import Entry, Image
from tests.admin.test_entries import entry_form
from tests.admin.test_images import image_form
from tests.factories import EntryFactory, ImageFactory, StaffFactory, UserFactory, image_bytes

pytestmark = pytest.mark.django_db

ADD_ENTRY = reverse("admin:posts_entry_add")
CHANGELIST = reverse("admin:posts_entry_changelist")


def change_url(entry: Entry) -> str:
    return reverse("admin:posts_entry_change", args=[entry.pk])


def draft_by(user, **fields) -> Entry:
    return EntryFactory(author=user, status=Entry.Status.DRAFT, published_at=None, **fields)


def group_permissions(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_setup_roles_makes_both_groups_and_can_run_again():
    out = StringIO()
    call_command("setup_roles", stdout=out)
    assert "Created group Author" in out.getvalue()
    Group.objects.get(name=EDITOR).permissions.clear()
    call_command("setup_roles", stdout=out)
    assert "Updated group Editor" in out.getvalue()
    assert Group.objects.filter(name__in=[AUTHOR, EDITOR]).count() == 2
    assert group_permissions(AUTHOR) == set(ROLE_PERMISSIONS[AUTHOR])
    assert group_permissions(EDITOR) == set(ROLE_PERMISSIONS[EDITOR])
    assert "posts.publish_entry" not in group_permissions(AUTHOR)
    assert "taggit.change_tag" in group_permissions(EDITOR)


def test_only_editors_and_superusers_may_publish(author, editor):
    assert not can_publish(author)
    assert can_publish(editor)
    assert can_publish(StaffFactory())
    assert not can_publish(UserFactory())


def test_whoever_may_write_entries_may_browse_pictures(author, editor):
    assert can_pick_pictures(author) and can_pick_pictures(editor)
    assert can_pick_pictures(StaffFactory())  # a superuser
    assert not can_pick_pictures(UserFactory(is_staff=True))


def test_an_author_adding_a_published_entry_gets_a_draft_under_their_own_name(
    author_client, author, editor
):
    when = timezone.localtime(timezone.now() + timedelta(days=2))
    response = author_client.post(
        ADD_ENTRY,
        entry_form(
            editor,  # someone else in the author field
            status="published",
            published_at_0=when.strftime("%Y-%m-%d"),
            published_at_1=when.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.status, entry.published_at, entry.author) == (Entry.Status.DRAFT, None, author)


def test_an_author_cannot_publish_their_draft_through_the_change_form(author_client, author):
    entry = draft_by(author)
    response = author_client.post(
        change_url(entry), entry_form(author, entry, status="published", slug=entry.slug)
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Entry.Status.DRAFT
    assert entry.title == "Written in the admin"  # the rest of the edit was kept


def test_an_author_cannot_publish_with_the_action(author_client, author):
    entry = draft_by(author)
    page = author_client.get(CHANGELIST)
    choices = [name for name, _label in page.context["action_form"].fields["action"].choices]
    assert "publish_now" not in choices and "make_draft" not in choices
    assert "add_tag" in choices
    author_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.status == Entry.Status.DRAFT
    assert not Entry.objects.published().exists()


def test_an_author_sees_and_edits_only_their_own_entries(author_client, author):
    own = draft_by(author, title="Mine")
    other = draft_by(UserFactory(), title="Somebody else's")
    listing = author_client.get(CHANGELIST)
    assert list(listing.context["cl"].queryset) == [own]
    assert author_client.get(change_url(own)).status_code == 200
    # The admin answers an entry outside the queryset as missing: a redirect, no page.
    assert author_client.get(change_url(other)).status_code == 302
    author_client.post(change_url(other), entry_form(author, other, title="Taken over"))
    other.refresh_from_db()
    assert other.title == "Somebody else's"


def test_an_author_may_read_but_not_change_their_published_entry(author_client, author):
    entry = EntryFactory(author=author, title="Live")
    page = author_client.get(change_url(entry))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    response = author_client.post(
        change_url(entry), entry_form(author, entry, title="Quietly changed", slug=entry.slug)
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.title == "Live"


def test_an_author_cannot_unpublish_either(author_client, author):
    entry = EntryFactory(author=author)
    author_client.post(CHANGELIST, {"action": "make_draft", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.is_published


def test_authors_cannot_manage_tags_but_editors_can(author_client, editor_client):
    tags = reverse("admin:taggit_tag_changelist")
    assert author_client.get(tags).status_code == 403
    assert editor_client.get(tags).status_code == 200


def test_editors_keep_the_followers_and_authors_do_not(author_client, editor_client):
    from social.models import Block, Follower, RemoteActor, Server

    server = Server.objects.create(host="social.example")
    actor = RemoteActor.objects.create(
        uri="https://social.example/users/troll", server=server,
        key_id="https://social.example/users/troll#main-key", public_key_pem="-",
        inbox="https://social.example/users/troll/inbox",
    )  # fmt: skip
    follower = Follower.objects.create(actor=actor, follow_id="https://social.example/f/1")
    followers = reverse("admin:social_follower_changelist")
    for name in ("follower_changelist", "block_add", "reaction_changelist", "server_changelist"):
        assert author_client.get(reverse(f"admin:social_{name}")).status_code == 403
        assert editor_client.get(reverse(f"admin:social_{name}")).status_code == 200
    response = editor_client.post(
        followers, {"action": "block_them", "_selected_action": [follower.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not Follower.objects.exists()
    assert Block.objects.filter(actor_uri=actor.uri).exists()


def test_an_editor_edits_publishes_and_schedules_anyones_entries(editor_client, author):
    entry = draft_by(author)
    response = editor_client.post(
        change_url(entry), entry_form(author, entry, status="published", slug=entry.slug)
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.is_published and entry.author == author

    later = draft_by(author)
    when = timezone.localtime(timezone.now() + timedelta(days=1))
    editor_client.post(
        change_url(later),
        entry_form(
            author,
            later,
            slug=later.slug,
            status="published",
            published_at_0=when.strftime("%Y-%m-%d"),
            published_at_1=when.strftime("%H:%M:%S"),
        ),
    )
    later.refresh_from_db()
    assert later.is_scheduled

    editor_client.post(CHANGELIST, {"action": "make_draft", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.status == Entry.Status.DRAFT


def test_a_user_without_a_role_gets_nothing(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(CHANGELIST).status_code == 403
    assert client.post(ADD_ENTRY, {"title": "x"}).status_code == 403


def test_view_on_site_shows_an_author_their_own_drafts_only(author_client, editor_client, author):
    own = draft_by(author)
    other = draft_by(UserFactory())
    assert author_client.get(own.get_absolute_url()).status_code == 200
    assert author_client.get(other.get_absolute_url()).status_code == 404
    assert author_client.get(EntryFactory().get_absolute_url()).status_code == 200
    assert editor_client.get(other.get_absolute_url()).status_code == 200


def image_change_url(image) -> str:
    return reverse("admin:posts_image_change", args=[image.pk])


def replace_picture(client, image):
    """POST a new file and alt text for the picture; return the response."""
    # A colour of its own: the same bytes twice would be refused as an uploaded twin.
    colour = (200, image.pk % 256, 0)
    upload = SimpleUploadedFile("other.png", image_bytes((30, 20), colour=colour))
    return client.post(image_change_url(image), image_form(upload, alt_text="Replaced"))


@pytest.mark.parametrize("use", ["cover", "social_image"])
def test_an_author_cannot_change_the_cover_of_an_editors_published_entry(
    author_client, editor, use
):
    cover = ImageFactory(alt_text="The editor's cover")
    EntryFactory(author=editor, **{use: cover})
    file_name = cover.file.name
    page = author_client.get(image_change_url(cover))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert replace_picture(author_client, cover).status_code == 403
    cover.refresh_from_db()
    assert (cover.file.name, cover.alt_text) == (file_name, "The editor's cover")


@pytest.mark.parametrize(
    ("theirs", "status", "days_ahead"),
    [
        pytest.param(True, Entry.Status.PUBLISHED, -1, id="their-published-entry"),
        pytest.param(True, Entry.Status.PUBLISHED, 1, id="their-scheduled-entry"),
        pytest.param(False, Entry.Status.DRAFT, None, id="someone-elses-draft"),
    ],
)
def test_an_author_cannot_change_a_picture_shown_where_they_may_not_edit(
    author_client, author, theirs, status, days_ahead
):
    picture = ImageFactory(alt_text="As it was")
    EntryFactory(
        author=author if theirs else UserFactory(),
        body=f"![]({picture.file.url})",
        status=status,
        published_at=None if days_ahead is None else timezone.now() + timedelta(days=days_ahead),
    )
    draft_by(author, cover=picture)  # their own draft shows it too: not enough
    assert replace_picture(author_client, picture).status_code == 403
    picture.refresh_from_db()
    assert picture.alt_text == "As it was"


def test_an_author_changes_pictures_unused_or_only_in_their_own_drafts(author_client, author):
    unused = ImageFactory()
    in_draft = ImageFactory()
    draft_by(author, body=f"![]({in_draft.file.url})", cover=in_draft)
    for picture in (unused, in_draft):
        assert replace_picture(author_client, picture).status_code == 302
        picture.refresh_from_db()
        assert picture.alt_text == "Replaced"


def test_an_editor_changes_pictures_in_anyones_published_entries(editor_client, author):
    cover = ImageFactory()
    EntryFactory(author=author, cover=cover)
    assert replace_picture(editor_client, cover).status_code == 302
    cover.refresh_from_db()
    assert cover.alt_text == "Replaced"


def test_deleting_a_picture_follows_the_same_rule(author_client, author, editor):
    author.user_permissions.add(Permission.objects.get(codename="delete_image"))
    cover = ImageFactory()
    EntryFactory(author=editor, cover=cover)
    delete_url = reverse("admin:posts_image_delete", args=[cover.pk])
    assert author_client.get(delete_url).status_code == 403
    unused = ImageFactory()
    author_client.post(reverse("admin:posts_image_delete", args=[unused.pk]), {"post": "yes"})
    assert not Image.objects.filter(pk=unused.pk).exists()


def test_an_image_page_names_only_the_entries_the_user_may_open(
    author_client, editor_client, author, editor
):
    picture = ImageFactory()
    draft_by(author, title="My own draft", cover=picture)
    draft_by(UserFactory(), title="A colleague's secret draft", body=f"![]({picture.file.url})")
    EntryFactory(author=editor, title="The editor's entry", cover=picture)
    page = author_client.get(image_change_url(picture)).content.decode()
    assert "My own draft" in page
    assert "secret draft" not in page and "The editor&#x27;s entry" not in page
    assert "2 entries you cannot open" in page
    page = editor_client.get(image_change_url(picture)).content.decode()
    assert all(
        title in page for title in ("My own draft", "secret draft", "The editor&#x27;s entry")
    )
    assert "cannot open" not in page
