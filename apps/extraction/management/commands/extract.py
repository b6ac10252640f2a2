"""`manage.py extract [--all | ARTICLE_UUID …]`: run automatic pre-annotation now, in this process."""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand, CommandError

from apps.extraction.selectors import article_ids_all, article_ids_by_uuid
from apps.extraction.services import articles_extract


class Command(BaseCommand):
    help = (
        "Propose dates, entity mentions, titles of office, quotes and candidate claims for the "
        "given articles (by id) or --all. Annotations a person created, edited or reviewed are "
        "kept as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("articles", nargs="*", metavar="ARTICLE_UUID")
        parser.add_argument("--all", action="store_true", help="every article")

    def handle(self, *args, articles: list[str], all: bool, **options):
        if all == bool(articles):
            raise CommandError("Give article ids (UUIDs) or --all, not both and not neither.")
        if all:
            ids = article_ids_all()
        else:
            wanted: list[uuid.UUID] = []
            bad = []
            for text in articles:
                try:
                    wanted.append(uuid.UUID(text))
                except ValueError:
                    bad.append(text)
            if bad:
                raise CommandError(f"Not an article id (a UUID): {', '.join(bad)}")
            found = article_ids_by_uuid(wanted)
            missing = [str(key) for key in wanted if key not in found]
            if missing:
                raise CommandError(f"No article with id {', '.join(missing)}; nothing was done.")
            ids = [found[key] for key in dict.fromkeys(wanted)]
        results = articles_extract(article_ids=ids)
        created = sum(sum(r.created.values()) for r in results)
        kept = sum(sum(r.kept.values()) for r in results)
        deleted = sum(sum(r.deleted.values()) for r in results)
        skipped = sum(sum(r.skipped.values()) for r in results)
        orphans = sum(sum(r.orphans.values()) for r in results)
        self.stdout.write(
            f"Extracted {len(results)} article(s): {created} proposals created, {kept} unchanged, "
            f"{deleted} replaced proposals removed, {skipped} skipped over annotations people "
            f"had touched, {orphans} orphaned proposals left for review."
        )
