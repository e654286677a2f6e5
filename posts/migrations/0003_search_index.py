"""Full-text search: an FTS5 table on SQLite, a GIN expression index on PostgreSQL."""

from django.db import migrations

FTS_TABLE = "posts_entry_fts"
PG_INDEX = "posts_entry_search"



def pg_index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    # The same expression as posts.search.SEARCH_VECTOR, compiled by Django the same way,
    # so that PostgreSQL uses this index for searches.
    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("tag_names", weight="B", config="english")
        + SearchVector("body_text", weight="C", config="english")
    )
    return GinIndex(vector, name=PG_INDEX)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "title, body, tags, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        schema_editor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body, tags) "
            "SELECT id, title, body_text, tag_names FROM posts_entry"
        )
    elif vendor == "postgresql":
        schema_editor.add_index(apps.get_model("posts", "Entry"), pg_index())


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("posts", "Entry"), pg_index())


class Migration(migrations.Migration):
    dependencies = [("posts", "0002_entry_search_text")]

    operations = [migrations.RunPython(create, drop)]
