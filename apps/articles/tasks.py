"""Celery task of the articles app: the processing sweep (beat, every PROCESSING_SWEEP_SECONDS)."""

from __future__ import annotations

from celery import shared_task

from apps.articles import processing


@shared_task(name="articles.processing_sweep", acks_late=True, reject_on_worker_lost=True)
def processing_sweep() -> None:
    processing.processing_sweep()
