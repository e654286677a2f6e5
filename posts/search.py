"""Full-text search over published entries (SQLite FTS5 by default, PostgreSQL when configured),
and a plain scan of the few published pages.

Both backends sit behind search_entries(); the index is kept in step by posts.signals.
Whatever a reader types becomes a safe query: FTS5 gets quoted terms, PostgreSQL gets
websearch_to_tsquery, which accepts any text.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from posts.models import Entry, Page

FTS_TABLE = "posts_entry_fts"
CONFIG = "english"
MAX_QUERY_CHARS = 200
MAX_TERMS = 12
# Only the newest CANDIDATES matches are ranked. Ranking reads every match's positions
# (bm25, ts_rank): a word in most entries cost 65 ms to rank and 15 ms to count at
# 100,000 entries, and grew with them. The newest matches by id come cheaply, in the
# order both indexes hold them (FTS5 rowids, PostgreSQL's primary key), so the work is
# bounded whatever the size. The trade: for a word matched more than CANDIDATES times,
# a better match among older entries is not shown, and the page says "more than 1,000"
# instead of the exact count. A rarer word has all its matches ranked, as before.
# What still grows: SQLite's bm25() counts the entries holding each word (its IDF) over
# the word's whole index, whatever is ranked: 2 ms a query for a word in every one of
# 100,000 entries. PostgreSQL's ts_rank has no such step.
CANDIDATES = 1000
PG_TSQUERY = "websearch_to_tsquery(%s::regconfig, %s)"
# Markers for highlighted words that no text contains; the snippet is escaped, then marked.
START, STOP = "\x02", "\x03"


@dataclass
class Hit:
    entry: Entry
    snippet: SafeString


def clean_query(text: str) -> str:
    """Return the query with control characters dropped, spaces folded and its length capped."""
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text or "")
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def fts5_query(text: str) -> str:
    """Return an FTS5 MATCH expression: every word quoted, all required; words a reader put
    in double quotes are a phrase, in that order and next to each other. "" if none."""
    terms, count = [], 0
    # Quoted stretches and the text between them; a quote left open quotes nothing.
    for phrase, loose in re.findall(r'"([^"]*)"|([^"]+)', clean_query(text)):
        words = re.findall(r"\w+", phrase or loose)[: MAX_TERMS - count]
        count += len(words)
        if phrase and words:
            terms.append('"' + " ".join(words) + '"')
        else:
            terms.extend(f'"{word}"' for word in words)
    return " ".join(terms)


def _marked(snippet: str) -> SafeString:
    html = escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # escaped above: only our <mark> tags are markup


class SearchResults:
    """The ranked hits for a query, fetched a page at a time (Paginator slices it).

    Paginated over at most CANDIDATES hits; more_than_shown says whether there are more.
    """

    def __init__(self, query: str):
        self.query = clean_query(query)
        self._candidates: tuple[int, int | None] | None = None

    def _window(self) -> tuple[int, int | None]:
        """Return (how many, lowest id) of the newest matches, CANDIDATES + 1 at most."""
        if self._candidates is None:
            self._candidates = _candidates(self.query) if self.query else (0, None)
        return self._candidates

    def count(self) -> int:
        return min(self._window()[0], CANDIDATES)

    @property
    def more_than_shown(self) -> bool:
        return self._window()[0] > CANDIDATES

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[Hit]:
        if not isinstance(page, slice) or not self.query:
            return [] if isinstance(page, slice) else self[page : page + 1][0]
        found, lowest = self._window()
        if not found:
            return []
        start, stop = page.start or 0, page.stop or self.count()
        return _hits(self.query, lowest, limit=stop - start, offset=start)


def search_entries(query: str) -> SearchResults:
    """Return the published entries matching a reader's query, best first."""
    return SearchResults(query)


def _uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def _candidates(query: str) -> tuple[int, int | None]:
    """Return how many of the newest matches there are (CANDIDATES + 1 at most), and the
    lowest id of the newest CANDIDATES: ranking looks at no entry below it."""
    if _uses_postgres():
        newest = _pg_matching(query).order_by("-pk").values_list("pk", flat=True)
        ids = list(newest[: CANDIDATES + 1])
    else:
        match = fts5_query(query)
        if not match:
            return 0, None
        with connection.cursor() as cursor:
            # FTS5 reads its matches in rowid order by itself: no sort, and it stops early.
            fts = FTS_TABLE
            sql = f"""
                SELECT {fts}.rowid FROM {fts} JOIN posts_entry e ON e.id = {fts}.rowid
                WHERE {fts} MATCH %s AND e.status = %s AND e.published_at <= %s
                ORDER BY {fts}.rowid DESC LIMIT %s
            """
            cursor.execute(sql, [match, Entry.Status.PUBLISHED, timezone.now(), CANDIDATES + 1])
            ids = [pk for (pk,) in cursor.fetchall()]
    return len(ids), ids[:CANDIDATES][-1] if ids else None


def _hits(query: str, lowest: int, limit: int, offset: int) -> list[Hit]:
    if _uses_postgres():
        headline = SearchHeadline(
            "body_text", SearchQuery(query, search_type="websearch", config=CONFIG),
            config=CONFIG, start_sel=START, stop_sel=STOP, max_words=35, min_words=15,
        )  # fmt: skip
        # PostgreSQL puts off ts_headline, an expensive function, until after the LIMIT.
        ranked = _pg_matches(query).filter(pk__gte=lowest).for_listing().annotate(headline=headline)
        found = list(ranked[offset : offset + limit])
        return [Hit(entry, _marked(entry.headline)) for entry in found]
    match = fts5_query(query)
    if not match:
        return []
    with connection.cursor() as cursor:
        # Title hits weigh ten times body hits, tags five times. The snippets are made for
        # the page's rows only: in the ranking query SQLite made one for every match, which
        # was most of a common word's cost at 1,000 entries (12 ms of 13). CROSS JOIN keeps
        # the page's ten rows as the outer loop, each then found by rowid; left to choose,
        # SQLite sometimes walked every match of the query instead (8 ms, against 4, for
        # a common word at 100,000 entries).
        fts = FTS_TABLE
        sql = f"""
            WITH page AS (
                SELECT {fts}.rowid AS id, bm25({fts}, 10.0, 1.0, 5.0) AS score, e.published_at AS at
                FROM {fts} JOIN posts_entry e ON e.id = {fts}.rowid
                WHERE {fts} MATCH %s AND {fts}.rowid >= %s
                    AND e.status = %s AND e.published_at <= %s
                ORDER BY score, at DESC, id DESC LIMIT %s OFFSET %s
            )
            SELECT page.id, snippet({fts}, 1, %s, %s, '…', 24)
            FROM page CROSS JOIN {fts} ON {fts}.rowid = page.id
            WHERE {fts} MATCH %s
            ORDER BY page.score, page.at DESC, page.id DESC
        """
        visible = [Entry.Status.PUBLISHED, timezone.now()]
        cursor.execute(sql, [match, lowest, *visible, limit, offset, START, STOP, match])
        rows = cursor.fetchall()
    entries = Entry.objects.for_listing().in_bulk([pk for pk, _snippet in rows])
    return [Hit(entries[pk], _marked(snippet)) for pk, snippet in rows if pk in entries]


def _pg_matching(query: str):
    """Return the published entries whose stored search vector matches the query."""
    # search_vector: a stored column (migration 0008), so ranking reads it, not the text.
    match = RawSQL(f"posts_entry.search_vector @@ {PG_TSQUERY}", [CONFIG, query], BooleanField())
    return Entry.objects.published().filter(match)


def _pg_matches(query: str):
    """Return the matching entries, best first."""
    rank = RawSQL(f"ts_rank(posts_entry.search_vector, {PG_TSQUERY})", [CONFIG, query])
    return _pg_matching(query).annotate(rank=rank).order_by("-rank", "-published_at", "-pk")


def index_entry(entry: Entry) -> None:
    """Put an entry's current text and tags into the SQLite index (PostgreSQL needs nothing)."""
    if _uses_postgres():
        return
    tags = entry.tag_names
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [entry.pk])
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body, tags) VALUES (%s, %s, %s, %s)",
            [entry.pk, entry.title, entry.body_text, tags],
        )


def index_entries(entries: list[Entry]) -> None:
    """Index many entries in a few queries (importers); their tag_names must be current."""
    if _uses_postgres() or not entries:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(entries), 500):
            ids = [entry.pk for entry in entries[start : start + 500]]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body, tags) VALUES (%s, %s, %s, %s)",
            [(entry.pk, entry.title, entry.body_text, entry.tag_names) for entry in entries],
        )


def store_tag_names(entry: Entry) -> None:
    """Copy an entry's tag names into its row, where both search backends read them."""
    entry.tag_names = " ".join(sorted(tag.name for tag in entry.tags.all()))
    Entry.objects.filter(pk=entry.pk).update(tag_names=entry.tag_names)


def unindex_entry(pk: int) -> None:
    if not _uses_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [pk])


def reindex(ids: list[int] | None = None) -> int:
    """Store the tag names of these entries (all when None) and index them again, 500 at a
    time in a few queries each; return how many."""
    from taggit.models import TaggedItem

    if ids is None:
        ids = list(Entry.objects.order_by("pk").values_list("pk", flat=True))
    kind = ContentType.objects.get_for_model(Entry)
    for start in range(0, len(ids), 500):
        chunk = list(
            Entry.objects.filter(pk__in=ids[start : start + 500]).only(
                "pk", "title", "body_text", "tag_names"
            )
        )
        names: dict[int, list[str]] = {}
        rows = TaggedItem.objects.filter(content_type=kind, object_id__in=[e.pk for e in chunk])
        for pk, name in rows.values_list("object_id", "tag__name"):
            names.setdefault(pk, []).append(name)
        changed = []
        for entry in chunk:
            joined = " ".join(sorted(names.get(entry.pk, [])))
            if joined != entry.tag_names:
                entry.tag_names = joined
                changed.append(entry)
        Entry.objects.bulk_update(changed, ["tag_names"])
        index_entries(chunk)
    return len(ids)


def rebuild_index() -> int:
    """Index every entry again; return how many."""
    if not _uses_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
    return reindex()


PAGE_HITS = 5


def search_pages(query: str) -> list:
    """Return up to PAGE_HITS published pages holding every word of the query: one query.

    Pages are few (an About page, a project or two), so a plain scan of their text serves;
    they are not in the entries' full-text index, which ranks and pages the stream.
    """
    words = query.split()[:MAX_TERMS]
    if not words:
        return []
    pages = Page.objects.published().only("title", "path", "summary")
    for word in words:
        pages = pages.filter(Q(title__icontains=word) | Q(body_text__icontains=word))
    return list(pages.order_by("title")[:PAGE_HITS])
