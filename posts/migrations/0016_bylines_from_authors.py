"""Every entry's one author becomes the first (and only) name of its byline, and every
author of an entry gets a public profile, so that bylines link to an author page at once."""

from django.conf import settings
from django.db import migrations
from django.utils.text import slugify


def fill_bylines(apps, schema_editor):
    Entry = apps.get_model("posts", "Entry")
    EntryAuthor = apps.get_model("posts", "EntryAuthor")
    AuthorProfile = apps.get_model("posts", "AuthorProfile")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    rows = [
        EntryAuthor(entry_id=entry_id, user_id=author_id, position=0)
        for entry_id, author_id in Entry.objects.values_list("id", "author_id").iterator()
    ]
    EntryAuthor.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    taken = set(AuthorProfile.objects.values_list("slug", flat=True))
    writers = User.objects.filter(pk__in=Entry.objects.values("author_id")).exclude(
        pk__in=AuthorProfile.objects.values("user_id")
    )
    for user in writers:
        # Never the username: it is a login name (sometimes an e-mail address), not public.
        base = slugify(f"{user.first_name} {user.last_name}", allow_unicode=True)[:80]
        base = base or f"author-{user.pk}"
        slug, suffix = base, 2
        while slug in taken:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(slug)
        AuthorProfile.objects.create(user=user, slug=slug)


def drop_bylines(apps, schema_editor):
    apps.get_model("posts", "EntryAuthor").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0015_authors_and_series"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(fill_bylines, drop_bylines)]
