"""Author profiles, bylines and series as records."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from posts.models import AuthorProfile, Entry, EntryAuthor, Series, public_name
from tests.factories import AuthorProfileFactory, EntryFactory, SeriesFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_entry_starts_its_byline_with_its_author():
    entry = EntryFactory()
    assert list(entry.bylines.values_list("user", "position")) == [(entry.author_id, 0)]


def test_set_authors_keeps_the_order_drops_repeats_and_makes_the_first_the_author():
    ada, charles, grace = UserFactory.create_batch(3)
    entry = EntryFactory(author=ada)
    entry.set_authors([grace, ada, grace, charles])
    rows = entry.bylines.order_by("position")
    assert [row.user for row in rows] == [grace, ada, charles]
    assert Entry.objects.get(pk=entry.pk).author == grace == entry.author
    entry.set_authors([charles])
    assert list(entry.bylines.values_list("user", flat=True)) == [charles.pk]
    with pytest.raises(ValueError):
        entry.set_authors([])


def test_is_written_by_counts_co_authors():
    ada, charles, stranger = UserFactory.create_batch(3)
    entry = EntryFactory(author=ada)
    entry.set_authors([ada, charles])
    assert entry.is_written_by(ada) and entry.is_written_by(charles)
    assert not entry.is_written_by(stranger)


def test_byline_list_reads_names_and_links_in_one_query(django_assert_num_queries):
    ada = AuthorProfileFactory(display_name="Ada", slug="ada")
    bob = UserFactory(first_name="Bob", last_name="Builder")
    entry = EntryFactory(author=bob)
    entry.set_authors([bob, ada.user])
    entry = Entry.objects.get(pk=entry.pk)
    with django_assert_num_queries(1):
        names = [(person.name, person.url) for person in entry.byline_list]
    assert names == [("Bob Builder", ""), ("Ada", "/authors/ada/")]


@pytest.mark.parametrize(
    ("username", "full", "display", "expected"),
    [
        ("ada", "Ada Lovelace", "", "Ada Lovelace"),
        ("ada", "Ada Lovelace", "The Countess", "The Countess"),
        ("ada", "", "", "ada"),
        ("ada@example.org", "", "", "An author"),
        ("ada", "ada@example.org", "", "ada"),
    ],
)
def test_public_name_is_never_an_email_address(username, full, display, expected):
    first, _, last = full.partition(" ")
    user = UserFactory(username=username, first_name=first, last_name=last)
    profile = AuthorProfileFactory(user=user, display_name=display) if display else None
    assert public_name(user, profile) == expected


def test_a_profile_makes_its_slug_and_renders_its_bio():
    profile = AuthorProfile.objects.create(
        user=UserFactory(), display_name="Ada Lovelace", bio="**Bold** <img src=x onerror=alert(1)>"
    )
    assert profile.slug == "ada-lovelace"
    assert "<strong>Bold</strong>" in profile.bio_html and "onerror" not in profile.bio_html
    unnamed = AuthorProfile.objects.create(user=UserFactory())
    assert unnamed.slug == f"author-{unnamed.user_id}"


def test_series_order_parts_by_number_then_time_unnumbered_last():
    series = SeriesFactory()
    now = timezone.now()
    late = EntryFactory(series=series, series_part=None, published_at=now)
    two = EntryFactory(series=series, series_part=2, published_at=now)
    one = EntryFactory(series=series, series_part=1, published_at=now)
    assert [e.pk for e in Entry.objects.filter(series=series).in_series_order()] == [
        one.pk,
        two.pk,
        late.pk,
    ]
    assert two.series_parts()[0].series == series


def test_public_series_and_profiles_need_a_published_entry():
    hidden, shown = SeriesFactory(), SeriesFactory()
    EntryFactory(series=hidden, status=Entry.Status.DRAFT)
    EntryFactory(series=shown)
    assert list(Series.objects.public()) == [shown]
    quiet, heard = AuthorProfileFactory(), AuthorProfileFactory()
    EntryFactory(author=quiet.user, status=Entry.Status.DRAFT)
    EntryFactory(author=heard.user)
    assert list(AuthorProfile.objects.public()) == [heard]


def test_deleting_an_entry_deletes_its_byline_not_its_authors():
    entry = EntryFactory()
    author = entry.author
    entry.delete()
    assert not EntryAuthor.objects.exists()
    author.refresh_from_db()


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_entry_its_author_as_byline_and_a_profile():
    executor = MigrationExecutor(connection)
    executor.migrate([("posts", "0015_authors_and_series")])
    apps = executor.loader.project_state([("posts", "0015_authors_and_series")]).apps
    user_model = apps.get_model("auth", "User")
    entry_model = apps.get_model("posts", "Entry")
    ada = user_model.objects.create(username="ada@example.org", first_name="Ada", last_name="L")
    nameless = user_model.objects.create(username="secret-login")
    user_model.objects.create(username="reader")  # wrote nothing: no profile
    for number, user in enumerate([ada, ada, nameless]):
        entry_model.objects.create(title=f"E{number}", slug=f"e{number}", author=user)

    executor = MigrationExecutor(connection)
    executor.migrate([("posts", "0016_bylines_from_authors")])
    apps = executor.loader.project_state([("posts", "0016_bylines_from_authors")]).apps
    rows = apps.get_model("posts", "EntryAuthor").objects.order_by("entry__slug")
    assert [(r.entry.slug, r.user.username, r.position) for r in rows] == [
        ("e0", "ada@example.org", 0),
        ("e1", "ada@example.org", 0),
        ("e2", "secret-login", 0),
    ]
    profiles = apps.get_model("posts", "AuthorProfile").objects.order_by("slug")
    assert [(p.user.username, p.slug) for p in profiles] == [
        ("ada@example.org", "ada-l"),
        ("secret-login", f"author-{nameless.pk}"),  # never the login name
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
