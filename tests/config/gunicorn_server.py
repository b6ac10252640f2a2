"""The production web process for tests: gunicorn started with config/gunicorn.conf.py, in its own
process group, against the test database (and, where a test asks, the shared Redis cache)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.conftest import ROOT, _database_url, app_environ


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GunicornServer:
    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"gunicorn-{self.port}.log"
        self.env = {
            **app_environ(),
            "DEBUG": "0",
            "SECRET_KEY": "test-only-" + "k" * 60,
            "SECURE_SSL_REDIRECT": "0",
            "FACTDESK_MANIFEST_STATIC": "0",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "FACTDESK_VAR_DIR": str(settings.VAR_DIR),
            "FACTDESK_BROKER_DIR": str(settings.BROKER_DIR),
            "WEB_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "WEB_THREADS": "4",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "config/gunicorn.conf.py",
                "config.wsgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.log()[-3000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=2)
                return
            except urllib.error.HTTPError:
                return  # it answers (503 while the broker is away is still an answer)
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"gunicorn did not answer in {timeout} s:\n{self.log()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
