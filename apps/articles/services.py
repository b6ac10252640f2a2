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
    if "\r" in text:  # one scan for the usual case; replace() scans for each pattern
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
    if not body:  # all whitespace: body_normalize stripped it all
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


class _Keep:
    """An argument the caller did not send: a new article takes the field's default, a known
    one (re-imported by `external_id`) keeps its value."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()
# What a new article gets for a field the import leaves out.
_IMPORT_DEFAULTS = {
    "source": "",
    "byline": "",
    "url": "",
    "language": "en",
    "published_on": None,
    "event_on": None,
}


@transaction.atomic
def article_import(
    *,
    title: str,
    body: str,
    source: str = KEEP,
    byline: str = KEEP,
    url: str = KEEP,
    language: str = KEEP,
    published_on: dt.date | None = KEEP,
    event_on: dt.date | None = KEEP,
    external_id: str | None = None,
    created_by=None,
) -> Article:
    """Create an article (or, for a known `external_id`, update it) from raw text.

    A metadata field left out (KEEP, the default) is kept as it is on a known article, and takes
    its default on a new one; one sent empty ("" or None) is cleared. Re-importing never blanks
    what a person entered unless the import says so."""
    _require_annotator(created_by, "import articles")
    clean_body = _checked_body(body)
    clean_title = _checked_title(title)
    sent = {
        name: value
        for name, value in (
            ("source", source),
            ("byline", byline),
            ("url", url),
            ("language", language),
            ("published_on", published_on),
            ("event_on", event_on),
        )
        if value is not KEEP
    }
    for name in ("source", "byline", "url", "language"):
        if name in sent:
            sent[name] = _checked_text(name, sent[name])
    external_id = _checked_text("external_id", external_id) or None
    if external_id:
        existing = Article.objects.select_for_update().filter(external_id=external_id).first()
        if existing is not None:
            article_update_metadata(article=existing, user=created_by, title=clean_title, **sent)
            if existing.body != clean_body:
                article_update_body(
                    article=existing,
                    body=clean_body,
                    user=created_by,
                    expected_revision=existing.revision,
                )
            return existing
    fields = {**_IMPORT_DEFAULTS, **sent}
    article = Article(
        title=clean_title,
        body=clean_body,
        body_sha256=body_sha256(clean_body),
        source=fields["source"] or "",
        byline=fields["byline"] or "",
        url=fields["url"] or "",
        language=fields["language"] or "en",
        published_on=fields["published_on"],
        event_on=fields["event_on"],
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
    # No revision row: ArticleRevision holds earlier bodies only (the current one is the
    # article's); article_update_body keeps this body under its number before replacing it.
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


def _revision_keep(locked: Article) -> None:
    """Keep the body of the article's current revision as ArticleRevision `number` before it is
    replaced. ArticleRevision holds earlier bodies only: the current body is the article's own
    (stored once; an import writes no revision row). Who made that revision and its note (the
    edit's reason, or "imported") come from the history record that made it; rows kept by
    earlier versions of the app (a revision row for the current body) are left as they are."""
    if ArticleRevision.objects.filter(article=locked, number=locked.revision).exists():
        return
    made = (
        Article.history.filter(id=locked.pk, revision=locked.revision)
        .order_by("history_date", "history_id")
        .values("history_type", "history_user_id", "history_change_reason", "title")
        .first()
    )
    title = made["title"] if made is not None else locked.title
    if made is None:  # made without history (fixtures, raw SQL)
        note, user_id = "kept before an edit", None
    elif made["history_type"] == "+":
        note, user_id = "imported", made["history_user_id"]
    else:
        note = made["history_change_reason"] or ""
        user_id = made["history_user_id"]
        if note == "body edited":  # the default reason: the person gave no note
            note = ""
    ArticleRevision.objects.create(
        article=locked,
        number=locked.revision,
        title=title,
        body=locked.body,
        body_sha256=locked.body_sha256 or body_sha256(locked.body),
        created_by_id=user_id,
        note=note,
    )


@transaction.atomic
def article_update_body(
    *, article: Article, body: str, user, expected_revision: int, note: str = ""
) -> Article:
    """Replace the body: keep the old one as a revision (ArticleRevision holds earlier bodies
    only), re-anchor every annotation."""
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
    _revision_keep(locked)
    locked.body = clean_body
    locked.body_sha256 = body_sha256(clean_body)
    locked.revision += 1
    locked._change_reason = (note or "").strip() or "body edited"
    locked._history_user = user
    locked.save()
    spans_reanchor(article=locked, old_body=old_body, user=user)
    _after_body_change(locked)
    article.refresh_from_db()
    return locked
