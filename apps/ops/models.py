"""Operational records: proof that the background worker is alive and answering."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by the `factdesk.ping` task inside the worker process."""

    token = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # /healthz: the latest heartbeat.
            models.Index(fields=["-answered_at"], name="heartbeat_recent_idx"),
        ]
