"""Crash recovery is bounded by settings derived from the task time limits (config/settings.py):
the Redis visibility timeout (when a dead worker's message comes back) and the checks' running
lease (when a dead run is taken over) follow the hard time limit, and each can be overridden."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

NAMES = (
    "CELERY_TASK_TIME_LIMIT",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "CELERY_BROKER_TRANSPORT_OPTIONS",
    "CHECKS_RUNNING_LEASE_SECONDS",
    "PROCESSING_DRAIN_SECONDS",
    "PROCESSING_SWEEP_SECONDS",
    "CELERY_BEAT_SCHEDULE",
)


def _settings(**env: str) -> dict:
    """The settings a process started with this environment gets."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CELERY_", "CHECKS_", "PROCESSING_")) and k != "PYTEST_VERSION"
    }
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}, default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_it_derives_the_redelivery_and_the_lease_from_the_hard_time_limit():
    s = _settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert s["CELERY_TASK_TIME_LIMIT"] == 180
    # Minutes, not Redis's hour; never before a live task could have finished.
    assert s["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] == 240
    assert s["CHECKS_RUNNING_LEASE_SECONDS"] == 210
    assert s["PROCESSING_DRAIN_SECONDS"] == 60
    sweep = s["CELERY_BEAT_SCHEDULE"]["processing-sweep"]
    assert (sweep["task"], sweep["schedule"]) == ("articles.processing_sweep", 60)

    s = _settings(
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CELERY_TASK_TIME_LIMIT="600",
        CELERY_TASK_SOFT_TIME_LIMIT="500",
    )
    assert s["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] == 660
    assert s["CHECKS_RUNNING_LEASE_SECONDS"] == 630
    assert s["PROCESSING_DRAIN_SECONDS"] == 250


def test_it_takes_each_derived_value_from_the_environment_when_given():
    s = _settings(
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CELERY_VISIBILITY_TIMEOUT="900",
        CHECKS_RUNNING_LEASE_SECONDS="300",
        PROCESSING_DRAIN_SECONDS="30",
        PROCESSING_SWEEP_SECONDS="15",
    )
    assert s["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] == 900
    assert s["CHECKS_RUNNING_LEASE_SECONDS"] == 300
    assert s["PROCESSING_DRAIN_SECONDS"] == 30
    assert s["CELERY_BEAT_SCHEDULE"]["processing-sweep"]["schedule"] == 15


def test_every_task_runs_under_the_limits_the_derived_values_assume():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    limits = {
        name: (task.soft_time_limit, task.time_limit)
        for name, task in app.tasks.items()
        if not name.startswith("celery.")
    }
    assert "checks.check_batch" in limits and "extraction.extract_pending" in limits
    expected = (settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT)
    assert {name: expected for name in limits} == limits
