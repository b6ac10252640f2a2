"""Two database roles on PostgreSQL, so that history stays append-only even for the app itself.

- The **owner** (DATABASE_OWNER_URL) owns every table. `manage.py migrate` connects as it, and
  after migrating (apps/ops/management/commands/migrate.py) protects every historical table with
  triggers that refuse UPDATE, DELETE and TRUNCATE, then grants the app's role what it needs.
- The **app** (DATABASE_URL's user: web, worker, beat) owns nothing and is no superuser: it may
  read and write the ordinary tables, only read and insert into the historical ones, and it cannot
  disable or drop a trigger (that takes the table's owner) nor `SET session_replication_role`
  (that takes a superuser).

Both steps run after every migrate, for every historical table there is then, so a history table
that a later migration adds (a new historical model, or new columns on one) is covered with no
step of its own. The triggers also bind the owner: a flush, a stray UPDATE in a data migration or a
user deletion that would rewrite `history_user_id` is refused; only an explicit
`ALTER TABLE … DISABLE TRIGGER` by the owner (`history_unlocked`, used by the test suite's flush)
gets past them.

Without DATABASE_OWNER_URL one role does everything (the local path, SQLite or PostgreSQL): the
triggers still protect history from the application's own writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps as global_apps
from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

FUNCTION = "factdesk_history_append_only"
ROW_TRIGGER = "factdesk_history_append_only"
TRUNCATE_TRIGGER = "factdesk_history_no_truncate"

# One function for both triggers. Deleting a user account would have Django set `history_user_id`
# to NULL in its records (on_delete=SET_NULL): an UPDATE like any other, refused too, with a hint
# (accounts are deactivated, never deleted: apps/accounts/admin.py).
FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (to_jsonb(OLD) ->> 'history_user_id') IS NOT NULL
           AND (to_jsonb(NEW) ->> 'history_user_id') IS NULL THEN
            RAISE EXCEPTION 'History is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'A user account that appears in the history cannot be deleted: '
                             'deactivate it instead.';
        END IF;
    END IF;
    RAISE EXCEPTION 'History is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def historical_tables(apps=global_apps) -> list[str]:
    """django-simple-history's tables, every app's, sorted: its historical models and the
    histories of many-to-many fields (both are HistoricalChanges)."""
    from simple_history.models import HistoricalChanges

    return sorted(
        model._meta.db_table for model in apps.get_models() if issubclass(model, HistoricalChanges)
    )


def _q(connection: BaseDatabaseWrapper, name: str) -> str:
    return connection.ops.quote_name(name)


def history_protect(*, connection: BaseDatabaseWrapper, tables: list[str]) -> None:
    """Create or refresh the triggers on every historical table (idempotent; run as the owner)."""
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        for table in tables:
            # The per-table triggers of migration ops/0002, replaced by the two below.
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {_q(connection, table + '_append_only')} ON {_q(connection, table)}"
            )
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {ROW_TRIGGER} BEFORE UPDATE OR DELETE "
                f"ON {_q(connection, table)} FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )
            # TRUNCATE fires no row trigger: a statement trigger of its own.
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE "
                f"ON {_q(connection, table)} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            )


class RoleError(Exception):
    """The app's role is missing or would be able to get past the triggers."""


def app_role_sql(*, role: str, password: str | None) -> list[str]:
    """What creates the app's role: run by migrate when the owner may create roles, else printed
    by `manage.py create_app_role --sql` for a superuser to run once."""
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    if password:
        attributes += f" PASSWORD {_literal(password)}"
    return [f"CREATE ROLE {_plain_quote(role)} {attributes}"]


def app_role_ensure(*, connection: BaseDatabaseWrapper, role: str, password: str | None) -> bool:
    """Create the app's role if it does not exist (True when created), then check that it cannot
    get past the history triggers: no superuser, no member of the owner, no owner of a table."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        created = row is None
        if created:
            try:
                # A savepoint: migrate runs this in a transaction, which an error would spoil.
                with transaction.atomic(using=connection.alias):
                    cursor.execute(app_role_sql(role=role, password=password)[0])
            except DatabaseError as exc:
                if getattr(exc.__cause__, "sqlstate", None) == "42710":  # duplicate_object
                    # Another process (a parallel test run's migrate) created it just now.
                    return app_role_ensure(connection=connection, role=role, password=password)
                raise RoleError(
                    f"The database role {role!r} of DATABASE_URL does not exist and the owner "
                    f"could not create it ({str(exc).strip().splitlines()[0]}). Ask a superuser "
                    "to run the SQL printed by `manage.py create_app_role --sql`."
                ) from exc
        elif row[0] or row[1]:
            raise RoleError(
                f"DATABASE_URL connects as {role!r}, a superuser (or one that bypasses row "
                "security): it could switch the history triggers off. Use an ordinary role "
                "(manage.py create_app_role --sql)."
            )
        # Membership counts as much as the role itself: SET ROLE gets its powers.
        cursor.execute(
            "SELECT pg_has_role(%s, current_user, 'MEMBER'), "
            "EXISTS (SELECT 1 FROM pg_roles s WHERE s.rolsuper AND pg_has_role(%s, s.oid, 'MEMBER')), "
            "EXISTS (SELECT 1 FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "        WHERE r.rolname = %s AND c.relnamespace = current_schema()::regnamespace)",
            [role, role, role],
        )
        member_of_owner, member_of_superuser, owns_tables = cursor.fetchone()
        if member_of_owner or member_of_superuser or owns_tables:
            problem = (
                "is a member of the owner role"
                if member_of_owner
                else "is a member of a superuser role"
                if member_of_superuser
                else "owns tables"
            )
            raise RoleError(
                f"DATABASE_URL's role {role!r} {problem}: it could switch the history triggers "
                "off. The app's role must own nothing and be no superuser."
            )
    return created


def app_role_set_password(*, connection: BaseDatabaseWrapper, role: str, password: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER ROLE {_q(connection, role)} PASSWORD {_literal(password)}")


def app_role_grant(*, connection: BaseDatabaseWrapper, role: str, history: list[str]) -> None:
    """Ordinary tables: read and write. Historical tables: read and insert only. Sequences:
    usage. Default privileges so that tables created later by the owner are readable and
    writable at once (the next `history_protect`/`app_role_grant`, run by every migrate, narrows
    a new historical table to read and insert)."""
    role_q = _q(connection, role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner, schema = cursor.fetchone()
        owner_q, schema_q = _q(connection, owner), _q(connection, schema)
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema_q} TO {role_q}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_q} TO {role_q}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_q} TO {role_q}")
        for table in history:
            cursor.execute(
                f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {_q(connection, table)} "
                f"FROM {role_q}"
            )
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA {schema_q} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role_q}"
        )
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA {schema_q} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {role_q}"
        )


def database_prepare(*, connection: BaseDatabaseWrapper, apps=global_apps) -> None:
    """After a migrate, as the owner: triggers on every historical table, and the app's role (if
    DATABASE_URL names another role than the owner's) created if missing and granted."""
    if connection.vendor != "postgresql":
        return
    # Those the database has now (a migration backwards may have dropped some).
    existing = set(connection.introspection.table_names())
    tables = [table for table in historical_tables(apps) if table in existing]
    history_protect(connection=connection, tables=tables)
    app = settings.DATABASE_APP
    if app:
        app_role_ensure(connection=connection, role=app["USER"], password=app["PASSWORD"])
        app_role_grant(connection=connection, role=app["USER"], history=tables)


@contextmanager
def as_owner(alias: str = "default") -> Iterator[BaseDatabaseWrapper]:
    """The connection `alias`, reconnected as the owner of the tables for the block (a no-op when
    no DATABASE_OWNER_URL is set: then the one role is the owner)."""
    connection = connections[alias]
    owner = settings.DATABASE_OWNER
    if not owner or connection.vendor != "postgresql":
        yield connection
        return
    saved = {key: connection.settings_dict.get(key) for key in owner}
    connection.close()
    connection.settings_dict.update(owner)
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@contextmanager
def history_unlocked(*, connection: BaseDatabaseWrapper, tables: list[str]) -> Iterator[None]:
    """The owner's deliberate way past the triggers, inside one transaction (the caller's): they
    are disabled for the block and enabled again before it commits. Nothing in the application
    uses it; the test suite does, to empty the tables between tests."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {_q(connection, table)} DISABLE TRIGGER USER")
    yield
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {_q(connection, table)} ENABLE TRIGGER USER")


def _plain_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
