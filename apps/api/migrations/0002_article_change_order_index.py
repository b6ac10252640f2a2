"""Index for the article list of the API (`GET /api/v1/articles`): its change order
(updated_at, id), walked from the start or from a cursor, with `updated_at <=` the settle time.
Without it every page sorted the whole table: 27 ms of SQL for a page of 100 at 10,000
articles on SQLite (bench/peer_ops.py). It lives here, beside the query it serves, as the
claims search index does, rather than on the Article model (whose migrations are not the API's)."""

from django.db import migrations

INDEX = "api_article_change_order_idx"


def create(apps, schema_editor):
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article ("updated_at", "id")'
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_claim_search_index"), ("articles", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
