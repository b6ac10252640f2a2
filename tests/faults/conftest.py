"""Fault tests: a Redis of the test's own (never the shared one on 6379), stopped and started
again on the same port; a real worker, with beat, on it; this process's Celery app pointed at it.

They need the `redis-server` binary and PostgreSQL (several processes writing at once, SKIP
LOCKED); locally without them they skip with the reason, in CI (CI=true) they fail instead."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from config.celery import app as celery_app
from tests.conftest import WorkerProcess
from tests.services import require, require_postgres


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A `redis-server` on a free port, with no persistence: what it held is gone when stopped,
    as after a broker outage that lost its queue (the worst case)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


class BeatWorker(WorkerProcess):
    """The worker of `Procfile.local`/compose (`worker` + `beat`), on the test's Redis: beat's
    processing sweep is what re-sends work that a broker outage or a killed worker left owed."""

    def __init__(self, tmp_path: Path, broker_url: str, **env: str) -> None:
        super().__init__(tmp_path)
        self.schedule = tmp_path / f"{self.queue}-beat"
        self.env.update({"CELERY_BROKER_URL": broker_url, **env})

    def extra_args(self) -> list[str]:
        return ["--beat", "--schedule", str(self.schedule)]


def _reset_producers() -> None:
    # The app keeps its producer pool for the broker it first used: drop the references (not the
    # pools, which kombu keeps per broker URL and hands back when the URL is restored).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def own_redis(transactional_db, tmp_path, monkeypatch):
    """A Redis of the test's own, this process's Celery app sending to it (not eagerly) on a
    queue of the test's own; everything put back afterwards."""
    require_postgres()
    require(
        shutil.which("redis-server") is not None,
        "needs the redis-server binary (apt-get install -y redis-server)",
    )
    server = RedisServer(tmp_path)
    server.start()
    conf = celery_app.conf
    previous = (
        conf.broker_url,
        conf.broker_transport_options,
        conf.task_default_queue,
        conf.task_always_eager,
    )
    _reset_producers()
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    conf.broker_url = server.url
    conf.broker_transport_options = {"visibility_timeout": 5, "unacked_restore_throttle": 1}
    conf.task_always_eager = False
    try:
        yield server
    finally:
        _reset_producers()
        (
            conf.broker_url,
            conf.broker_transport_options,
            conf.task_default_queue,
            conf.task_always_eager,
        ) = previous
        server.stop()
        from django.db import connections

        connections.close_all()


@pytest.fixture
def beat_worker(own_redis, tmp_path):
    """Make a worker (with beat) on the test's Redis; the test starts, kills and restarts it."""
    workers: list[BeatWorker] = []

    def make(**env: str) -> BeatWorker:
        worker = BeatWorker(tmp_path, own_redis.url, **env)
        celery_app.conf.task_default_queue = worker.queue
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()
