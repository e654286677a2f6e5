"""List pages read entries in Meta.ordering (newest first, then highest id): an index in
exactly that order lets SQLite and PostgreSQL read a page straight from it, with no sort."""

from django.conf import settings
from django.db import migrations, models


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
    ]
