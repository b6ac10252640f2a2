"""`manage.py loadseeds`: the demo knowledge base and articles from seeds/ (idempotent)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.articles.seeds import SEEDS_DIR, seeds_load
from apps.knowledge.services import KnowledgeError


class Command(BaseCommand):
    help = "Load the knowledge base and the articles in seeds/ (a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=SEEDS_DIR)

    def handle(self, *args, directory: Path, **options):
        try:
            result = seeds_load(directory=directory)
        except KnowledgeError as exc:
            raise CommandError(f"{exc.message}\nNothing was loaded.") from exc
        self.stdout.write(result.summary())
