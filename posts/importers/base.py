"""What every importer shares: the Post record, problems with file and line, and the writer.

The writer plans each batch (which entries are new, changed or the same, matched by their
source's import_key), then writes it with bulk queries; every batch of one import goes in one
transaction. Running it twice changes nothing the second time; `dry_run` writes nothing,
not even a picture.
"""

import multiprocessing
import os
import re
import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import CharField, Prefetch, TextField
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from posts import search
from posts.cache import bump_content_version
from posts.images import check_image_file
from posts.markup import render_entry
from posts.models import Entry, EntryImage, Image, Redirect, file_sha256, next_free_slug
from posts.redirects import is_safe_target, is_storable_path, normalize_path
from posts.rendering import entry_jobs, render_job
from posts.revisions import entry_snapshot, record_revision

# A picture the source refers to stands in the body as this mark until it is an Image. The
# token, new for each import, keeps a source's own text from ever reading as a mark (a body
# holding "@@blogsite-image-7@@" once stopped the import with an IndexError).
_MARK_TOKEN = secrets.token_hex(6)
IMAGE_MARK = f"@@blogsite-image-{_MARK_TOKEN}-{{}}@@"
_IMAGE_MARK = re.compile(rf"@@blogsite-image-{_MARK_TOKEN}-(\d+)@@")
NEW_IMAGE_URL = "(new picture: {})"
# From this many entries on, rendering is shared among the machine's cores.
PARALLEL_FROM = 200
PICTURE_THREADS = min(os.cpu_count() or 1, 8)

# Fields compared to decide whether an entry changed: what a reader or an author could see.
COMPARED = ("title", "body", "excerpt", "status", "published_at", "author_id", "cover_id")
RENDERED = ("body_html", "body_text", "summary")


@dataclass
class Problem:
    """Why one source file (or one item of it) cannot be imported."""

    origin: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.origin}:{self.line}" if self.line else self.origin
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The source holds problems and nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class Author:
    username: str
    name: str = ""
    email: str = ""
    # The source names the account exactly (our export): "bob" is not "Bob", and another
    # account with the same email is someone else.
    exact: bool = False


@dataclass
class ImageRef:
    """A local picture file and what the source says about it."""

    path: Path
    alt: str = ""
    caption: str = ""
    credit: str = ""
    decorative: bool = False
    # The stored name our export wrote it from (images/2024/05/a.jpg), when it came from one.
    stored_name: str = ""


@dataclass
class Post:
    """One entry as a source describes it, before it touches the database."""

    origin: str  # the file (and item) it came from, for messages
    key: str  # what identifies the source for the next import: "jekyll:<file name>", …
    title: str
    slug: str
    body: str  # Markdown; IMAGE_MARK.format(n) stands for images[n]
    excerpt: str = ""
    draft: bool = False
    published_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    author: Author | None = None
    tags: list[str] = field(default_factory=list)
    cover: ImageRef | None = None
    images: list[ImageRef] = field(default_factory=list)
    old_paths: list[str] = field(default_factory=list)
    # (body_html, body_text, summary), when a reader could render it already (a new post
    # showing no pictures): the writer then does not render it again.
    rendered: tuple[str, str, str] | None = None

    def prerender(self) -> None:
        """Render the body now, if nothing the database holds can change the result."""
        if self.images or settings.MEDIA_URL in self.body:
            return
        html, text, summary, _images = render_entry(
            self.body, self.excerpt, has_cover=self.cover is not None, known={}
        )
        self.rendered = (html, text, summary)

    def add_image(self, ref: ImageRef) -> str:
        """Return the mark that stands for this picture in the body."""
        for index, known in enumerate(self.images):
            if known.path == ref.path:
                return IMAGE_MARK.format(index)
        self.images.append(ref)
        return IMAGE_MARK.format(len(self.images) - 1)


@dataclass
class Report:
    """What an import did (or, in a dry run, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # invalid sources, with --skip-invalid
    images_new: int = 0
    images_reused: int = 0
    tags_new: int = 0
    users_new: int = 0
    redirects_new: int = 0
    notes: Counter = field(default_factory=Counter)  # "kept as text: {% include %}" -> times
    counted: Counter = field(default_factory=Counter)  # things seen and not imported

    def lines(self, dry_run: bool = False) -> list[str]:
        """Return the summary a person reads at the end."""
        would = "would be " if dry_run else ""
        lines = [
            f"Entries {would}created: {len(self.created)}, {would}updated: {len(self.updated)}, "
            f"unchanged: {len(self.unchanged)}, skipped as invalid: {len(self.skipped)}.",
            f"Pictures {would}added: {self.images_new}, already here: {self.images_reused}. "
            f"Tags {would}added: {self.tags_new}. Authors {would}added: {self.users_new}. "
            f"Redirects {would}added: {self.redirects_new}.",
        ]
        lines += [f"Skipped {problem}" for problem in self.skipped]
        lines += [f"Not imported: {count} {what}." for what, count in sorted(self.counted.items())]
        lines += [f"Note ({count}x): {note}" for note, count in sorted(self.notes.items())]
        return lines


def aware(value: datetime | None) -> datetime | None:
    """Return the time with a time zone: a naive one is taken as the site's TIME_ZONE."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)


class Importer:
    """Write posts to the database: all in one transaction, matched to entries by source."""

    def __init__(self, *, dry_run: bool = False, report: Report | None = None):
        self.dry_run = dry_run
        self.report = report or Report()
        self._users: dict[str, object] = {}
        self._made: dict[str, object] = {}  # the accounts a dry run would add
        self._tags: dict[str, Tag] = {}
        self._images: dict[Path, Image | None] = {}
        self._stored_files: list[Image] = []
        self._planned: set[str] = set()  # a dry run's new pictures, by their bytes
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
                    _distinct_slugs(batch, self.report)
                    self._run(batch, {}, progress)
                self._run([], redirects or {}, progress)
                if self.dry_run:
                    transaction.set_rollback(True)
                else:
                    # Once for the whole import: with the file cache, each bump is a file
                    # replaced on disk (2 ms here), and a stream has a batch per 500 posts.
                    bump_content_version()
        except BaseException:
            self._forget_stored_files()
            raise
        return self.report

    def _match(self, posts: list[Post]) -> dict[str, Entry]:
        """Find the entry each post updates; return them by slug (posts take their slugs).

        A post updates the entry an import of the same source made (same import_key), or,
        from our own export, the entry with its slug that no import made. Any other entry
        holding its slug is someone else's: the post gets a free slug instead.
        """
        # The rendered text is made again for an entry that changes: it is not read. Tags
        # come as a plain list: through taggit's manager, prefetching built a query for
        # every entry, two thirds of a re-import's time in this process.
        entries = Entry.objects.defer(*RENDERED, "tag_names")
        entries = entries.prefetch_related(Prefetch("tags", to_attr="tag_list"))
        keys = [post.key for post in posts if post.key]
        by_key = {}
        for start in range(0, len(keys), 500):
            for entry in entries.filter(import_key__in=keys[start : start + 500]):
                by_key[entry.import_key] = entry
        # A slug names one entry: those found by their key are not read again.
        by_slug = {entry.slug: entry for entry in by_key.values()}
        slugs = [post.slug for post in posts if post.slug not in by_slug]
        for start in range(0, len(slugs), 500):
            for entry in entries.filter(slug__in=slugs[start : start + 500]):
                by_slug[entry.slug] = entry
        found: dict[str, Entry] = {}
        claimed = {entry.slug for entry in by_key.values()}
        for post in posts:
            entry = by_key.get(post.key) if post.key else None
            if entry is not None and entry.slug in found:
                entry = None  # two posts of one source under one key: the second is new
            if entry is None:
                holder = by_slug.get(post.slug)
                if (
                    holder is not None
                    and holder.import_key == post.key
                    and post.slug not in claimed
                ):
                    entry = holder  # our export of an entry written here (no key on either side)
                elif holder is not None or post.slug in claimed:
                    taken = post.slug
                    post.slug = _free_slug(post.slug, claimed)
                    self.report.notes[
                        f"slug {taken!r} belongs to another entry: {post.origin} gets {post.slug!r}"
                    ] += 1
            if entry is not None:
                post.slug = entry.slug
                found[entry.slug] = entry
            claimed.add(post.slug)
        return found

    def _run(self, posts: list[Post], redirects: dict[str, str], progress) -> None:
        existing = self._match(posts)
        self._make_pictures(posts)
        new, changed, tags_of, before = [], [], {}, {}
        now = timezone.now()
        for post in posts:
            entry = existing.get(post.slug)
            fields = self._fields(post, entry)
            # By pk: two spellings ("C++", "c++") can be one stored tag.
            tags = list(
                {id(tag) if tag.pk is None else tag.pk: tag for tag in fields.pop("tags")}.values()
            )
            names = sorted(tag.name for tag in tags)
            if entry is None:
                entry = Entry(slug=post.slug, import_key=post.key, **fields)
                new.append(entry)
                self.report.created.append(post.slug)
            elif any(getattr(entry, k) != v for k, v in fields.items()) or names != sorted(
                tag.name for tag in entry.tag_list
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
                entry.tag_names = " ".join(names)
                entry.created_at = (
                    aware(post.created_at) or entry.published_at or entry.created_at or now
                )
                entry.updated_at = aware(post.updated_at) or entry.created_at
            if progress:
                progress(1)
        if self.dry_run:
            self._redirects(posts, redirects, {})
            return
        prerendered = {post.slug: post for post in posts if post.rendered}
        shown = self._render([*new, *changed], prerendered)
        self._write(new, changed, tags_of, shown)
        for entry in changed:
            # What an author wrote here since the last import stays in the entry's history.
            record_revision(entry, previous=before[entry.slug])
        by_slug = {entry.slug: entry for entry in [*new, *changed, *existing.values()]}
        self._redirects(posts, redirects, by_slug)

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
        made = {image.file.name: image for image in self._images.values() if image is not None}
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
        body = _IMAGE_MARK.sub(lambda m: self._image_url(post.images[int(m.group(1))]), post.body)
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
            "cover_id": self._image_pk(post.cover),
            "tags": [self._tag(name) for name in dict.fromkeys(post.tags)],
        }

    def _write(self, new: list[Entry], changed: list[Entry], tags_of: dict, shown: dict) -> None:
        _create_entries(new)
        _update_entries(changed, [*COMPARED, *RENDERED, "tag_names", "created_at", "updated_at"])
        written = [*new, *changed]
        entry_type = ContentType.objects.get_for_model(Entry)
        if changed:  # a new entry has no tag or picture rows to replace
            ids = [entry.pk for entry in changed]
            TaggedItem.objects.filter(content_type=entry_type, object_id__in=ids).delete()
            EntryImage.objects.filter(entry_id__in=ids).delete()
        _insert(
            TaggedItem,
            ["content_type", "object_id", "tag"],
            [(entry_type.pk, e.pk, tag.pk) for e in written for tag in tags_of[e.slug]],
        )
        _insert(
            EntryImage,
            ["entry", "image"],
            [(e.pk, image.pk) for e in written for image in shown[e.slug]],
        )
        search.index_entries(written)

    def _redirects(self, posts: list[Post], redirects: dict[str, str], by_slug) -> None:
        wanted: dict[str, tuple[Entry | None, str]] = {}
        for post in posts:
            for old in post.old_paths:
                old = normalize_path(old)
                if not is_storable_path(old):
                    self.report.notes[f"old address {old[:60]!r} not kept: spaces or controls"] += 1
                    continue
                wanted.setdefault(old, (by_slug.get(post.slug), ""))
        for old, target in redirects.items():
            if not is_safe_target(target):
                self.report.notes[
                    f"redirect to {target[:60]!r} not imported: not a web address"
                ] += 1
                continue
            old = normalize_path(old)
            if is_storable_path(old):
                wanted.setdefault(old, (None, target))
        stored = {r.old_path: r for r in Redirect.objects.filter(old_path__in=list(wanted))}
        create, update = [], []
        for old, (entry, target) in wanted.items():
            redirect = stored.get(old)
            if redirect is not None and redirect.entry_id and entry is None:
                continue  # a redirects file's line never takes an old address from its entry
            if redirect is None:
                self.report.redirects_new += 1
                create.append((old, entry and entry.pk, target))
            elif (redirect.entry_id, redirect.target) != (entry and entry.pk, target):
                redirect.entry, redirect.target = entry, target
                update.append(redirect)
        if not self.dry_run:
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            _insert(
                Redirect,
                ["old_path", "entry", "target", "created_at"],
                [(*row, now) for row in create],
            )
            Redirect.objects.bulk_update(update, ["entry", "target"], batch_size=1000)

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

    def _make_pictures(self, posts: list[Post]) -> None:
        """Find or make the Images of a batch's pictures, cleaning and resizing in threads.

        Each new picture's files are written by a thread (Pillow and the disk let go of the
        GIL: two threads made 600 small pictures in 0.55-0.64 of one thread's time); the rows
        are saved here, in the import's transaction. A dry run looks pictures up in _image.
        """
        refs = {}
        for post in posts:
            for ref in [*post.images, *([post.cover] if post.cover else [])]:
                if ref.path not in self._images:
                    refs.setdefault(ref.path, ref)
        if not self.dry_run and refs:
            self._make_images(refs)

    def _make_images(self, refs: dict[Path, ImageRef]) -> None:
        with ThreadPoolExecutor(PICTURE_THREADS) as threads:
            digests = dict(zip(refs, threads.map(_path_sha256, refs), strict=True))
            found = {}
            wanted = list(set(digests.values()))
            for start in range(0, len(wanted), 500):
                for image in Image.objects.filter(sha256__in=wanted[start : start + 500]):
                    found.setdefault(image.sha256, image)  # newest first, as with_bytes
            new = {}  # digest -> (path, future): one Image for files with the same bytes
            made, failure = {}, None
            try:
                for path, ref in refs.items():
                    image = found.get(digests[path]) or self._exported_image(ref)
                    if image is not None:
                        self._images[path] = image
                        self.report.images_reused += 1
                    elif digests[path] not in new:
                        new[digests[path]] = (path, threads.submit(_stored_picture, ref))
            finally:
                # Every file a thread wrote is known, to be removed if the import fails.
                for digest, (_path, future) in new.items():
                    try:
                        made[digest] = future.result()
                        self._stored_files.append(made[digest])
                    except Exception as err:
                        failure = failure or err
        if failure is not None:
            raise failure
        for digest, image in made.items():
            image.save()
            self._images[new[digest][0]] = image
            self.report.images_new += 1
        for path in refs.keys() - self._images.keys():  # the same bytes as a new picture
            self._images[path] = made[digests[path]]
            self.report.images_reused += 1

    def _image(self, ref: ImageRef) -> Image | None:
        """Return the Image for a local file; in a dry run, None for one the import would add."""
        if ref.path in self._images:
            return self._images[ref.path]
        if not self.dry_run:
            self._make_images({ref.path: ref})
            return self._images[ref.path]
        # Only looked up: files with the same bytes would be one new picture, as in a real run.
        digest = _path_sha256(ref.path)
        image = Image.objects.filter(sha256=digest).first() or self._exported_image(ref)
        planned = image is None and digest in self._planned
        self._planned.add(digest)
        self.report.images_new += image is None and not planned
        self.report.images_reused += image is not None or planned
        self._images[ref.path] = image
        return image

    def _exported_image(self, ref: ImageRef) -> Image | None:
        """Return the Image our export wrote this file from, if it is here with these bytes."""
        # An Image is known by its upload's bytes; a phone photo is stored re-encoded (upright,
        # without EXIF), and the export holds those stored bytes: by them it is not found.
        image = Image.objects.filter(file=ref.stored_name).first() if ref.stored_name else None
        if image is None:
            return None
        try:
            with image.file.open("rb") as stored:
                same = stored.read() == ref.path.read_bytes()
        except OSError:
            return None
        return image if same else None

    def _image_url(self, ref: ImageRef) -> str:
        image = self._image(ref)
        return image.file.url if image is not None else NEW_IMAGE_URL.format(ref.path.name)

    def _image_pk(self, ref: ImageRef | None) -> int | None:
        image = self._image(ref) if ref else None
        return image.pk if image is not None else None

    def _forget_stored_files(self) -> None:
        """The transaction is gone: remove the picture files it wrote, so nothing is left over."""
        for image in self._stored_files:
            storage = image.file.storage
            for name in [image.file.name, *(r["name"] for r in image.renditions)]:
                storage.delete(name)


def _path_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return file_sha256(handle)


def _stored_picture(ref: ImageRef) -> Image:
    """Return an unsaved Image whose files are in storage (run in a thread: no queries)."""
    image = Image(
        alt_text=ref.alt[:300], caption=ref.caption[:500], credit=ref.credit[:200],
        decorative=ref.decorative,
    )  # fmt: skip
    with ref.path.open("rb") as handle:
        image.store_file(File(handle, name=ref.path.name), ref.path.name)
    return image


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert plain rows in one executemany: link tables need no model instances."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})", rows
        )


def _create_entries(entries: list[Entry]) -> None:
    """Insert new entries with one executemany and give them their ids, as bulk_create does.

    Through bulk_create, building the INSERT statements took longer than SQLite took to run
    them (0.9 s of 1.4 s for 5,000 entries, profiled).
    """
    if not entries:
        return
    fields = [field for field in Entry._meta.concrete_fields if not field.primary_key]
    _insert(Entry, [field.name for field in fields], _values(entries, fields))
    # No RETURNING with executemany: the slugs, unique, give the new rows' ids.
    slugs = [entry.slug for entry in entries]
    ids = {}
    for start in range(0, len(slugs), 500):
        ids.update(
            Entry.objects.filter(slug__in=slugs[start : start + 500]).values_list("slug", "pk")
        )
    for entry in entries:
        entry.pk = ids[entry.slug]
        entry._state.adding, entry._state.db = False, connection.alias


def _update_entries(entries: list[Entry], names: list[str]) -> None:
    """Store these fields of changed entries with one executemany, as bulk_update does.

    bulk_update's CASE WHEN statements took 11 of 30 s (profiled) to re-import 2,000
    changed posts.
    """
    if not entries:
        return
    fields = [Entry._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(Entry._meta.db_table)} SET {columns} "
            f"WHERE {quote(Entry._meta.pk.column)} = %s",
            _values(entries, [*fields, Entry._meta.pk]),
        )


def _values(entries: list[Entry], fields: list) -> list[tuple]:
    """Return the entries' values of these fields as query parameters, as the ORM makes them."""
    # Text goes in as it is; anything else (times, foreign keys) through its field.
    prepare = [
        None if isinstance(field, CharField | TextField) else field.get_db_prep_save
        for field in fields
    ]
    return [
        tuple(
            getattr(entry, field.attname)
            if to_db is None
            else to_db(getattr(entry, field.attname), connection)
            for field, to_db in zip(fields, prepare, strict=True)
        )
        for entry in entries
    ]


def _free_slug(slug: str, claimed: set[str]) -> str:
    """Return slug-2, slug-3… : the first that no entry and no post of this import holds."""
    stored = Entry.objects.filter(slug__startswith=slug[:190]).values_list("slug", flat=True)
    return next_free_slug(slug, claimed | set(stored))


def _distinct_slugs(posts: list[Post], report: Report) -> None:
    """Two posts of one import with one slug (a title used twice): the later gets "-2"."""
    taken = {post.slug for post in posts}
    seen: set[str] = set()
    for post in posts:
        if post.slug in seen:
            free = next_free_slug(post.slug, taken)
            report.notes[f"slug {post.slug!r} used twice; {post.origin} gets {free!r}"] += 1
            post.slug = free
            taken.add(free)
        seen.add(post.slug)


def markdown_picture(src: str, alt: str = "", caption: str = "") -> str:
    """Return a Markdown picture; a caption becomes its title (the figure's caption)."""
    alt = " ".join(alt.split()).replace("]", "\\]")
    caption = " ".join(caption.split()).replace('"', "'")
    return f'![{alt}]({src} "{caption}")' if caption else f"![{alt}]({src})"


def check_picture(path: Path) -> str | None:
    """Return why a local picture cannot be imported, or None if it can."""
    try:
        with path.open("rb") as handle:
            check_image_file(handle, size=path.stat().st_size)
    except OSError as err:
        return f"cannot read {path.name}: {err.strerror or err}"
    except ValidationError as err:
        return f"{path.name}: {' '.join(err.messages)}"
    return None
