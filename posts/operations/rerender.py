"""Rendering stored entries again, many at a time: on every core, stored a batch at a time.

`render_entries` (after the pipeline or a setting changed) comes through here. One by one,
it took 10 ms an entry: a tenth rendering, the rest a transaction and a cache bump for each.
"""

import multiprocessing
import os
from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet

from posts.models import Entry, Image
from posts.rendering.markdown import media_names, render_entry

BATCH = 500
PARALLEL_FROM = 200  # entries; below this, forking costs more than it saves

# What a worker needs to render an entry: body, excerpt, whether it has a cover, and the
# pictures its body may show (stored file name -> Image). What it gives back: the HTML, the
# text, the summary and the ids of the pictures shown.
Job = tuple[str, str, bool, dict]
Rendered = tuple[str, str, str, list[int]]


def rerender_entries(
    entries: QuerySet, *, dry_run: bool = False, progress: Callable | None = None
) -> int:
    """Render these entries again, storing those whose text changed; return how many did."""
    ids = list(entries.order_by("pk").values_list("pk", flat=True))
    workers = min(os.cpu_count() or 1, 4)
    pool = None
    if len(ids) >= PARALLEL_FROM and workers > 1:
        # Forked workers only render: the pictures they need travel with the job, and
        # nothing in them touches the database connection or the cache they inherit.
        pool = multiprocessing.get_context("fork").Pool(workers)
    changed = 0
    try:
        for start in range(0, len(ids), BATCH):
            batch = list(Entry.objects.filter(pk__in=ids[start : start + BATCH]).order_by("pk"))
            results = _render_batch(batch, pool)
            # One transaction a batch: the content version is bumped once for it, not per entry.
            with transaction.atomic():
                for entry, rendered in zip(batch, results, strict=True):
                    if dry_run:
                        changed += rendered[:3] != (entry.body_html, entry.body_text, entry.summary)
                    else:
                        changed += entry.rerender(rendered)
            if progress:
                progress(len(batch))
    finally:
        if pool is not None:
            pool.terminate()
    return changed


def _render_batch(entries: list[Entry], pool) -> list[Rendered]:
    """Render a batch, in the pool when there is one."""
    jobs, _known = entry_jobs(entries)
    if pool is None:
        return [render_job(job) for job in jobs]
    return pool.map(render_job, jobs, chunksize=25)


def entry_jobs(entries: list[Entry], known: dict | None = None) -> tuple[list[Job], dict]:
    """Return the entries' jobs, and the pictures their bodies may show by stored name.

    known: pictures already in hand (an import's own); the others are read 500 names a query.
    """
    wanted = [media_names(entry.body) for entry in entries]
    known = dict(known or {})
    known.update(Image.objects.named(set().union(*wanted) - known.keys()))
    jobs = [
        (
            entry.body,
            entry.excerpt,
            bool(entry.cover_id),
            {n: known[n] for n in names if n in known},
        )
        for entry, names in zip(entries, wanted, strict=True)
    ]
    return jobs, known


def render_job(job: Job) -> Rendered:
    """Render one entry's job (the importer's workers call it too)."""
    body, excerpt, has_cover, known = job
    html, text, summary, images = render_entry(body, excerpt, has_cover=has_cover, known=known)
    return html, text, summary, [image.pk for image in images]
