"""Indexes that let list pages read only the rows they show, however many entries there are.

- entry_listing: entries in exactly the lists' order (newest first, then highest id), so
  a page is read from the index as it lies, with no sort. It replaces
  entry_status_published, which lacked the id: SQLite sorted every run of equal times,
  and page 10,000 of 100,000 entries cost 35 ms in SQL instead of 5.
- tagged_item_by_tag, on taggit's table: a tag's entries from the index alone. taggit
  indexes tag_id by itself, so a tag page read each of the tag's rows to find its entry
  (1,500 rows for a tag at 100,000 entries: 8 ms, against 2 with this index).
"""

from django.conf import settings
from django.db import migrations, models

TAGGED_ITEM_INDEX = "tagged_item_by_tag"


class Migration(migrations.Migration):

    dependencies = [
        ('posts', '0010_entry_visibility_index'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='entry',
            index=models.Index(fields=['status', '-published_at', '-id'], name='entry_listing'),
        ),
        migrations.RemoveIndex(
            model_name='entry',
            name='entry_status_published',
        ),
        # Plain SQL: the table is taggit's, whose models this app does not declare. The
        # same statements work on SQLite and PostgreSQL.
        migrations.RunSQL(
            f"CREATE INDEX {TAGGED_ITEM_INDEX} "
            "ON taggit_taggeditem (tag_id, content_type_id, object_id)",
            f"DROP INDEX IF EXISTS {TAGGED_ITEM_INDEX}",
        ),
    ]
