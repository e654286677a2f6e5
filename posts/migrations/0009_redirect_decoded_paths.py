"""Old addresses are stored decoded, as request.path gives them ("/café/", not "/caf%C3%A9/").

Imports before this stored WordPress links as written, percent-encoded, so they never matched.
"""

from urllib.parse import unquote

from django.db import migrations


def decode(apps, schema_editor):
    Redirect = apps.get_model("posts", "Redirect")
    taken = set(Redirect.objects.values_list("old_path", flat=True))
    for redirect in Redirect.objects.filter(old_path__contains="%"):
        path, mark, query = redirect.old_path.partition("?")
        decoded = unquote(path) + mark + query
        if decoded != redirect.old_path and decoded not in taken:
            taken.discard(redirect.old_path)
            taken.add(decoded)
            redirect.old_path = decoded
            redirect.save(update_fields=["old_path"])


class Migration(migrations.Migration):
    dependencies = [("posts", "0008_pg_stored_search_vector")]

    operations = [migrations.RunPython(decode, migrations.RunPython.noop)]
