from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _eager_celery_by_default(request):
    """Tasks run inline unless a test starts a real worker (the `worker` fixture)."""
    if "worker" in request.fixturenames:
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


# --- Database roles (PostgreSQL, apps/ops/db_roles.py) -----------------------------------------
# With DATABASE_OWNER_URL set (as .ci/run does), the suite runs as production does: the owner
# creates and migrates the test database, and every test then talks to it as the app's role
# (DATABASE_URL's user), which owns nothing; workers started by tests connect as it too.


def _connect_as(credentials: dict | None) -> None:
    from django.db import connections

    if credentials:
        connections["default"].close()
        connections["default"].settings_dict.update(credentials)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    _connect_as(settings.DATABASE_OWNER)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    _connect_as(settings.DATABASE_APP)
    yield
    _connect_as(settings.DATABASE_OWNER)  # the owner drops the test database


@pytest.fixture(scope="session", autouse=True)
def _flush_as_owner_past_the_history_triggers():
    """After a transactional test (live server, worker) Django empties every table with TRUNCATE,
    which the history triggers refuse (and the app's role may not do): the suite does it as the
    owner, with the triggers switched off inside that one transaction."""
    from django.db import transaction
    from django.db.backends.postgresql.operations import DatabaseOperations

    from apps.ops import db_roles

    def execute_sql_flush(self, sql_list):
        with db_roles.as_owner(self.connection.alias) as connection:
            with transaction.atomic(using=connection.alias):
                tables = db_roles.historical_tables()
                with db_roles.history_unlocked(connection=connection, tables=tables):
                    with connection.cursor() as cursor:
                        for sql in sql_list:
                            cursor.execute(sql)

    original = DatabaseOperations.execute_sql_flush
    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture
def annotator(db):
    return UserFactory(username="anna", role="annotator")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rita", role="reviewer")


@pytest.fixture
def reviewer2(db):
    return UserFactory(username="rob", role="reviewer")


@pytest.fixture
def editor(db):
    return UserFactory(username="edith", role="editor")


@pytest.fixture
def outsider(db):
    """Signed in, but with no Factdesk role."""
    return UserFactory(username="olga")


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def app_environ() -> dict[str, str]:
    """This process's environment for a process of the app a test starts (worker, web server):
    never the owner's credentials (the app is the app's role), nor pytest's marker."""
    return {
        k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "DATABASE_OWNER_URL"}
    }


class WorkerProcess:
    """A real `celery worker` in its own process, on the configured broker, against the test
    database, consuming a queue of its own (so stray messages of other runs never reach it)."""

    def __init__(self, tmp_path: Path) -> None:
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        self.log_path = tmp_path / f"{self.queue}.log"
        self.env = {
            **app_environ(),
            "DEBUG": "1",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_QUEUE": self.queue,
            "FACTDESK_VAR_DIR": str(settings.VAR_DIR),
            "FACTDESK_BROKER_DIR": str(settings.BROKER_DIR),
            "CELERY_VISIBILITY_TIMEOUT": "5",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                *self.extra_args(),
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def extra_args(self) -> list[str]:
        """More command-line options for `celery worker` (a subclass adds beat)."""
        return []

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for(self, condition, *, timeout: float = 30.0, what: str = "the worker") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process and self.process.poll() is not None:
                raise AssertionError(
                    f"{what}: worker exited with {self.process.returncode}\n{self.log()[-3000:]}"
                )
            time.sleep(0.2)
        raise AssertionError(
            f"timed out waiting for {what}\n--- worker log ---\n{self.log()[-3000:]}"
        )


@pytest.fixture
def worker(transactional_db, tmp_path):
    """Start a real worker; tasks sent by the test go to it through the real broker."""
    process = WorkerProcess(tmp_path)
    previous_queue = celery_app.conf.task_default_queue
    previous_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_default_queue = process.queue
    celery_app.conf.task_always_eager = False
    process.start()
    try:
        yield process
    finally:
        process.stop()
        celery_app.conf.task_default_queue = previous_queue
        celery_app.conf.task_always_eager = previous_eager
        from django.db import connections

        connections.close_all()


# --- Parallel runs (pytest-xdist; `make test` runs `pytest -n N --dist loadgroup`) --------------
# Tests that start processes of their own (a browser and live server, a Celery worker, gunicorn,
# a second Redis, `manage.py` in a subprocess) share the machine's CPU and the broker with every
# other such test: they run one after another on one xdist worker (one group), the rest in parallel.

SERIAL_GROUP = "processes"
_PROCESS_MARKERS = {"browser", "worker"}
_PROCESS_FIXTURES = {"live_server", "worker", "beat_worker", "own_redis"}
_PROCESS_PATHS = ("tests/faults/", "tests/config/test_deploy.py", "tests/config/test_gunicorn.py")


def _starts_processes(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(name) for name in _PROCESS_MARKERS):
        return True
    if _PROCESS_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    path = Path(str(item.path)).relative_to(ROOT).as_posix()
    return path.startswith(_PROCESS_PATHS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _starts_processes(item):
            item.add_marker(pytest.mark.xdist_group(SERIAL_GROUP))
    workers = getattr(config.option, "numprocesses", None)
    if workers and getattr(config.option, "dist", "no") != "loadgroup":
        raise pytest.UsageError(
            "Factdesk's tests that start processes must run one at a time: with -n, use "
            "--dist loadgroup (as `make test` does)."
        )
