"""PostgreSQL: keep each entry's search vector in a stored column, not only in an index.

Ranking needs the vector of every matching entry. With only an expression index, PostgreSQL
computed it again from the text for each match: a query matching most of 10,000 entries
took seconds. A generated column is computed once, when the row is written. SQLite keeps
its FTS5 table and is not touched.
"""

from django.db import migrations

COLUMN = "search_vector"
INDEX = "posts_entry_search_vector"
OLD_INDEX = "posts_entry_search"
VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(tag_names, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body_text, '')), 'C')"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE posts_entry ADD COLUMN {COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    schema_editor.execute(f"CREATE INDEX {INDEX} ON posts_entry USING gin ({COLUMN})")
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE posts_entry DROP COLUMN {COLUMN}")
    schema_editor.execute(f"CREATE INDEX {OLD_INDEX} ON posts_entry USING gin (({VECTOR}))")


class Migration(migrations.Migration):
    dependencies = [("posts", "0007_entry_import_key")]

    operations = [migrations.RunPython(forwards, backwards)]
