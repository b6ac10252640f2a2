"""`manage.py kb_sync`: fill the knowledge base from Wikidata (offices, their holders, the countries
they belong to), incrementally. See apps/knowledge/sync.py."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.knowledge.services import KnowledgeError
from apps.knowledge.sync import PRESETS, kb_sync_run

MAX_WARNINGS_SHOWN = 20
MAX_CHANGES_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Sync offices and the people who held them from Wikidata into the knowledge base. "
        "Presets: "
        + "; ".join(f"{p.name}: {p.description}" for p in PRESETS.values())
        + ". Entities whose Wikidata revision has not changed are not rewritten."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--preset", action="append", default=[], choices=sorted(PRESETS), metavar="NAME"
        )
        parser.add_argument(
            "--office", nargs="+", default=[], metavar="QID", help="Offices and their holders."
        )
        parser.add_argument(
            "--person", nargs="+", default=[], metavar="QID", help="People and their offices."
        )
        parser.add_argument(
            "--since", type=int, default=None, metavar="YEAR", help="Holders since this year."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Fetch and compare, write nothing."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar, even on a terminal."
        )

    def handle(self, *args, preset, office, person, since, dry_run, no_progress, **options):
        bars: dict[str, tqdm] = {}
        show = not no_progress and sys.stderr.isatty() and options.get("verbosity", 1) > 0

        def progress(phase: str, done: int, total: int) -> None:
            if not show:
                return
            bar = bars.get(phase)
            if bar is None:
                unit = "batch" if phase == "writing" else "req"
                bar = bars[phase] = tqdm(total=total, desc=phase, unit=unit, leave=False)
            bar.total = total
            bar.n = done
            bar.refresh()
            if done >= total:
                bar.close()

        try:
            report = kb_sync_run(
                presets=preset,
                offices=office,
                people=person,
                since=since,
                dry_run=dry_run,
                progress=progress,
            )
        except KnowledgeError as exc:
            raise CommandError(exc.message) from exc
        finally:
            for bar in bars.values():
                bar.close()
        for warning in report.warnings[:MAX_WARNINGS_SHOWN]:
            self.stderr.write(f"warning: {warning}")
        if len(report.warnings) > MAX_WARNINGS_SHOWN:
            self.stderr.write(f"… and {len(report.warnings) - MAX_WARNINGS_SHOWN} more warnings")
        if dry_run:
            changes = report.result.changes
            for outcome, kind, label, qid in changes[:MAX_CHANGES_SHOWN]:
                verb = "add" if outcome == "added" else "change"
                self.stdout.write(f"would {verb} {kind} {label} ({qid})")
            if len(changes) > MAX_CHANGES_SHOWN:
                self.stdout.write(f"… and {len(changes) - MAX_CHANGES_SHOWN} more")
        self.stdout.write(report.summary())
