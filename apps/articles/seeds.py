"""The demo data in `seeds/`: a knowledge base in Wikidata entity JSON (`kb*.json`, imported
through the Wikidata import) and articles listed in `articles.json` (imported through
`article_import` with `external_id = "seed:<file>"`). Loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from apps import errors
from apps.articles.models import Article
from apps.articles.services import ArticleError, article_import
from apps.knowledge.services import KnowledgeError
from apps.knowledge.wikidata_import import KbImportResult, kb_import_files

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"


class SeedsError(KnowledgeError, errors.Invalid):
    """The seeds directory is not as described in seeds/README.md; nothing was loaded."""


@dataclass
class SeedsResult:
    kb: KbImportResult
    articles_created: list[str] = field(default_factory=list)
    articles_updated: list[str] = field(default_factory=list)
    articles_unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"knowledge base: {self.kb.summary()}\n"
            f"articles: {len(self.articles_created)} created, {len(self.articles_updated)} "
            f"updated, {len(self.articles_unchanged)} unchanged"
        )


def _article_specs(directory: Path) -> list[dict]:
    path = directory / "articles.json"
    try:
        specs = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except ValueError as exc:
        raise SeedsError(f"{path}: invalid JSON ({exc})")
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise SeedsError(f"{path}: expected a list of article objects")
    for number, spec in enumerate(specs, start=1):
        missing = {"file", "title"} - set(spec)
        if missing:
            raise SeedsError(f"{path}: article {number} lacks {', '.join(sorted(missing))}")
    return specs


def _date(value: object, *, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SeedsError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")


@transaction.atomic
def seeds_load(*, directory: Path = SEEDS_DIR, user=None) -> SeedsResult:
    """Load the knowledge base, then the articles, in one transaction."""
    kb_files = sorted(directory.glob("kb*.json")) + sorted(directory.glob("kb*.json.gz"))
    kb_files += sorted(directory.glob("kb*.json.bz2"))
    kb = kb_import_files(paths=kb_files)
    result = SeedsResult(kb=kb)
    for spec in _article_specs(directory):
        name = str(spec["file"])
        body_path = directory / name
        if body_path.resolve().parent != directory.resolve():
            raise SeedsError(f"{directory / 'articles.json'}: {name!r} is not a file in seeds/")
        try:
            body = body_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SeedsError(f"{body_path}: cannot read the article body ({exc})")
        external_id = f"seed:{name}"
        before = (
            Article.objects.filter(external_id=external_id)
            .values_list("revision", "updated_at")
            .first()
        )
        try:
            article = article_import(
                title=spec["title"],
                body=body,
                source=spec.get("source", ""),
                byline=spec.get("byline", ""),
                url=spec.get("url", ""),
                language=spec.get("language", "en"),
                published_on=_date(spec.get("published_on"), where=name),
                event_on=_date(spec.get("event_on"), where=name),
                external_id=external_id,
                created_by=user,
            )
        except ArticleError as exc:
            raise SeedsError(f"{body_path}: {exc.message}")
        if before is None:
            result.articles_created.append(external_id)
        else:
            article.refresh_from_db(fields=["revision", "updated_at"])
            if (article.revision, article.updated_at) == before:
                result.articles_unchanged.append(external_id)
            else:
                result.articles_updated.append(external_id)
    return result
