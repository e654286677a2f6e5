"""Entries published (their time come) before the app was installed are not e-mailed: they get a skipped mailing."""

from django.db import migrations
from django.utils import timezone


def skip_existing(apps, schema_editor):
    Entry = apps.get_model("posts", "Entry")
    Mailing = apps.get_model("subscribers", "Mailing")
    Mailing.objects.bulk_create(
        [
            Mailing(entry_id=pk, state="skipped")
            for pk in Entry.objects.filter(status="published", published_at__lte=timezone.now()).values_list("pk", flat=True)
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("subscribers", "0001_initial")]

    operations = [migrations.RunPython(skip_existing, migrations.RunPython.noop)]
