"""History is append-only, enforced by PostgreSQL: a trigger on every historical table
(django-simple-history's Historical* models) refuses UPDATE and DELETE.

Superseded, kept for the record of what ran: every `manage.py migrate` now ends by replacing this
function and these triggers with stricter ones on every historical table there is (no UPDATE at
all, `history_user_id` included; no TRUNCATE either): apps/ops/db_roles.py and
apps/ops/management/commands/migrate.py. Nothing needs to call `protect` any more."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION factdesk_history_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.history_user_id IS NULL
       AND (to_jsonb(NEW) - 'history_user_id') = (to_jsonb(OLD) - 'history_user_id') THEN
        RETURN NEW;  -- ON DELETE SET NULL of a deleted user account
    END IF;
    RAISE EXCEPTION 'History is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def historical_tables(apps) -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
        and any(field.name == "history_id" for field in model._meta.fields)
    )


def protect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in historical_tables(apps):
        name = schema_editor.quote_name(f"{table}_append_only")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {schema_editor.quote_name(table)}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {schema_editor.quote_name(table)} "
            "FOR EACH ROW EXECUTE FUNCTION factdesk_history_append_only()"
        )


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in historical_tables(apps):
        name = schema_editor.quote_name(f"{table}_append_only")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {schema_editor.quote_name(table)}")
    # CASCADE: the triggers every migrate installs since (apps/ops/db_roles.py) use it too.
    schema_editor.execute("DROP FUNCTION IF EXISTS factdesk_history_append_only() CASCADE")


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_initial"),
        ("annotations", "0001_initial"),
        ("articles", "0001_initial"),
        ("checks", "0002_quote_key_index"),
        ("knowledge", "0002_alias_origin"),
    ]
    operations = [migrations.RunPython(protect, unprotect)]
