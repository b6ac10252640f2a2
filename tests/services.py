"""Which real services the tests can use. Locally a test that needs an absent service is skipped
with the reason; in CI (CI=true) it fails instead, so nothing is silently left out."""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, reason: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def require_postgres() -> None:
    require(settings.IS_POSTGRES, "needs PostgreSQL: set DATABASE_URL=postgres://... to run it")


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    return path if os.path.exists(path) else shutil.which("chromium")


def require_chromium() -> str:
    path = chromium_path()
    require(
        path is not None,
        "needs the system Chromium at /usr/bin/chromium (apt-get install -y chromium)",
    )
    return path  # type: ignore[return-value]


def require_redis() -> str:
    """The Redis of CELERY_BROKER_URL (as in CI); else the local default port, if it answers."""
    import redis

    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        available = True
    except redis.RedisError:
        available = False
    require(available, f"needs Redis: set CELERY_BROKER_URL=redis://... (tried {url})")
    return url
