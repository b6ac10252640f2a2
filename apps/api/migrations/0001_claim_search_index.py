"""GIN index for the claims full-text search of the API (`/api/v1/claims?q=`, PostgreSQL only).

The expression is exactly the one apps.api.filters.claim_search builds with
SearchVector("exact", "summary", config="english"), so that PostgreSQL uses the index: without
it a search over 1,000,000 claims took seconds (bench/api.py). On SQLite the search is a plain
substring match and there is nothing to create. The index lives here, beside the query it serves,
rather than on the Claim model, because only the API searches this way."""

from django.db import migrations

INDEX = "api_claim_search_idx"
EXPRESSION = (
    "to_tsvector('english'::regconfig, COALESCE(\"exact\", '') || ' ' || COALESCE(\"summary\", ''))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON annotations_claim USING gin ({EXPRESSION})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("annotations", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
