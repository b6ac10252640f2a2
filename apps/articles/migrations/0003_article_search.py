"""GIN index for the article list's full-text search of the body (PostgreSQL only).

The expression is exactly the one ArticleQuerySet.search builds with
SearchVector("body", config="english"), so that PostgreSQL uses the index instead of computing
the tsvector of every body. On SQLite the search is a substring match and there is nothing to
create: the operation does nothing there."""

from django.db import migrations

INDEX = "article_body_search_idx"
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(\"body\", ''))"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article USING gin ({EXPRESSION})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_processing_state")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
