import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from posts import search
from posts.models import Entry
from posts.search import clean_query, fts5_query, search_entries
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("posts:search")
HOSTILE = [
    '"', '""', "'", "*", "NEAR(", "NEAR(a b", "-", "- -", "OR", "AND", "NOT", "a OR", "(", ")",
    "title:", "^x", "x" * 10_000, "\x00", "\x00\x01\x02 unikernel", "\u202e", "%", "%%",
    "<script>alert(1)</script>", "'; DROP TABLE posts_entry; --", "\\", "{}", "NEAR/3", "a:b:c",
]  # fmt: skip


def titles(query: str) -> list[str]:
    return [hit.entry.title for hit in search_entries(query)[0:50]]


@pytest.fixture
def corpus():
    return {
        "mirage": EntryFactory(
            title="Unikernels at FOSDEM",
            body="We built unikernels on stage with MirageOS.\n\nThe demo ran on Xen.",
            tags=["mirage"],
        ),
        "xen": EntryFactory(title="Xen on ARM", body="A talk about Xen for cars and unikernels."),
        "other": EntryFactory(title="Waffles", body="Brussels has good waffles."),
        "draft": EntryFactory(
            title="Secret unikernel plans", body="unikernels", status=Entry.Status.DRAFT
        ),
        "future": EntryFactory(
            title="Unikernel future",
            body="unikernels",
            published_at=timezone.now() + timezone.timedelta(days=1),
        ),
    }


def test_finds_published_entries_ranked_title_first(corpus):
    assert titles("unikernels") == ["Unikernels at FOSDEM", "Xen on ARM"]
    assert titles("waffle") == ["Waffles"]  # stemming: waffle finds waffles
    assert titles("unikernels waffles") == []  # every word is required


def test_snippets_highlight_the_words_and_escape_the_rest(corpus):
    EntryFactory(title="Markup", body="Write `<b>unikernel</b>` & more text about unikernels.")
    hit = next(h for h in search_entries("unikernels")[0:10] if h.entry.title == "Markup")
    assert "<mark>" in hit.snippet
    assert "<b>" not in hit.snippet and "&amp; more" in hit.snippet


def test_the_index_follows_edits_tags_and_deletes(corpus):
    assert titles("mirage") == ["Unikernels at FOSDEM"]  # found by its tag
    entry = corpus["other"]
    entry.body = "Brussels has good frites."
    entry.save()
    assert titles("frites") == ["Waffles"]
    entry.tags.add("belgium")
    assert titles("belgium") == ["Waffles"]
    entry.delete()
    assert titles("frites") == []


def test_rebuild_index_command_indexes_everything_in_a_few_queries(
    corpus, django_assert_max_num_queries
):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM posts_entry_fts")
        assert titles("unikernels") == []
    Entry.objects.update(tag_names="")  # as a bulk tag change would leave them
    with django_assert_max_num_queries(12):  # was 3 per entry
        call_command("rebuild_search_index", verbosity=0)
    assert titles("unikernels") == ["Unikernels at FOSDEM", "Xen on ARM"]
    assert titles("mirage") == ["Unikernels at FOSDEM"]  # its tag names are back


def test_search_page_lists_hits_and_is_not_indexed(client, corpus):
    response = client.get(SEARCH, {"q": "unikernels"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "2 entries found." in html
    assert corpus["mirage"].get_absolute_url() in html
    assert "<mark>" in html
    assert 'value="unikernels"' in html  # the box keeps the query


def test_search_paginates_and_keeps_the_query(client):
    for i in range(12):
        EntryFactory(title=f"Kernel note {i}", body="kernel")
    first = client.get(SEARCH, {"q": "kernel"})
    assert len(first.context["hits"]) == 10
    assert 'href="?q=kernel&amp;page=2"' in first.content.decode()
    assert len(client.get(SEARCH, {"q": "kernel", "page": 2}).context["hits"]) == 2
    assert client.get(SEARCH, {"q": "kernel", "page": 3}).status_code == 404


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_a_page_never_an_error(client, corpus, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_query_cleaning():
    assert clean_query("  a\x00b\tc  ") == "a b c"
    assert len(clean_query("x" * 5000)) == 200
    assert fts5_query('NEAR("a" b*) OR -c') == '"NEAR" "a" "b" "OR" "c"'
    assert fts5_query("* - ()") == ""
    assert fts5_query('"built unikernels" xen') == '"built unikernels" "xen"'
    assert fts5_query('a "b" "c d e" "open') == '"a" "b" "c d e" "open"'
    assert fts5_query('"' + " ".join("w" * 20) + '"').count("w") == 12


def test_words_in_double_quotes_are_a_phrase_on_both_backends(corpus):
    assert titles('"built unikernels"') == ["Unikernels at FOSDEM"]
    assert titles('"unikernels built"') == []  # the same words, not in that order
    assert titles("unikernels built") == ["Unikernels at FOSDEM"]


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the PostgreSQL leg runs with DATABASE_URL=postgres"
)
def test_postgres_understands_websearch_syntax(corpus):
    assert titles("unikernels -arm") == ["Unikernels at FOSDEM"]
    assert titles('"built unikernels"') == ["Unikernels at FOSDEM"]
    assert set(titles("waffles or xen")) == {"Waffles", "Xen on ARM", "Unikernels at FOSDEM"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'posts_entry_search_vector'"
        )
        assert "gin (search_vector)" in cursor.fetchone()[0].lower()
        # The vector is stored with the row and the index can answer the match (a table
        # this small is scanned unless scanning is ruled out).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM posts_entry WHERE search_vector @@ "
            "websearch_to_tsquery('english', 'unikernels')"
        )
        assert "posts_entry_search_vector" in " ".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def three_candidates(monkeypatch):
    """Rank only the three newest matches, as CANDIDATES does with a thousand."""
    monkeypatch.setattr(search, "CANDIDATES", 3)


def test_a_rare_word_has_all_its_matches_ranked(three_candidates):
    best = EntryFactory(title="Zeppelin notes", body="zeppelin zeppelin")  # the oldest
    newer = [EntryFactory(title=f"Note {i}", body="Then a zeppelin flew over.") for i in range(2)]
    results = search_entries("zeppelin")
    assert results.count() == 3 and not results.more_than_shown
    hits = [hit.entry for hit in results[0:10]]
    assert hits[0] == best and set(hits) == {best, *newer}


def test_a_common_word_ranks_only_the_newest_matches_and_says_there_are_more(
    client, three_candidates
):
    best_but_oldest = EntryFactory(title="Zeppelin", body="zeppelin zeppelin zeppelin")
    newest = [EntryFactory(title=f"Note {i}", body="Then a zeppelin flew over.") for i in range(3)]
    EntryFactory(title="Zeppelin draft", body="zeppelin", status=Entry.Status.DRAFT)
    results = search_entries("zeppelin")
    assert results.count() == 3 and results.more_than_shown  # four: more than it ranks
    assert {hit.entry for hit in results[0:10]} == set(newest)  # the draft takes no place
    assert best_but_oldest not in {hit.entry for hit in results[0:10]}
    response = client.get(SEARCH, {"q": "zeppelin"})
    assert len(response.context["hits"]) == 3
    assert (
        "More than 3 entries found. These are the best matches among the newest 3."
        in response.content.decode()
    )


def test_the_newest_matches_are_still_ranked_best_first(three_candidates):
    EntryFactory(title="Old", body="zeppelin")
    EntryFactory(title="Plain", body="A zeppelin.")
    EntryFactory(title="Zeppelin day", body="A zeppelin.")
    EntryFactory(title="Long", body="A zeppelin, and many more words about other things.")
    found = titles("zeppelin")
    assert found[0] == "Zeppelin day"  # a title hit weighs most
    assert set(found) == {"Zeppelin day", "Plain", "Long"}
