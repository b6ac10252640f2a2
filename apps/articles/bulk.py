"""Bulk import: many articles in one request, all or nothing (POST /api/v1/articles/bulk).

Each item is checked as the single import checks it (apps.articles.services.article_import: the
same normalisation, the same limits, the same model rules) before anything is written; one bad
item and nothing is, and BulkImportError names every bad item by index and field. An item whose
`external_id` is known updates that article through the very services of the single import
(article_update_metadata, article_update_body: a new revision, annotations re-anchored, nothing
a person did lost); an item that changes nothing writes nothing. New articles are inserted
together — articles and their history rows — and their extraction is requested
once for all of them (written with their rows, one message after commit:
apps.articles.processing.extraction_request_new).

Why plain checks and not a serializer per item: 1,000 articles through DRF's fields took
~600 ms; these checks of the same rules take ~30 ms (bench/bulk_import.py, bench/README.md)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from apps.articles import processing
from apps.articles.models import Article
from apps.articles.services import (
    _IMPORT_DEFAULTS,
    ArticleConflict,
    ArticleError,
    _checked_body,
    _checked_text,
    _checked_title,
    _require_annotator,
    article_update_body,
    article_update_metadata,
)
from apps.bulk_rows import history_copy, insert_fields, rows_insert
from apps.errors import Conflict, InvalidItems, TooLarge

# The fields of an item: those of the single import's JSON body (ArticleIn) but `file`.
FIELDS = (
    "title",
    "body",
    "source",
    "byline",
    "url",
    "language",
    "published_on",
    "event_on",
    "external_id",
)
METADATA_FIELDS = ("title", "source", "byline", "url", "language", "published_on", "event_on")
# Article's column lengths (checked here: bulk_create skips the model's validation).
_MAX_LENGTHS = {"source": 200, "byline": 300, "url": 2000, "language": 16, "external_id": 200}
# Text fields that may be empty (as in ArticleIn); language and external_id may not.
_BLANK_OK = {"source", "byline", "url"}
_URL = URLValidator()
URL_MESSAGE = (
    "Enter a web address that starts with http:// or https://, like https://example.org/report."
)
# Most ids in one `IN (…)`: far below SQLite's and PostgreSQL's limits on parameters.
_LOOKUP_CHUNK = 10_000


class BulkImportError(ArticleError, InvalidItems):
    """Some items are invalid, so nothing was imported. `errors` lists every problem as
    {"index", "field", "message"} (index into the request, from 0)."""


class BulkImportTooLarge(ArticleError, TooLarge):
    pass


class BulkImportConflict(ArticleError, Conflict):
    pass


@dataclass
class Imported:
    """One item's outcome: `result` is created, updated or unchanged; the article's public id,
    external id and revision after the import."""

    index: int
    uuid: uuid.UUID | None
    external_id: str | None
    revision: int
    result: str


def _text(name: str, value: Any, *, default: str | None) -> str | None:
    """A metadata string as the single import takes it: missing → default; otherwise a string
    (null only where the default is null), stripped, NFC, within the column's length."""
    if value is None:
        if default is None:
            return None
        raise ArticleError("This field may not be null.", field=name)
    if not isinstance(value, str):
        raise ArticleError("Not a valid string.", field=name)
    value = _checked_text(name, value)
    if not value and name not in _BLANK_OK:
        raise ArticleError("This field may not be blank.", field=name)
    if len(value) > _MAX_LENGTHS[name]:
        raise ArticleError(
            f"Ensure this field has no more than {_MAX_LENGTHS[name]} characters.", field=name
        )
    return value


def _date(name: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_date(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise ArticleError(
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.", field=name
        )
    return parsed


def _clean_item(item: Any, index: int, errors: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The item's fields as article_import would store them, or None with its errors added."""
    if not isinstance(item, dict):
        errors.append({"index": index, "field": None, "message": "Each article is a JSON object."})
        return None
    before = len(errors)
    for name in item:
        if name not in FIELDS:
            errors.append(
                {
                    "index": index,
                    "field": name,
                    "message": f"Unknown field {name!r}; an article has {', '.join(FIELDS)}.",
                }
            )
    clean: dict[str, Any] = {}
    for name, check in _CHECKS:
        try:
            clean[name] = check(item.get(name, _MISSING))
        except ArticleError as exc:
            errors.append({"index": index, "field": exc.field or name, "message": exc.message})
    return clean if len(errors) == before else None


_MISSING: Any = object()


def _required_text(name: str, check):
    def run(value: Any) -> str:
        if value is _MISSING or value is None:
            raise ArticleError("This field is required.", field=name)
        if not isinstance(value, str):
            raise ArticleError("Not a valid string.", field=name)
        return check(value)

    return run


def _optional_text(name: str, default: str | None):
    """Left out: _MISSING (a known article keeps its value, a new one takes `default`)."""

    def run(value: Any) -> str | None:
        if value is _MISSING:
            return _MISSING
        return _text(name, value, default=default)

    return run


# URLValidator's pattern is "scheme://[user@]host[:port]" then, optionally, one of / ? # and any
# non-whitespace; its other checks (hostname length, IPv6, IDNA) read the same host part. So a
# URL is valid iff its part before the first / ? # after "://" is, and the rest is one of those
# characters followed by non-whitespace (and the whole is within the validator's 2,048). The
# part before is validated once (cached: the articles of a source share it); URLValidator costs
# ~40 µs a call, most of a 1,000-article import's checks.
_URL_SPLIT = re.compile(r"([^/?#]*://[^/?#]*)((?:[/?#]\S*)?)\Z", re.DOTALL)


def _url_valid(url: str) -> bool:
    match = _URL_SPLIT.match(url)
    if match is None or "@" in url or len(url) > _URL.max_length:
        return _url_validates(url)  # user info (may hold ? or #), or unusual: the whole of it
    return _url_validates(match.group(1))


@functools.lru_cache(maxsize=4096)  # a pure function of its text: safe to share across threads
def _url_validates(url: str) -> bool:
    try:
        _URL(url)
    except ValidationError:
        return False
    return True


def _url(value: Any) -> str:
    url = _optional_text("url", "")(value)
    if url is _MISSING:
        return url
    if url and not _url_valid(url):
        raise ArticleError(URL_MESSAGE, field="url")
    return url or ""


def _language(value: Any) -> str:
    language = _optional_text("language", "en")(value)
    return language if language is _MISSING else language or "en"


def _optional_date(name: str):
    def run(value: Any) -> dt.date | None:
        return _MISSING if value is _MISSING else _date(name, value)

    return run


def _external_id(value: Any) -> str | None:
    return None if value is _MISSING else _text("external_id", value, default=None)


_CHECKS = (
    ("title", _required_text("title", _checked_title)),
    ("body", _required_text("body", _checked_body)),
    ("source", _optional_text("source", "")),
    ("byline", _optional_text("byline", "")),
    ("url", _url),
    ("language", _language),
    ("published_on", _optional_date("published_on")),
    ("event_on", _optional_date("event_on")),
    ("external_id", _external_id),
)


def _checked_items(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise BulkImportError(
            "Send a JSON list of articles (or JSON Lines: one article per line).",
            errors=[{"index": None, "field": None, "message": "A JSON list is expected."}],
        )
    if not items:
        raise ArticleError("Send at least one article.")
    limit = settings.BULK_IMPORT_MAX_ITEMS
    if len(items) > limit:
        # Refused before checking each item: the cap bounds the work of one request.
        raise BulkImportTooLarge(
            f"{len(items):,} articles in one request; the limit is {limit:,} "
            "(BULK_IMPORT_MAX_ITEMS). Split them over several requests."
        )
    errors: list[dict[str, Any]] = []
    cleaned: list[dict[str, Any]] = []
    first_of: dict[str, int] = {}
    for index, item in enumerate(items):
        clean = _clean_item(item, index, errors)
        if clean is None:
            continue
        external_id = clean["external_id"]
        if external_id is not None:
            first = first_of.setdefault(external_id, index)
            if first != index:
                errors.append(
                    {
                        "index": index,
                        "field": "external_id",
                        "message": f"External id {external_id!r} is also item {first}'s: send "
                        "each article once per import.",
                    }
                )
                continue
        cleaned.append(clean)
    if errors:
        first = errors[0]
        where = f"item {first['index']}" + (f", {first['field']}" if first["field"] else "")
        bad = len({e["index"] for e in errors})
        raise BulkImportError(
            f"{bad} of {len(items)} articles are invalid; nothing was imported. "
            f"First: {where}: {first['message']}",
            errors=errors,
        )
    return cleaned


def _update(*, article: Article, clean: dict[str, Any], user) -> str:
    """A known external_id: through the single import's services, only when something differs.
    The fields the item leaves out are kept as they are."""
    metadata = {name: clean[name] for name in METADATA_FIELDS if clean[name] is not _MISSING}
    metadata_changed = any(getattr(article, name) != value for name, value in metadata.items())
    # By hash: the stored bodies are not loaded (a re-push of 1,000 unchanged articles would
    # read 3 MB for nothing); article_update_body compares the locked row's body itself.
    body_changed = article.body_sha256 != clean["body_sha256"]
    if not metadata_changed and not body_changed:
        return "unchanged"
    if metadata_changed:
        article_update_metadata(article=article, user=user, **metadata)
    if body_changed:
        article_update_body(
            article=article, body=clean["body"], user=user, expected_revision=article.revision
        )
    return "updated"


@transaction.atomic
def articles_import_bulk(*, items: Any, created_by) -> list[Imported]:
    """Import many articles at once (a list of dicts, as the JSON of the single import): all or
    nothing. Known `external_id`s update their article (as article_import does), new ones are
    created with their history row (revision 1); extraction is requested once for the batch.
    Returns each item's article and outcome, in request order."""
    _require_annotator(created_by, "import articles")
    cleaned = _checked_items(items)
    external_ids = [c["external_id"] for c in cleaned if c["external_id"] is not None]
    existing: dict[str, Article] = {}
    for start in range(0, len(external_ids), _LOOKUP_CHUNK):
        chunk = external_ids[start : start + _LOOKUP_CHUNK]
        existing.update(
            (a.external_id, a)
            for a in Article.objects.select_for_update().filter(external_id__in=chunk).defer("body")
        )
    outcomes: list[Imported] = []
    new: list[dict[str, Any]] = []
    for index, clean in enumerate(cleaned):
        clean["body_sha256"] = hashlib.sha256(clean["body"].encode("utf-8")).hexdigest()
        current = existing.get(clean["external_id"]) if clean["external_id"] else None
        if current is not None:
            try:
                result = _update(article=current, clean=clean, user=created_by)
            except ArticleConflict:
                raise
            except ArticleError as exc:
                raise BulkImportError(
                    f"Item {index} could not be imported: {exc.message} Nothing was imported.",
                    errors=[{"index": index, "field": exc.field, "message": exc.message}],
                ) from None
            outcomes.append(
                Imported(
                    index=index,
                    uuid=current.uuid,
                    external_id=current.external_id,
                    revision=current.revision,
                    result=result,
                )
            )
            continue
        # What a new article gets for a field the item leaves out (a known one keeps its own).
        for name, default in _IMPORT_DEFAULTS.items():
            if clean[name] is _MISSING:
                clean[name] = default
        new.append(clean)
        outcomes.append(
            Imported(
                index=index,
                uuid=None,
                external_id=clean["external_id"],
                revision=1,
                result="created",
            )
        )
    if new:
        uuids = iter(_create(new, created_by=created_by))
        for outcome in outcomes:
            if outcome.result == "created":
                outcome.uuid = next(uuids)
    return outcomes


def _create(cleaned: list[dict[str, Any]], *, created_by) -> list[uuid.UUID]:
    """Insert the new articles and their history rows (as article.save() writes them: "+", by the
    importer), and request their extraction; returns their uuids in order. No revision row, as
    in article_import: ArticleRevision holds earlier bodies only.

    The rows are those `Article(**clean).save()` writes, built without a model instance per
    article (the constructor's defaults for ~30 fields were a fifth of a 1,000-article import):
    one instance gives the value of every column an item does not set, the same in every row
    (the extraction request too: processing.extraction_request_new sets it on the instance, to
    be written with the rows; one message after commit); each row takes its item's values and a
    new uuid4. One statement per table (apps.bulk_rows): bulk_create compiled every value into
    SQL (about 0.5 s of the 0.9 s a 1,000-article import took, bench/README.md); the history
    rows are copied by the database from the inserted articles."""
    now = timezone.now()
    user_id = created_by.pk if created_by is not None else None
    template = Article(created_by_id=user_id, created_at=now, updated_at=now)
    processing.extraction_request_new(articles=[template])
    fields = insert_fields(Article)
    from_item = [f for f in fields if f.attname in _ITEM_COLUMNS]
    same = {f: getattr(template, f.attname) for f in fields if f.attname not in _ITEM_COLUMNS}
    names = [f.attname for f in from_item]
    randomness = os.urandom(16 * len(cleaned))  # one call for every uuid4
    uuids = [
        uuid.UUID(bytes=randomness[16 * i : 16 * i + 16], version=4) for i in range(len(cleaned))
    ]
    for clean, new_id in zip(cleaned, uuids, strict=True):
        clean["uuid"] = new_id
    # On SQLite this transaction holds the write lock: the articles after the last id are ours.
    last = (
        Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if connection.vendor == "sqlite"
        else None
    )
    try:
        with transaction.atomic():
            rows_insert(
                Article, from_item, ([clean[n] for n in names] for clean in cleaned), same=same
            )
    except IntegrityError:
        # Another request created one of these external_ids at the same moment.
        taken = Article.objects.filter(
            external_id__in=[clean["external_id"] for clean in cleaned if clean["external_id"]]
        ).values_list("external_id", flat=True)[:5]
        raise BulkImportConflict(
            f"Articles with external ids {', '.join(map(repr, taken)) or '(unknown)'} were "
            "created at the same moment by another request; nothing was imported. Send the "
            "import again: those articles will be updated."
        ) from None
    inserted = (
        Article.objects.filter(pk__gt=last)
        if last is not None
        else Article.objects.filter(uuid__in=uuids)
    )
    copied = history_copy(inserted, user_id=user_id, date=now)
    if copied is not None and copied != len(cleaned):  # never: then nothing is imported
        raise RuntimeError(f"{copied} history rows for {len(cleaned)} new articles")
    return uuids


# The columns of a new article an item gives (the others are the same in every new row).
_ITEM_COLUMNS = frozenset({*FIELDS, "uuid", "body_sha256"})
