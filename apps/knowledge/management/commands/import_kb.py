"""`manage.py import_kb FILE…`: load Wikidata entity JSON (document, array or dump; plain, .gz
or .bz2) into the knowledge base, all files in one transaction."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.knowledge.services import KnowledgeError
from apps.knowledge.wikidata_import import kb_import_files

MAX_WARNINGS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Import Wikidata entity JSON files (Special:EntityData documents, JSON arrays or dumps; "
        "plain, .gz or .bz2). Re-importing updates in place; a malformed file imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Entities written per batch (500)."
        )

    def handle(self, *args, files, batch_size, **options):
        try:
            result = kb_import_files(paths=files, batch_size=max(1, batch_size))
        except KnowledgeError as exc:
            raise CommandError(f"{exc.message}\nNothing was imported.") from exc
        for warning in result.warnings[:MAX_WARNINGS_SHOWN]:
            self.stderr.write(f"warning: {warning}")
        if len(result.warnings) > MAX_WARNINGS_SHOWN:
            self.stderr.write(f"… and {len(result.warnings) - MAX_WARNINGS_SHOWN} more warnings")
        self.stdout.write(result.summary())
