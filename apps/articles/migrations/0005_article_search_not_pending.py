"""The body search's GIN index (0003) leaves out the articles whose extraction is pending.

Computing an English tsvector costs PostgreSQL ~0.8 ms for a 3,000-character body: with every
row indexed, an import of 1,000 articles spent 0.8 of its 1.1 s in the index (bench/README.md,
peer operations). A new or edited body is pending extraction: it enters the index when the
worker's UPDATE marks it done or failed (and pays for it there, in the background);
ArticleQuerySet.search reads the others through the index and computes the tsvector of the
pending few (an import of the last seconds, a body just edited) on the fly, so that every article
is found whatever its state.

Built CONCURRENTLY (no lock on writes while it builds), then the full index dropped; on SQLite
the search is a substring match and there is nothing to do."""

from django.db import migrations

OLD = "article_body_search_idx"
NEW = "article_body_search_settled_idx"
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(\"body\", ''))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NEW} ON articles_article USING gin "
            f"({EXPRESSION}) WHERE extraction_state <> 'pending'"
        )
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {OLD} ON articles_article USING gin "
            f"({EXPRESSION})"
        )
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NEW}")


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("articles", "0004_change_order_index")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
