"""What a reader may see besides entries: tags, only as far as published entries carry them.

A tag that only drafts or scheduled entries carry names a topic not yet public: its page and
feeds answer 404 like a tag that does not exist, and no list or sitemap names it. Imports
models only.
"""

from django.db.models import Exists, OuterRef
from taggit.models import Tag

from posts.models import Entry


def public_tags():
    """Return the tags that at least one published entry carries (Entry.objects.published())."""
    return Tag.objects.filter(Exists(Entry.objects.published().filter(tags=OuterRef("pk"))))
