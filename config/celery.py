"""The Celery application. Tasks live in each app's tasks.py and are found by autodiscovery."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("factdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="factdesk.ping")
def ping(*, token: str) -> str:
    """Answers with the token: used by /healthz-style checks and the real-worker test."""
    return f"pong:{token}"
