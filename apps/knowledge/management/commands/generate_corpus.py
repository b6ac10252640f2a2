"""`manage.py generate_corpus --articles N --seed S [--kb-entities M]`: the benchmark corpus and
its ground truth (see bench/corpus.py and bench/README.md)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Generate a reproducible corpus of news articles about the KB's people (bulk inserts, no "
        "tasks queued) and its ground truth in var/corpus/<seed>/truth.jsonl."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--kb-entities",
            type=int,
            default=None,
            help="First add synthetic people, offices and tenures until the KB has this many entities.",
        )
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--out", type=Path, default=None, help="Truth directory (default var/corpus/<seed>)."
        )

    def handle(self, *args, articles, seed, kb_entities, batch_size, out, **options):
        from bench.corpus import generate_corpus

        if articles < 0:
            raise CommandError("--articles must be 0 or more.")
        out_dir = out or Path(settings.VAR_DIR) / "corpus" / str(seed)
        try:
            result = generate_corpus(
                articles=articles,
                seed=seed,
                out_dir=out_dir,
                kb_entities=kb_entities,
                batch_size=max(1, batch_size),
                progress=(lambda text: self.stderr.write(text))
                if options["verbosity"] > 1
                else None,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
