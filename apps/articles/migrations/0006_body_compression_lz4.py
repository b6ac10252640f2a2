"""PostgreSQL compresses the article bodies (and their copies in the history and revision tables)
with lz4 instead of pglz, where the server has it (PostgreSQL 14 or later, built with lz4).

A body of ~3,000 characters is over TOAST's 2 kB threshold, so every stored body is compressed:
pglz took ~0.1 ms a body (100 ms of a 1,000-article import), lz4 ~0.03 ms, for a few % more
space (bench/README.md, peer operations). Bodies stored earlier keep their compression (each is
read either way); new values use lz4. On SQLite there is nothing to do."""

from django.db import migrations

COLUMNS = (
    ("articles_article", "body"),
    ("articles_historicalarticle", "body"),
    ("articles_articlerevision", "body"),
)


def _set(schema_editor, method: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND %s = ANY(enumvals)",
            [method],
        )
        if cursor.fetchone() is None:  # a server built without lz4: pglz stays
            return
    for table, column in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION {method}'
        )


def forwards(apps, schema_editor):
    _set(schema_editor, "lz4")


def backwards(apps, schema_editor):
    _set(schema_editor, "pglz")


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_article_search_not_pending")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
