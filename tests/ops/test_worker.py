"""A real Celery worker process answers a real task over the configured broker."""

from __future__ import annotations

import os
import uuid

import pytest

from apps.ops.models import WorkerHeartbeat
from apps.ops.tasks import heartbeat

pytestmark = pytest.mark.worker


def test_it_processes_a_task_in_a_separate_worker_process(worker):
    token = uuid.uuid4().hex
    heartbeat.delay(token=token)
    worker.wait_for(
        lambda: WorkerHeartbeat.objects.filter(token=token).exists(), timeout=60, what="heartbeat"
    )
    beat = WorkerHeartbeat.objects.get(token=token)
    assert beat.pid != os.getpid()
    assert beat.pid == worker.process.pid
