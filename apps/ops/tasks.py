from __future__ import annotations

import os
import socket

from celery import shared_task

from apps.ops.models import WorkerHeartbeat


@shared_task(name="ops.heartbeat")
def heartbeat(*, token: str) -> None:
    """Written by the worker process so that a sender can see the task was really processed."""
    WorkerHeartbeat.objects.get_or_create(
        token=token, defaults={"hostname": socket.gethostname(), "pid": os.getpid()}
    )
