"""Writes for articles: import (normalise, size limit), metadata and body edits."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps import errors
from apps.accounts import roles
from apps.annotations.services import spans_reanchor
from apps.articles import processing
from apps.articles.models import Article, ArticleRevision


class ArticleError(errors.DomainError):
    """A request about an article that cannot be carried out; the message is for the user
    (invalid input, HTTP 400/422, unless a subclass says otherwise)."""


class ArticleTooLarge(ArticleError, errors.TooLarge):
    pass


class ArticleNotAllowed(ArticleError, errors.NotAllowed):
    """The user's role forbids this (HTTP 403)."""


class ArticleConflict(ArticleError, errors.Conflict):
    """Someone else saved the article first (HTTP 409; the API names the field "revision")."""

    def __init__(self, message: str, *, current: Article, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message, current=current, field="revision")
        self.fields = fields  # for a metadata edit: the fields someone else changed meanwhile


def body_normalize(text: str) -> str:
    """The canonical body: Unicode NFC, `\\n` newlines, no trailing whitespace at the end.
    Offsets of every annotation point into this form."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return text.rstrip()


def body_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# What a decoder leaves for bytes that were not UTF-8. Django decodes form fields (and the text
# fields of a multipart upload) with errors="replace", so bytes in another encoding arrive as
# this character instead of an error; the text has lost characters and is refused.
REPLACEMENT_CHARACTER = "\ufffd"


def _no_replacement_character(name: str, value: str, *, field: str) -> None:
    if REPLACEMENT_CHARACTER in value:
        line = value[: value.index(REPLACEMENT_CHARACTER)].count("\n") + 1
        where = f" on line {line}" if "\n" in value else ""
        raise ArticleError(
            f"The {name} contains the replacement character � (U+FFFD){where}: it was not valid "
            "UTF-8 when it was sent, and characters were lost. Send it again encoded as UTF-8.",
            field=field,
        )


def _checked_body(raw: str) -> str:
    if "\x00" in raw:
        raise ArticleError("The text contains NUL characters; is it a binary file?", field="body")
    _no_replacement_character("text", raw, field="body")
    body = body_normalize(raw)
    if not body.strip():
        raise ArticleError("The article body is empty.", field="body")
    limit = settings.ARTICLE_MAX_CHARS
    if len(body) > limit:
        raise ArticleTooLarge(
            f"The article body has {len(body):,} characters; the limit is {limit:,} (ARTICLE_MAX_CHARS). "
            "Split it into several articles.",
            field="body",
        )
    return body


def _checked_title(title: str) -> str:
    if "\x00" in (title or ""):
        raise ArticleError("The title contains NUL characters.", field="title")
    _no_replacement_character("title", title or "", field="title")
    title = unicodedata.normalize("NFC", " ".join((title or "").split()))
    if not title:
        raise ArticleError("An article needs a title.", field="title")
    if len(title) > 500:
        raise ArticleError("The title is longer than 500 characters.", field="title")
    return title


_TEXT_FIELDS = ("source", "byline", "url", "language", "external_id")


def _checked_text(name: str, value: Any) -> Any:
    """Metadata text: stripped, NFC, never NUL (PostgreSQL cannot store it)."""
    if not isinstance(value, str):
        return value
    if "\x00" in value:
        raise ArticleError(f"The {name} contains NUL characters.", field=name)
    _no_replacement_character(name.replace("_", " "), value, field=name)
    return unicodedata.normalize("NFC", value.strip())


def _full_clean(article: Article) -> None:
    """Model validation (URL, lengths, choices) as an ArticleError naming the field."""
    try:
        article.full_clean(exclude=["body_sha256", "created_by"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = "article" if field == "__all__" else field.replace("_", " ")
        raise ArticleError(
            f"{label}: {' '.join(messages)}", field=None if field == "__all__" else field
        ) from None


def _require_annotator(user, action: str) -> None:
    """`user=None` is the system (seed loader, commands); a person or an API key's service user
    needs the annotator or editor role."""
    if user is not None and not roles.can_annotate(user):
        raise ArticleNotAllowed(f"Only annotators and editors can {action}.")


def _after_body_change(article: Article) -> None:
    """The new body needs extraction, then checks: recorded with the change, run in the worker
    after commit (apps.articles.processing)."""
    processing.extraction_request(article_ids=[article.pk])
    article.refresh_from_db(fields=processing.STATE_FIELDS)


@transaction.atomic
def article_import(
    *,
    title: str,
    body: str,
    source: str = "",
    byline: str = "",
    url: str = "",
    language: str = "en",
    published_on: dt.date | None = None,
    event_on: dt.date | None = None,
    external_id: str | None = None,
    created_by=None,
) -> Article:
    """Create an article (or, for a known `external_id`, update it) from raw text."""
    _require_annotator(created_by, "import articles")
    clean_body = _checked_body(body)
    clean_title = _checked_title(title)
    source, byline, url, language = (
        _checked_text(name, value)
        for name, value in (
            ("source", source),
            ("byline", byline),
            ("url", url),
            ("language", language),
        )
    )
    external_id = _checked_text("external_id", external_id) or None
    if external_id:
        existing = Article.objects.select_for_update().filter(external_id=external_id).first()
        if existing is not None:
            article_update_metadata(
                article=existing,
                user=created_by,
                title=clean_title,
                source=source,
                byline=byline,
                url=url,
                language=language,
                published_on=published_on,
                event_on=event_on,
            )
            if existing.body != clean_body:
                article_update_body(
                    article=existing,
                    body=clean_body,
                    user=created_by,
                    expected_revision=existing.revision,
                )
            return existing
    article = Article(
        title=clean_title,
        body=clean_body,
        body_sha256=body_sha256(clean_body),
        source=source or "",
        byline=byline or "",
        url=url or "",
        language=language or "en",
        published_on=published_on,
        event_on=event_on,
        external_id=external_id,
        created_by=created_by,
    )
    _full_clean(article)
    article._history_user = created_by
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        # Two pushes of the same new external_id at once: the other one created it first.
        current = Article.objects.filter(external_id=external_id).first()
        if external_id is None or current is None:
            raise
        raise ArticleConflict(
            f"An article with external id {external_id!r} was created at the same moment by "
            "another request. Send it again to update that article.",
            current=current,
        ) from None
    ArticleRevision.objects.create(
        article=article,
        number=1,
        title=article.title,
        body=article.body,
        body_sha256=article.body_sha256,
        created_by=created_by,
        note="imported",
    )
    _after_body_change(article)
    return article


@transaction.atomic
def article_update_metadata(
    *, article: Article, user, seen: dict[str, Any] | None = None, **fields: Any
) -> Article:
    """Change title and metadata (never the body: see article_update_body). Only the fields that
    differ are written, on the locked row, so a stale `article` cannot undo someone's edit.
    `seen`: the values the person saw for the fields they change; when someone else changed one
    of those since (to something else than this edit), nothing is written (ArticleConflict
    naming the fields)."""
    allowed = {"title", "source", "byline", "url", "language", "published_on", "event_on", "status"}
    unknown = set(fields) - allowed
    if unknown:
        raise ArticleError(f"Cannot change {', '.join(sorted(unknown))} here.")
    _require_annotator(user, "change an article's details")
    if "title" in fields:
        fields["title"] = _checked_title(fields["title"])
    for name in _TEXT_FIELDS:
        if name in fields:
            fields[name] = _checked_text(name, fields[name]) or ""
    if "language" in fields and not fields["language"]:
        fields["language"] = "en"
    if (
        fields.get("status") == Article.Status.CHECKED
        and user is not None
        and not roles.can_review(user)
    ):
        raise ArticleNotAllowed("Only reviewers and editors can mark an article as checked.")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    clashes = tuple(
        name
        for name, value in fields.items()
        if seen is not None and name in seen and getattr(locked, name) not in (seen[name], value)
    )
    if clashes:
        raise ArticleConflict(
            f"Someone else changed {', '.join(n.replace('_', ' ') for n in clashes)} since you "
            "opened the form; nothing was saved.",
            current=locked,
            fields=clashes,
        )
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, fields[name])
    _full_clean(locked)
    locked._change_reason = "metadata edited"
    locked._history_user = user
    locked.save(update_fields=[*changed, "updated_at"])
    for name in changed:
        setattr(article, name, getattr(locked, name))
    if {"published_on", "event_on"} & set(changed):
        processing.checks_request(article_ids=[locked.pk])
        locked.refresh_from_db(fields=processing.STATE_FIELDS)
    return locked


@transaction.atomic
def article_update_body(
    *, article: Article, body: str, user, expected_revision: int, note: str = ""
) -> Article:
    """Replace the body: keep the old one as a revision, re-anchor every annotation."""
    _require_annotator(user, "edit an article's text")
    if "\x00" in (note or ""):
        raise ArticleError("The note contains NUL characters.", field="note")
    clean_body = _checked_body(body)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.revision != expected_revision:
        raise ArticleConflict(
            f"The article was changed by someone else (now at revision {locked.revision}, you edited "
            f"revision {expected_revision}). Reload it and apply your edit again.",
            current=locked,
        )
    if locked.body == clean_body:
        return locked
    old_body = locked.body
    # Revision n holds the body as it was at n. An article made without article_import (admin,
    # fixtures, older data) may lack its current one: keep that body before replacing it.
    ArticleRevision.objects.get_or_create(
        article=locked,
        number=locked.revision,
        defaults={
            "title": locked.title,
            "body": old_body,
            "body_sha256": body_sha256(old_body),
            "note": "kept before an edit",
        },
    )
    locked.body = clean_body
    locked.body_sha256 = body_sha256(clean_body)
    locked.revision += 1
    locked._change_reason = (note or "").strip() or "body edited"
    locked._history_user = user
    locked.save()
    ArticleRevision.objects.create(
        article=locked,
        number=locked.revision,
        title=locked.title,
        body=clean_body,
        body_sha256=locked.body_sha256,
        created_by=user,
        note=(note or "").strip(),
    )
    spans_reanchor(article=locked, old_body=old_body, user=user)
    _after_body_change(locked)
    article.refresh_from_db()
    return locked
