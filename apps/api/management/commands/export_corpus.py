"""`manage.py export_corpus --format jsonl|w3c [filters] --out FILE`: the bytes of
GET /api/v1/articles/export with the same filters, written to a file atomically (a temporary file
beside it, renamed when complete: a failed or interrupted export leaves FILE as it was)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from apps.api import corpus_export
from apps.api.filters import ArticleFilter
from apps.articles.models import Article

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


class Command(BaseCommand):
    help = (
        "Export the articles (all, or those of the article list's filters) as JSON Lines or as a "
        "W3C Web Annotation collection: the same bytes as GET /api/v1/articles/export."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=corpus_export.FORMATS, default="jsonl")
        parser.add_argument("--out", required=True, metavar="FILE", help="Where to write.")
        parser.add_argument(
            "--base-url",
            default=DEFAULT_BASE_URL,
            help="The site's address, for the ids in the export (default "
            f"{DEFAULT_BASE_URL}); give the one your API clients use.",
        )
        for name, field in ArticleFilter.base_filters.items():
            parser.add_argument(_option(name), dest=f"filter_{name}", help=field.label)

    def handle(self, *args, **options):
        given = {
            name: options[f"filter_{name}"]
            for name in ArticleFilter.base_filters
            if options.get(f"filter_{name}") is not None
        }
        query = QueryDict(mutable=True)
        query.update(given)
        filterset = ArticleFilter(data=query, queryset=Article.objects.all())
        if not filterset.is_valid():
            problems = "; ".join(
                f"{_option(name)}: {' '.join(messages)}"
                for name, messages in filterset.errors.items()
            )
            raise CommandError(f"{problems}\nNothing was written.")
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"No directory {str(out.parent)!r} to write {out.name!r} in.")
        stream = corpus_export.corpus_export_stream(
            articles=filterset.qs,
            export_format=options["format"],
            base_url=options["base_url"],
            filters=given,
        )
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        size = 0
        try:
            with os.fdopen(handle, "wb") as file:
                for data in stream:
                    file.write(data)
                    size += len(data)
            umask = os.umask(0)  # read it (mkstemp made the file private): restored at once
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(f"Wrote {size:,} bytes to {out}.")
