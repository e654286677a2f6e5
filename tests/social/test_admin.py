"""The admin: likes and boosts counted per entry, blocks that end a follower's ties."""

import pytest

from social.models import Block, Follower, Reaction, RemoteActor, Server
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    server = Server.objects.create(host="social.example")
    return RemoteActor.objects.create(
        uri="https://social.example/users/ada", server=server,
        key_id="https://social.example/users/ada#main-key", public_key_pem="x",
        inbox="https://social.example/users/ada/inbox",
    )  # fmt: skip


def test_likes_and_boosts_are_counted_per_entry(admin_client, ada):
    entry = EntryFactory(title="Herons")
    Reaction.objects.create(entry=entry, actor=ada, kind="like", activity_id="https://s/1")
    Reaction.objects.create(entry=entry, actor=ada, kind="announce", activity_id="https://s/2")
    page = admin_client.get("/admin/social/reaction/").content.decode()
    assert "Likes and boosts per entry" in page
    assert "<td>Herons</td><td>1</td><td>1</td>" in page


def test_blocking_a_domain_removes_its_follows_and_reactions(admin_client, ada):
    Follower.objects.create(actor=ada, follow_id="https://s/f", state="accepted")
    Reaction.objects.create(entry=EntryFactory(), actor=ada, kind="like", activity_id="https://s/1")
    response = admin_client.post(
        "/admin/social/block/add/", {"actor_uri": "", "domain": "Social.Example", "reason": "spam"}
    )
    assert response.status_code == 302
    assert Block.objects.get().domain == "social.example"
    assert not Follower.objects.exists() and not Reaction.objects.exists()


def test_a_block_must_name_something(admin_client):
    response = admin_client.post("/admin/social/block/add/", {"actor_uri": "", "domain": ""})
    assert response.status_code == 200
    assert not Block.objects.exists()


def test_every_social_admin_page_opens(admin_client, ada):
    names = ("follower", "block", "reaction", "remoteactor", "server", "delivery", "following")
    for name in (*names, "receivedpost"):
        assert admin_client.get(f"/admin/social/{name}/").status_code == 200, name


def react(entry, actor, kind: str, n: int) -> None:
    Reaction.objects.create(entry=entry, actor=actor, kind=kind, activity_id=f"https://s/{n}")


@pytest.fixture
def bob(ada):
    return RemoteActor.objects.create(
        uri="https://social.example/users/bob", server=ada.server,
        key_id="https://social.example/users/bob#main-key", public_key_pem="x",
        inbox="https://social.example/users/bob/inbox",
    )  # fmt: skip


def test_the_entry_page_counts_its_likes_and_boosts(admin_client, ada, bob):
    entry = EntryFactory(title="Herons")
    react(entry, ada, "like", 1)
    react(entry, bob, "like", 2)
    react(entry, bob, "announce", 3)
    react(EntryFactory(title="Egrets"), ada, "like", 4)  # another entry's: not counted here
    page = admin_client.get(f"/admin/posts/entry/{entry.pk}/change/").content.decode()
    assert 'id="entry-reactions-heading"' in page
    assert "2 likes" in page and "1 boost" in page
    listed = f"/admin/social/reaction/?entry__id__exact={entry.pk}&amp;kind__exact=like"
    assert f'<a href="{listed}">2 likes</a>' in page


def test_an_entry_nobody_reacted_to_says_so(admin_client):
    entry = EntryFactory()
    page = admin_client.get(f"/admin/posts/entry/{entry.pk}/change/").content.decode()
    assert "0 likes" in page and "0 boosts" in page


def test_no_counts_for_an_author_who_may_not_see_reactions(client, ada):
    from posts.editorial.roles import AUTHOR
    from tests.conftest import member_of

    author = member_of(AUTHOR)
    client.force_login(author)
    entry = EntryFactory(author=author, status="draft")
    react(entry, ada, "like", 1)
    response = client.get(f"/admin/posts/entry/{entry.pk}/change/")
    assert response.status_code == 200
    assert "entry-reactions" not in response.content.decode()


def test_the_entry_list_has_a_likes_and_boosts_column(admin_client, ada, bob):
    entry = EntryFactory(title="Herons")
    react(entry, ada, "like", 1)
    react(entry, bob, "like", 2)
    react(entry, ada, "announce", 3)
    EntryFactory(title="Egrets")
    page = admin_client.get("/admin/posts/entry/").content.decode()
    assert "Likes · boosts" in page
    assert '<td class="field-likes_and_boosts">2 · 1</td>' in page
    assert '<td class="field-likes_and_boosts">0 · 0</td>' in page


def test_the_entry_list_takes_as_many_queries_for_many_reacted_entries_as_for_one(
    admin_client, ada, bob
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        admin_client.get("/admin/posts/entry/")  # sessions, caches and the like warmed
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/admin/posts/entry/").status_code == 200
        return len(captured)

    react(EntryFactory(), ada, "like", 0)
    one = queries()
    for n in range(1, 8):
        entry = EntryFactory(tags=[f"tag-{n}"])
        react(entry, ada, "like", 2 * n)
        react(entry, bob, "announce", 2 * n + 1)
    assert queries() == one


def test_sorting_the_entry_list_by_likes(admin_client, ada, bob):
    liked = EntryFactory(title="Liked twice")
    react(liked, ada, "like", 1)
    react(liked, bob, "like", 2)
    EntryFactory(title="Liked by nobody")
    response = admin_client.get("/admin/posts/entry/?o=5")
    titles = [entry.title for entry in response.context["cl"].result_list]
    assert titles == ["Liked twice", "Liked by nobody"]


def test_no_column_for_an_author_who_may_not_see_reactions(client, ada):
    from posts.editorial.roles import AUTHOR
    from tests.conftest import member_of

    author = member_of(AUTHOR)
    client.force_login(author)
    react(EntryFactory(author=author), ada, "like", 1)
    response = client.get("/admin/posts/entry/")
    assert "likes_and_boosts" not in response.context["cl"].list_display


def test_blocking_followers_from_their_list_removes_their_likes_too(admin_client, ada, bob):
    entry = EntryFactory()
    for n, person in enumerate((ada, bob)):
        Follower.objects.create(actor=person, follow_id=f"https://s/f{n}", state="accepted")
        react(entry, person, "like", n)
    response = admin_client.post(
        "/admin/social/follower/",
        {"action": "block_them", "_selected_action": [ada.follows.get().pk]},
    )
    assert response.status_code == 302
    assert Block.objects.get().actor_uri == ada.uri
    assert list(Follower.objects.values_list("actor", flat=True)) == [bob.pk]
    assert list(Reaction.objects.values_list("actor", flat=True)) == [bob.pk]


@pytest.mark.parametrize("name", ["follower", "reaction", "remoteactor", "following"])
def test_social_lists_take_as_many_queries_for_many_actors_as_for_one(admin_client, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from social.models import Following

    entry = EntryFactory()

    def add(n: int) -> None:
        server = Server.objects.create(host=f"s{n}.example")
        person = RemoteActor.objects.create(
            uri=f"https://s{n}.example/users/u", server=server, username="u",
            key_id=f"https://s{n}.example/users/u#k", public_key_pem="x",
            inbox=f"https://s{n}.example/users/u/inbox",
        )  # fmt: skip
        Follower.objects.create(actor=person, follow_id=f"https://s{n}.example/f")
        react(entry, person, "like", n)
        Following.objects.create(actor=person, follow_id=f"https://blog/f{n}")

    def queries() -> int:
        admin_client.get(f"/admin/social/{name}/")
        with CaptureQueriesContext(connection) as captured:
            page = admin_client.get(f"/admin/social/{name}/").content.decode()
        assert "@u@s0.example" in page
        return len(captured)

    add(0)
    one = queries()
    for n in range(1, 6):
        add(n)
    assert queries() == one


def test_followers_of_the_blog_and_of_an_author_are_named_and_filtered(admin_client, ada, bob):
    Follower.objects.create(actor=ada, follow_id="https://s/f1", local="")
    Follower.objects.create(actor=bob, follow_id="https://s/f2", local="grace")
    Follower.objects.create(actor=ada, follow_id="https://s/f3", local="grace")
    response = admin_client.get("/admin/social/follower/")
    page = response.content.decode()
    assert '<td class="field-follows">the blog</td>' in page
    assert page.count('<a href="?local=">the blog</a>') == 1  # never a link without words
    assert page.count('<a href="?local=grace">grace</a>') == 1
    blog_only = admin_client.get("/admin/social/follower/?local=")
    assert [f.actor for f in blog_only.context["cl"].result_list] == [ada]
    grace_only = admin_client.get("/admin/social/follower/?local=grace")
    assert {f.actor for f in grace_only.context["cl"].result_list} == {ada, bob}
