"""The writer: every post of an import stored in one transaction, or none of them.

Each batch's posts are matched to the entries they update by their source's import_key
(matching), their pictures found or made (pictures), then the writer plans which entries are
new, changed or the same, renders them and writes them with bulk queries (store). Running it
twice changes nothing the second time; `dry_run` writes nothing, not even a picture.
"""

import logging
import multiprocessing
import os

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from posts.delivery.cache import bump_content_version
from posts.editorial.revisions import entry_snapshot, record_revision
from posts.importers.internal_links import InternalLinks
from posts.importers.matching import distinct_slugs, match_entries
from posts.importers.pictures import Pictures
from posts.importers.records import PARALLEL_FROM, Author, Post, Report, SeriesRef, aware
from posts.importers.store import store_redirects, write_entries
from posts.models import Entry, EntryAuthor, Image, Series
from posts.operations.maintenance import analyze_database
from posts.operations.rerender import entry_jobs, render_job
from posts.signals import entry_imported

log = logging.getLogger(__name__)

# What an import adds rows to, and the planner must know the size of afterwards.
GROWN_TABLES = tuple(model._meta.db_table for model in (Entry, EntryAuthor, Image, Tag, TaggedItem))


class Importer:
    """Write posts to the database: all in one transaction, matched to entries by source."""

    def __init__(self, *, dry_run: bool = False, report: Report | None = None):
        self.dry_run = dry_run
        self.report = report or Report()
        self._users: dict[str, object] = {}
        self._made: dict[str, object] = {}  # the accounts a dry run would add
        self._tags: dict[str, Tag] = {}
        self._series: dict[str, Series] = {}
        self.pictures = Pictures(dry_run=dry_run, report=self.report)
        self.links = InternalLinks()  # links between the imported posts, to their new addresses
        self._fork = True

    def run(self, posts, redirects: dict[str, str] | None = None, progress=None):
        """Import posts (and plain path -> target redirects); return the report.

        posts is a list of Posts, or an iterable of such lists (read_batches): each is
        written as it comes, all of them in one transaction.
        """
        streaming = not isinstance(posts, list)
        batches = posts if streaming else [posts]
        # Reading workers are still running while a stream is written: forking more
        # processes then (from a parent with their threads) is not safe; render here.
        self._fork = not streaming
        try:
            with transaction.atomic():
                for batch in batches:
                    distinct_slugs(batch, self.report)
                    self._run(batch, {}, progress)
                self._run([], redirects or {}, progress)
                self.links.finish(self.dry_run)
                if self.dry_run:
                    transaction.set_rollback(True)
                else:
                    # Once for the whole import: with the file cache, each bump is a file
                    # replaced on disk (2 ms here), and a stream has a batch per 500 posts.
                    bump_content_version()
        except BaseException:
            self.pictures.forget_stored_files()
            raise
        if not self.dry_run and self._grew_much():
            try:
                analyze_database(tables=GROWN_TABLES)
            except DatabaseError:  # the import is committed: a busy database costs it nothing
                log.warning("Could not refresh the planner's statistics", exc_info=True)
        return self.report

    def _grew_much(self) -> bool:
        """Return True if the import added enough entries for the planner's statistics to be
        stale: PostgreSQL autovacuum's own rule, 50 rows and a tenth of the table. Analysing
        the tables an import grows took 0.9 s at 100,000 entries on SQLite, whatever the
        import's size."""
        added = len(self.report.created)
        return added > 50 + (Entry.objects.count() - added) // 10

    def _run(self, posts: list[Post], redirects: dict[str, str], progress) -> None:
        """Write one batch: its entries with their tags, pictures and revisions; redirects."""
        existing = match_entries(posts, self.report)
        self.links.prepare([post.body for post in posts])
        self.pictures.make(posts)
        new, changed, tags_of, before, bylines_of = self._plan(posts, existing, progress)
        if self.dry_run:
            store_redirects(posts, redirects, {}, self.report, self.dry_run)
            # Nothing is handed over: a dry run counts what the export holds.
            self.report.comments_new += sum(len(post.comments) for post in posts)
            return
        prerendered = {post.slug: post for post in posts if post.rendered}
        shown = self._render([*new, *changed], prerendered)
        write_entries(new, changed, tags_of, shown, bylines_of)
        for entry in changed:
            # What an author wrote here since the last import stays in the entry's history.
            record_revision(entry, previous=before[entry.slug])
        by_slug = {entry.slug: entry for entry in [*new, *changed, *existing.values()]}
        store_redirects(posts, redirects, by_slug, self.report, self.dry_run)
        self._hand_over_comments(posts, by_slug)

    def _hand_over_comments(self, posts: list[Post], by_slug: dict[str, Entry]) -> None:
        """Give each entry's comments to the app that keeps them, and count what it did."""
        for post in posts:
            if not post.comments:
                continue
            answers = entry_imported.send(
                sender=Entry, entry_id=by_slug[post.slug].pk, comments=post.comments
            )
            counts = [answer for _receiver, answer in answers if isinstance(answer, tuple)]
            if not counts:
                self.report.comments_unkept += len(post.comments)
            for added, known in counts:
                self.report.comments_new += added
                self.report.comments_known += known

    def _plan(
        self, posts: list[Post], existing: dict[str, Entry], progress
    ) -> tuple[list[Entry], list[Entry], dict[str, list[Tag]], dict[str, dict], dict]:
        """Sort a batch's posts into new, changed and unchanged entries, and count them.

        Return the new entries, the changed ones, the tags of both by slug, what each
        changed entry was before, and the bylines (users in order) of both by slug.
        """
        new, changed, tags_of, before, bylines_of = [], [], {}, {}, {}
        now = timezone.now()
        stored_bylines = self._stored_bylines(existing.values())
        for post in posts:
            entry = existing.get(post.slug)
            fields = self._fields(post, entry)
            byline = list(
                {user.username: user for user in map(self._user, post.authors())}.values()
            )
            # By pk: two spellings ("C++", "c++") can be one stored tag.
            tags = list(
                {id(tag) if tag.pk is None else tag.pk: tag for tag in fields.pop("tags")}.values()
            )
            names = sorted(tag.name for tag in tags)
            if entry is None:
                entry = Entry(slug=post.slug, import_key=post.key, **fields)
                new.append(entry)
                self.report.created.append(post.slug)
            elif (
                any(getattr(entry, k) != v for k, v in fields.items())
                or names != sorted(tag.name for tag in entry.tag_list)
                or [user.pk for user in byline] != stored_bylines.get(entry.pk, [])
            ):
                before[post.slug] = entry_snapshot(entry)
                for name, value in fields.items():
                    setattr(entry, name, value)
                changed.append(entry)
                self.report.updated.append(post.slug)
            else:
                self.report.unchanged.append(post.slug)
                entry = None
            if entry is not None:
                tags_of[post.slug] = tags
                bylines_of[post.slug] = byline
                entry.tag_names = " ".join(names)
                entry.created_at = (
                    aware(post.created_at) or entry.published_at or entry.created_at or now
                )
                entry.updated_at = aware(post.updated_at) or entry.created_at
            if progress:
                progress(1)
        return new, changed, tags_of, before, bylines_of

    @staticmethod
    def _stored_bylines(entries) -> dict[int, list[int]]:
        """Return each stored entry's authors' ids in byline order: one query."""
        ids = [entry.pk for entry in entries]
        found: dict[int, list[int]] = {}
        rows = EntryAuthor.objects.filter(entry_id__in=ids).order_by("entry_id", "position", "pk")
        for entry_id, user_id in rows.values_list("entry_id", "user_id"):
            found.setdefault(entry_id, []).append(user_id)
        return found

    def _render(self, entries: list[Entry], prerendered: dict) -> dict[str, list[Image]]:
        """Render every entry, on every core for a large import; return the pictures shown."""
        shown = {}
        pending = []
        for entry in entries:
            post = prerendered.get(entry.slug)
            if (
                post is not None
                and (entry.body, entry.excerpt) == (post.body, post.excerpt)
                and (entry.cover_id is None) == (post.cover is None)
            ):
                entry.body_html, entry.body_text, entry.summary = post.rendered
                shown[entry.slug] = []
            else:
                pending.append(entry)
        entries = pending
        made = self.pictures.by_name()
        jobs, known = entry_jobs(entries, made)
        workers = min(os.cpu_count() or 1, 4)
        if len(jobs) < PARALLEL_FROM or workers < 2 or not self._fork:
            results = [render_job(job) for job in jobs]
        else:
            # Forked workers only render: the pictures they need travel with the job, and
            # nothing in them touches the database connection they inherit.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(render_job, jobs, chunksize=25)
        by_pk = {image.pk: image for image in known.values()}
        for entry, (body_html, body_text, summary, image_pks) in zip(entries, results, strict=True):
            entry.body_html, entry.body_text, entry.summary = body_html, body_text, summary
            shown[entry.slug] = [by_pk[pk] for pk in image_pks]
        return shown

    def _fields(self, post: Post, entry: Entry | None) -> dict:
        """Return the entry's fields as the post gives them, its Tags under "tags"."""
        body = self.links.rewrite(post.with_pictures(self.pictures.url), post.slug)
        published_at = aware(post.published_at)
        if not post.draft and published_at is None:
            # A post with no date is published now, the first time, and keeps that time.
            published_at = (entry and entry.published_at) or timezone.now()
        return {
            "title": post.title[:200],
            "body": body,
            "excerpt": post.excerpt,
            "status": Entry.Status.DRAFT if post.draft else Entry.Status.PUBLISHED,
            "published_at": published_at,
            "author_id": self._user(post.author).pk,
            "cover_id": self.pictures.pk(post.cover),
            "series_id": self._series_for(post.series),
            "series_part": post.series_part if post.series is not None else None,
            "tags": [self._tag(name) for name in dict.fromkeys(post.tags)],
        }

    def _user(self, author: Author | None):
        author = author or Author("imported", "Imported")
        # Usernames are case-sensitive: "Bob" and "bob" can be two accounts.
        key = author.username[:150]
        if key not in self._users:
            self._users[key] = self._find_or_make_user(author)
        return self._users[key]

    def _find_or_make_user(self, author: Author):
        users = get_user_model().objects
        # Stored cut to the field's length: looked up so too, or the next import adds it again.
        username = author.username[:150]
        user = users.filter(username=username).first()
        if user is None and not author.exact:  # another spelling, or the account's email
            user = users.filter(username__iexact=username).first()
            if user is None and author.email:
                user = users.filter(email__iexact=author.email).first()
        made = username if author.exact else username.casefold()
        if user is None and self.dry_run:
            user = self._made.get(made)  # "Ada" then "ada": one account to add, as above
        if user is not None:
            return user
        self.report.users_new += 1
        if self.dry_run:
            self._made[made] = user = users.model(username=username)
            return user
        first, _, last = author.name.partition(" ")
        # An author who never logs in here: an inactive account with no usable password.
        user = users.model(
            username=username, first_name=first[:150], last_name=last[:150],
            email=author.email, is_active=False,
        )  # fmt: skip
        user.set_unusable_password()
        user.save()
        return user

    def _series_for(self, ref: SeriesRef | None) -> int | None:
        """Return the id of the series the post names, made or brought up to date once."""
        if ref is None:
            return None
        if ref.slug not in self._series:
            series = Series.objects.filter(slug=ref.slug).first() or Series(slug=ref.slug)
            if (series.title, series.description) != (ref.title, ref.description) or not series.pk:
                series.title, series.description = ref.title, ref.description
                if not self.dry_run:
                    series.save()
            self._series[ref.slug] = series
        return self._series[ref.slug].pk

    def _tag(self, name: str) -> Tag:
        name = name.strip()[:100]  # taggit's names are unique and 100 long at most
        key = name.casefold()
        if key not in self._tags:
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is None:
                self.report.tags_new += 1
                tag = Tag(name=name)
                if not self.dry_run:
                    tag.save()  # taggit finds a free slug
            self._tags[key] = tag
        return self._tags[key]
