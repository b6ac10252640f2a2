"""The app's database role cannot change history, nor get past the triggers that keep it
append-only, while it does all of the app's ordinary work (apps/ops/db_roles.py).

Every test here talks to the real PostgreSQL as the app's role: the one the whole suite runs as
when DATABASE_OWNER_URL is set (as in CI), else a role of its own that this module creates with
the same grants as `manage.py migrate` gives and drops at the end."""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections

from apps.annotations import services as annotations
from apps.annotations.models import Claim, Evidence
from apps.articles.models import Article
from apps.articles.services import article_import
from apps.ops import db_roles
from tests.services import require_postgres

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]

BODY = (
    "UK Prime Minister Keir Starmer met Emmanuel Macron in Paris on Tuesday, January 6, 2024. "
    "Zelensky explained, “We need guarantees.” The talks went on late."
)


def _connect(credentials: dict) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=credentials["USER"],
        password=credentials["PASSWORD"] or None,
        autocommit=True,
    )


def _owner() -> dict:
    """The owner's credentials: DATABASE_OWNER_URL's, else the one role of DATABASE_URL."""
    if settings.DATABASE_OWNER:
        return settings.DATABASE_OWNER
    return {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}


@pytest.fixture
def app_role(transactional_db):
    """Credentials of a non-superuser role granted what the app is granted."""
    require_postgres()
    if settings.DATABASE_APP:
        yield settings.DATABASE_APP
        return
    role = f"{connection.settings_dict['NAME']}_app_probe"[:63]
    password = secrets.token_urlsafe(16)
    owner = _connect(_owner())
    try:
        if _role_exists(owner, role):  # left by an interrupted run
            owner.execute(f'DROP OWNED BY "{role}"')
            owner.execute(f'DROP ROLE "{role}"')
        with db_roles.as_owner() as django_owner:
            db_roles.app_role_ensure(connection=django_owner, role=role, password=password)
            db_roles.app_role_grant(
                connection=django_owner, role=role, history=db_roles.historical_tables()
            )
        yield {"USER": role, "PASSWORD": password}
    finally:
        connections.close_all()
        if _role_exists(owner, role):
            owner.execute(f'DROP OWNED BY "{role}"')
            owner.execute(f'DROP ROLE "{role}"')
        owner.close()


def _role_exists(conn: psycopg.Connection, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone() is not None


def _columns(conn: psycopg.Connection, table: str) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [table],
        )
    ]


def _refused(conn: psycopg.Connection, sql: str, params=None) -> str:
    """Runs `sql`, which must fail; the error's message (the connection stays usable)."""
    try:
        with conn.transaction():
            conn.execute(sql, params)
    except psycopg.Error as exc:
        return str(exc)
    raise AssertionError(f"not refused: {sql}")


def _annotated_article(user) -> Claim:
    """The app's ordinary writes, each of which writes history rows too: an import (with its
    automatic extraction), a claim, a verdict, evidence."""
    article = article_import(
        title="Paris coalition meeting", body=BODY, source="Test Wire", created_by=user
    )
    start = BODY.index("Keir Starmer met Emmanuel Macron")
    claim = annotations.annotation_create(
        article=article,
        kind="claim",
        start=start,
        end=start + len("Keir Starmer met Emmanuel Macron"),
        exact="Keir Starmer met Emmanuel Macron",
        user=user,
        origin="manual",
    )
    claim = annotations.claim_verdict_propose(
        claim=claim, user=user, verdict="inaccurate", expected_version=claim.version
    )
    annotations.evidence_add(claim=claim, user=user, url="https://example.org/a", title="A")
    return claim


def test_it_does_the_app_s_writes_as_the_app_role_history_included(app_role, annotator):
    connections["default"].close()
    saved = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.settings_dict.update(app_role)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
            )
            assert cursor.fetchone() == (app_role["USER"], False)
        claim = _annotated_article(annotator)
    finally:
        connections["default"].close()
        connection.settings_dict.update(saved)

    assert Article.history.filter(uuid=claim.article.uuid).exists()
    assert list(
        Claim.history.filter(uuid=claim.uuid)
        .order_by("history_id")
        .values_list("history_type", "verdict", "history_user__username")
    ) == [("+", "not_rated", "anna"), ("~", "inaccurate", "anna")]
    assert Evidence.history.filter(claim_id=claim.pk, history_type="+").count() == 1


def test_it_gives_the_app_role_no_power_over_the_triggers(app_role):
    app = _connect(app_role)
    with app:
        role = app.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication "
            "FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert role == (False, False, False, False, False)
        owned = app.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchone()
        assert owned == (0,)
        for table in db_roles.historical_tables():
            for sql in (
                f'ALTER TABLE "{table}" DISABLE TRIGGER {db_roles.ROW_TRIGGER}',
                f'ALTER TABLE "{table}" DISABLE TRIGGER ALL',
                f'DROP TRIGGER {db_roles.ROW_TRIGGER} ON "{table}"',
                f'DROP TRIGGER {db_roles.TRUNCATE_TRIGGER} ON "{table}"',
                f'ALTER TABLE "{table}" OWNER TO CURRENT_USER',
            ):
                assert "must be owner" in _refused(app, sql), sql
        assert "permission denied" in _refused(app, "SET session_replication_role = replica")
        # Replacing the trigger function with one that lets everything through.
        for sql in (
            f"CREATE OR REPLACE FUNCTION {db_roles.FUNCTION}() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            f"DROP FUNCTION {db_roles.FUNCTION}() CASCADE",
        ):
            message = _refused(app, sql)
            assert "must be owner" in message or "permission denied" in message, sql


def test_it_lets_the_app_role_only_read_and_insert_history(app_role, annotator):
    claim = _annotated_article(annotator)
    app = _connect(app_role)
    with app:
        tables = db_roles.historical_tables()
        assert len(tables) >= 10
        for table in tables:
            can = dict(
                app.execute(
                    "SELECT p, has_table_privilege(current_user, %s, p) FROM unnest(%s::text[]) p",
                    [table, ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER"]],
                ).fetchall()
            )
            assert can == {
                "SELECT": True,
                "INSERT": True,
                "UPDATE": False,
                "DELETE": False,
                "TRUNCATE": False,
                "TRIGGER": False,
            }, table
            # Every column, one at a time; history_user_id (what deleting an account rewrote)
            # to NULL as well.
            for column in _columns(app, table):
                message = _refused(app, f'UPDATE "{table}" SET "{column}" = "{column}"')
                assert "permission denied" in message, (table, column)
            assert "permission denied" in _refused(
                app, f'UPDATE "{table}" SET history_user_id = NULL'
            )
            assert "permission denied" in _refused(app, f'DELETE FROM "{table}"')
            assert "permission denied" in _refused(app, f'TRUNCATE "{table}"')
        # Ordinary tables: the app reads and writes them (TRUNCATE is nobody's business).
        can = app.execute(
            "SELECT has_table_privilege(current_user, 'annotations_claim', "
            "'SELECT, INSERT, UPDATE, DELETE'), "
            "has_table_privilege(current_user, 'annotations_claim', 'TRUNCATE')"
        ).fetchone()
        assert can == (True, False)

    history = list(
        Claim.history.filter(uuid=claim.uuid)
        .order_by("history_id")
        .values_list("history_type", "verdict", "history_user_id")
    )
    assert history == [("+", "not_rated", annotator.pk), ("~", "inaccurate", annotator.pk)]


def test_it_refuses_every_change_to_history_even_to_the_owner(app_role, annotator):
    """Privileges keep the app out; the triggers hold for the owner too (a data migration, a flush,
    a deleted account's SET NULL), until the owner switches them off on purpose. Every column of
    every historical table the app's writes filled."""
    _annotated_article(annotator)
    owner = _connect(_owner())
    with owner:
        filled = [
            table
            for table in db_roles.historical_tables()
            if owner.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]
        ]
        assert {
            Claim.history.model._meta.db_table,
            Evidence.history.model._meta.db_table,
            Article.history.model._meta.db_table,
        } <= set(filled)
        for table in filled:
            before = owner.execute(f'SELECT * FROM "{table}" ORDER BY history_id').fetchall()
            (history_id,) = owner.execute(
                f'SELECT max(history_id) FROM "{table}" WHERE history_user_id IS NOT NULL'
            ).fetchone() or (None,)
            if history_id is None:  # written by extraction only: no person named
                (history_id,) = owner.execute(f'SELECT max(history_id) FROM "{table}"').fetchone()
            else:
                message = _refused(
                    owner,
                    f'UPDATE "{table}" SET history_user_id = NULL WHERE history_id = %s',
                    [history_id],
                )
                assert "cannot be deleted: deactivate it instead" in message, table
            for column in _columns(owner, table):
                message = _refused(
                    owner,
                    f'UPDATE "{table}" SET "{column}" = "{column}" WHERE history_id = %s',
                    [history_id],
                )
                assert f"History is append-only: UPDATE on {table} is not allowed" in message, (
                    table,
                    column,
                )
            assert "History is append-only: DELETE" in _refused(
                owner, f'DELETE FROM "{table}" WHERE history_id = %s', [history_id]
            )
            assert "History is append-only: TRUNCATE" in _refused(
                owner, f'TRUNCATE "{table}" CASCADE'
            )
            after = owner.execute(f'SELECT * FROM "{table}" ORDER BY history_id').fetchall()
            assert after == before, table


def test_it_protects_and_narrows_history_tables_again_on_every_migrate(app_role):
    """A historical table created by a later migration (default privileges grant it like any
    table, and it has no trigger yet) is protected by the migrate that created it."""
    table = Evidence.history.model._meta.db_table
    owner = _connect(_owner())
    with owner:
        owner.execute(f'DROP TRIGGER {db_roles.ROW_TRIGGER} ON "{table}"')
        owner.execute(f'DROP TRIGGER {db_roles.TRUNCATE_TRIGGER} ON "{table}"')
        owner.execute(f'GRANT UPDATE, DELETE ON "{table}" TO "{app_role["USER"]}"')

        call_command("migrate", verbosity=0)

        triggers = owner.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
            "ORDER BY tgname",
            [table],
        ).fetchall()
        assert triggers == [(db_roles.ROW_TRIGGER,), (db_roles.TRUNCATE_TRIGGER,)]
        if settings.DATABASE_APP:  # migrate grants the suite's app role; the probe is not it
            can = owner.execute(
                "SELECT has_table_privilege(%s, %s, 'UPDATE'), "
                "has_table_privilege(%s, %s, 'DELETE')",
                [app_role["USER"], table, app_role["USER"], table],
            ).fetchone()
            assert can == (False, False)


def test_it_refuses_an_app_role_that_could_switch_the_triggers_off(transactional_db):
    """migrate checks DATABASE_URL's role before granting it anything: a superuser, a member of
    the owner (SET ROLE gets its powers) or the owner of a table could disable the triggers."""
    require_postgres()
    owner = _owner()["USER"]
    member = f"{connection.settings_dict['NAME']}_member"[:63]
    holder = f"{connection.settings_dict['NAME']}_holder"[:63]
    raw = _connect(_owner())
    with raw:
        for role in (member, holder):
            raw.execute(f'DROP TABLE IF EXISTS "{holder}_table"')
            raw.execute(f'DROP ROLE IF EXISTS "{role}"')
            raw.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER')
        raw.execute(f'GRANT "{owner}" TO "{member}"')
        raw.execute(f'CREATE TABLE "{holder}_table" (id int)')
        raw.execute(f'ALTER TABLE "{holder}_table" OWNER TO "{holder}"')
        try:
            with db_roles.as_owner() as conn:
                for role, problem in (
                    (owner, "a superuser|member of the owner"),
                    (member, "member of the owner role|member of a superuser role"),
                    (holder, "owns tables"),
                ):
                    with pytest.raises(db_roles.RoleError, match=problem):
                        db_roles.app_role_ensure(connection=conn, role=role, password="")
        finally:
            connections.close_all()
            raw.execute(f'DROP TABLE IF EXISTS "{holder}_table"')
            for role in (member, holder):
                raw.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_it_creates_the_app_role_with_its_command(transactional_db, settings):
    require_postgres()
    role = f"{connection.settings_dict['NAME']}_cmd_app"[:63]
    raw = _connect(_owner())
    with raw:
        raw.execute(f'DROP ROLE IF EXISTS "{role}"')
        settings.DATABASE_APP = {"USER": role, "PASSWORD": "pw-1"}
        try:
            out = io.StringIO()
            call_command("create_app_role", stdout=out)
            assert f"Role {role} created: it owns nothing and is no superuser" in out.getvalue()
            call_command("create_app_role", "--set-password", stdout=out)
            assert f"Role {role} exists" in out.getvalue()
            assert raw.execute(
                "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                "WHERE rolname = %s",
                [role],
            ).fetchone() == (True, False, False, False)
        finally:
            connections.close_all()
            raw.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_it_says_when_there_is_no_separate_app_role(settings):
    settings.DATABASE_APP = None
    with pytest.raises(CommandError, match="DATABASE_OWNER_URL is not set"):
        call_command("create_app_role")


def test_it_prints_the_sql_to_create_the_app_role():
    statements = db_roles.app_role_sql(role="factdesk_app", password="it's-secret")
    assert statements == [
        'CREATE ROLE "factdesk_app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION '
        "NOBYPASSRLS PASSWORD 'it''s-secret'"
    ]


def _manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def scratch_database(transactional_db):
    """An empty database and the name of a role that does not exist yet, dropped afterwards."""
    require_postgres()
    name = f"{connection.settings_dict['NAME']}_deploy"[:63]
    role = f"{name}_app"[:63]
    owner = _connect(_owner())
    with owner:
        owner.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        owner.execute(f'DROP ROLE IF EXISTS "{role}"')
        owner.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name, role
        finally:
            owner.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            owner.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_it_deploys_as_the_compose_file_does(scratch_database, tmp_path):
    """migrate as the owner creates the app's role and grants it; the app then does its work as
    that role (the seeds: knowledge base, articles, extraction, history) and owns nothing."""
    name, role = scratch_database
    db = connection.settings_dict
    server = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    owner = _owner()
    owner_auth = owner["USER"] + (f":{quote(owner['PASSWORD'])}" if owner["PASSWORD"] else "")
    env = {
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TZ"}},
        "DEBUG": "1",
        "FACTDESK_VAR_DIR": str(tmp_path / "var"),
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "DATABASE_URL": f"postgres://{role}:app-pw-{secrets.token_hex(4)}@{server}/{name}",
    }

    migrated = _manage(
        ["migrate", "--noinput"],
        {**env, "DATABASE_OWNER_URL": f"postgres://{owner_auth}@{server}/{name}"},
    )
    assert migrated.returncode == 0, migrated.stderr
    seeded = _manage(["loadseeds"], env)  # the app: web, worker and beat get no owner URL
    assert seeded.returncode == 0, seeded.stderr

    with psycopg.connect(
        dbname=name,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=owner["USER"],
        password=owner["PASSWORD"] or None,
        autocommit=True,
    ) as conn:
        assert conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s", [role]
        ).fetchone() == (False, False, False)
        owners = conn.execute(
            "SELECT DISTINCT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'S')"
        ).fetchall()
        assert owners == [(owner["USER"],)]
        history = conn.execute(
            "SELECT count(*), count(DISTINCT history_type) FROM articles_historicalarticle"
        ).fetchone()
        assert history[0] >= 1
        claims = conn.execute("SELECT count(*) FROM annotations_historicalclaim").fetchone()[0]
        assert claims >= 1, "extraction wrote no history as the app role"
        protected = conn.execute(
            "SELECT count(DISTINCT tgrelid) FROM pg_trigger WHERE tgname = %s",
            [db_roles.ROW_TRIGGER],
        ).fetchone()[0]
        assert protected == len(db_roles.historical_tables())
