"""Writes for annotations. Every writer (UI, API, extraction, seeds) goes through span_check, so
`0 <= start < end <= len(body)` and `body[start:end] == exact` hold for every anchored span."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from apps import errors
from apps.accounts import roles
from apps.annotations import rules
from apps.annotations.anchoring import Reanchorer
from apps.annotations.models import (
    CONTEXT_CHARS,
    SPAN_MODELS,
    AnchoredSpan,
    AnchorState,
    Claim,
    EntityMention,
    Evidence,
    Origin,
    Quote,
    ReviewState,
)
from apps.annotations.selectors import span_has_contributor
from apps.articles import processing
from apps.articles.models import Article
from apps.bulk_rows import history_insert, insert_fields, objects_insert, rows_insert
from apps.checks.blocking import claim_blocked_by
from apps.compiled_queries import CompiledValues, compiled, instance_values
from apps.knowledge.models import Entity


class AnnotationError(errors.DomainError):
    """Invalid input or a broken rule about an annotation; the message is for the user (HTTP
    400/422). The subclasses below are the other kinds of apps.errors."""


class NotAllowed(AnnotationError, errors.NotAllowed):
    """The user's role or relation to the item forbids this (HTTP 403)."""


class Conflict(AnnotationError, errors.Conflict):
    """Someone else changed the item first (HTTP 409); `current` is the item as it is now."""


def _article_touch_status(*, article: Article) -> None:
    """new → in progress once someone annotates it (single-row, no rule beyond that)."""
    if article.status == Article.Status.NEW:
        Article.objects.filter(pk=article.pk, status=Article.Status.NEW).update(
            status=Article.Status.IN_PROGRESS, updated_at=timezone.now()
        )


def _refuse(refusal: rules.Refusal | None, *, current: models.Model | None = None) -> None:
    """Raise the error a rule's refusal stands for (apps.annotations.rules): 403, 409, 400."""
    if refusal is None:
        return
    if refusal.status == rules.NOT_ALLOWED:
        raise NotAllowed(refusal.message)
    if refusal.status == rules.CONFLICT:
        raise Conflict(refusal.message, current=current)
    raise AnnotationError(refusal.message)


# --- Anchoring --------------------------------------------------------------------------------


def span_check(*, body: str, start: Any, end: Any, exact: str | None) -> str:
    """Validate offsets (code points, end exclusive) against the body; returns the exact text.
    `exact=None` means "take the text at those offsets"."""
    if (
        isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        raise AnnotationError(
            "start and end must be whole numbers (Unicode code point offsets).", field="start"
        )
    if start < 0:
        raise AnnotationError(f"start ({start}) cannot be negative.", field="start")
    if end <= start:
        raise AnnotationError(f"end ({end}) must be greater than start ({start}).", field="end")
    if end > len(body):
        raise AnnotationError(
            f"end ({end}) is past the end of the article ({len(body)} characters).", field="end"
        )
    found = body[start:end]
    if exact is not None and found != exact:
        raise AnnotationError(
            f"The text at {start}–{end} is {found[:80]!r}, not {exact[:80]!r}; the article may have changed.",
            field="exact",
        )
    if not found.strip():
        raise AnnotationError("The selected text is only whitespace.", field="exact")
    return found


def span_context(body: str, start: int, end: int) -> tuple[str, str]:
    return body[max(0, start - CONTEXT_CHARS) : start], body[end : end + CONTEXT_CHARS]


def span_locate(*, body: str, exact: str, occurrence: int = 1) -> tuple[int, int]:
    """Offsets of the n-th occurrence of `exact` (the no-JavaScript "find the text" path)."""
    if not exact:
        raise AnnotationError("Give the exact text to annotate.", field="exact")
    position = -1
    for _ in range(max(1, occurrence)):
        position = body.find(exact, position + 1)
        if position < 0:
            raise AnnotationError(
                f"{exact[:80]!r} does not occur {occurrence} time(s) in the article.", field="exact"
            )
    return position, position + len(exact)


def _span_model(kind: str) -> type[AnchoredSpan]:
    try:
        return SPAN_MODELS[kind]
    except KeyError:
        raise AnnotationError(
            f"Unknown annotation type {kind!r}; use one of {', '.join(SPAN_MODELS)}."
        ) from None


# Offsets inside a span's fields that also point into the body: (start, end, text) field names.
_SUB_SPANS: dict[type[AnchoredSpan], tuple[str, str, str]] = {
    Quote: ("attribution_start", "attribution_end", "attribution_text"),
    EntityMention: ("title_start", "title_end", "title_text"),
}
_ENTITY_FIELDS = ("speaker", "entity", "office")


def _no_nul(name: str, value: Any) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise AnnotationError(f"The {name.replace('_', ' ')} contains NUL characters.", field=name)


def _entity_value(name: str, value: Any) -> Any:
    """An Entity, None, or an entity's UUID / id as sent by a form or the API."""
    if value is None or value == "" or isinstance(value, Entity):
        return value or None
    lookup = {"pk": value} if isinstance(value, int) and not isinstance(value, bool) else None
    if lookup is None:
        try:
            lookup = {"uuid": uuid.UUID(str(value))}
        except ValueError:
            lookup = None
    entity = Entity.objects.filter(**lookup).first() if lookup else None
    if entity is None:
        raise AnnotationError(f"Unknown entity {value!r} for {name}.", field=name)
    return entity


def _check_sub_span(span: AnchoredSpan, body: str, changed: set[str]) -> None:
    """An attribution or title span given with the annotation obeys the same rules as the span:
    inside the body, start < end, and its text is the body's text there."""
    names = _SUB_SPANS.get(type(span))
    if names is None or not (set(names) & changed):
        return
    start_name, end_name, text_name = names
    start, end = getattr(span, start_name), getattr(span, end_name)
    if start is None and end is None:
        return
    label = start_name.split("_")[0]
    if start is None or end is None:
        raise AnnotationError(
            f"The {label} span needs both {start_name} and {end_name}, or neither.",
            field=start_name,
        )
    try:
        # Text sent with the offsets must match them; offsets alone take the body's text.
        given = getattr(span, text_name) if text_name in changed else None
        text = span_check(body=body, start=start, end=end, exact=given or None)
    except AnnotationError as exc:
        raise AnnotationError(f"The {label} span: {exc.message}", field=start_name) from None
    setattr(span, text_name, text)


def _validate_fields(
    span: AnchoredSpan, fields: dict[str, Any], *, body: str, db_checks: bool = True
) -> None:
    editable = {
        "claim": {"kind", "reason", "check_worthiness"},
        "quote": {
            "speaker",
            "speaker_text",
            "speaker_confidence",
            "attribution_start",
            "attribution_end",
            "attribution_text",
            "verb",
        },
        "mention": {"entity", "title_start", "title_end", "title_text", "title_modifier", "office"},
        "date": {"value", "precision", "is_relative"},
    }[_kind_of(span)]
    unknown = set(fields) - editable
    if unknown:
        raise AnnotationError(
            f"Unknown field(s) for a {_kind_of(span)}: {', '.join(sorted(unknown))}."
        )
    for name, value in fields.items():
        _no_nul(name, value)
        if name in _ENTITY_FIELDS:
            value = _entity_value(name, value)
        setattr(span, name, value)
    _check_sub_span(span, body, set(fields))
    exclude = [
        "article",
        "created_by",
        "edited_by",
        "reviewed_by",
        "verdict_by",
        "verified_by",
        "speaker",
        "entity",
        "office",
    ]
    if not db_checks:
        # A new span (bulk create): the fields still at their model defaults are valid by
        # construction, as in every span; only what the caller and the service set is checked
        # (a third of the fields: clean_fields was a tenth of a 20-span request).
        exclude.extend(_defaults_of(type(span), frozenset(fields)))
    try:
        span.full_clean(
            exclude=exclude,
            # A bulk create skips the per-row queries (uuid uniqueness, each CheckConstraint
            # evaluated by the database): a new uuid4 is unique, and every constraint of a new
            # span is already settled by span_check, _check_sub_span and the choices checked
            # here; the database still enforces them all on insert.
            validate_unique=db_checks,
            validate_constraints=db_checks,
        )
    except ValidationError as exc:
        raise _validation_error(exc) from None


# What annotations_create_bulk sets on a new span besides the item's own fields.
_SET_BY_BULK_CREATE = frozenset({"start", "end", "exact", "prefix", "suffix", "origin"})


@functools.cache
def _defaults_of(model: type[AnchoredSpan], given: frozenset[str]) -> list[str]:
    """The fields of a new `model` span left at their defaults when `given` were set."""
    checked = _SET_BY_BULK_CREATE | given
    return [f.name for f in model._meta.concrete_fields if f.name not in checked]


def _validation_error(exc: ValidationError) -> AnnotationError:
    first_field, messages = next(iter(exc.message_dict.items()))
    if first_field == "__all__":
        return AnnotationError(" ".join(messages))
    return AnnotationError(
        f"{first_field.replace('_', ' ')}: {' '.join(messages)}", field=first_field
    )


def _kind_of(span: AnchoredSpan) -> str:
    for kind, model in SPAN_MODELS.items():
        if isinstance(span, model):
            return kind
    raise AnnotationError("Not an annotation.")


@transaction.atomic
def annotation_create(
    *,
    article: Article,
    kind: str,
    start: Any,
    end: Any,
    exact: str | None,
    user=None,
    origin: str = Origin.MANUAL,
    extractor_version: str = "",
    confidence: float | None = None,
    fields: dict[str, Any] | None = None,
) -> AnchoredSpan:
    model = _span_model(kind)
    if origin not in Origin.values:
        raise AnnotationError(f"Unknown origin {origin!r}.", field="origin")
    # Automatic proposals come from the extraction task (no user); a person always needs the role.
    if origin == Origin.MANUAL or user is not None:
        _refuse(rules.annotation_create_refusal(user=user))
    # Lock the article: a body edit running at the same time either finishes first (and the
    # offsets are checked against its new body) or waits and re-anchors this span too.
    article = Article.objects.select_for_update().get(pk=article.pk)
    text = span_check(body=article.body, start=start, end=end, exact=exact)
    prefix, suffix = span_context(article.body, start, end)
    span = model(
        article=article,
        start=start,
        end=end,
        exact=text,
        prefix=prefix,
        suffix=suffix,
        origin=origin,
        extractor_version=extractor_version,
        confidence=confidence,
        created_by=user,
    )
    _validate_fields(span, fields or {}, body=article.body)
    if user is not None and user.pk is not None:
        span._history_user = user
        span.touched_by = user
        span.touched_at = timezone.now()
    span.save()
    if user is not None and user.pk is not None:
        _contributor_add(span, user)
    if origin == Origin.MANUAL:
        _article_touch_status(article=article)
    processing.checks_request(article_ids=[article.pk])
    return span


def _locked(span: AnchoredSpan, expected_version: int | None) -> AnchoredSpan:
    current = type(span).objects.select_for_update().get(pk=span.pk)
    if expected_version is not None and current.version != expected_version:
        raise Conflict(
            f"This {_kind_of(current)} was changed by someone else while you were looking at it "
            f"(it is now {current.review_state}, version {current.version}). Nothing was saved.",
            current=current,
        )
    return current


def _bump(span: AnchoredSpan, reason: str, *, user=None) -> None:
    span.version += 1
    span._change_reason = reason
    if user is not None and user.pk is not None:
        span._history_user = user  # the history records who, also outside a request
    span.save()


def _touch(span: AnchoredSpan, user, *, contributed: bool) -> None:
    """Mark a person's write on the span (saved with the span's next save). `contributed`: the
    write made part of the item (a field, the verdict, evidence), so its author may not approve
    or verify it; a review or a note touches the item without contributing to it."""
    if user is None or user.pk is None:
        return
    span.touched_by = user
    span.touched_at = timezone.now()
    if contributed:
        _contributor_add(span, user)


def _contributor_add(span: AnchoredSpan, user) -> None:
    # ignore_conflicts: one row per span and person however often they write (unique pair).
    through = type(span).contributors.through
    through.objects.bulk_create(
        [through(**{f"{type(span)._meta.model_name}_id": span.pk, "user_id": user.pk})],
        ignore_conflicts=True,
    )


@transaction.atomic
def annotation_update(
    *, span: AnchoredSpan, user, expected_version: int | None, fields: dict[str, Any]
) -> AnchoredSpan:
    """A person edits an annotation's fields. An edited reviewed item goes back to proposed: an
    approval covers what the reviewer saw, not what was changed after it (four eyes)."""
    _refuse(rules.annotation_update_refusal(user=user))
    current = _locked(span, expected_version)
    _validate_fields(current, fields, body=current.article.body)
    current.edited_by = user
    current.edited_at = timezone.now()
    _touch(current, user, contributed=True)
    if current.review_state in (ReviewState.REJECTED, ReviewState.APPROVED):
        current.review_note = f"edited after it was {current.review_state}; review it again"
        current.review_state = ReviewState.PROPOSED
    _bump(current, "edited", user=user)
    processing.checks_request(article_ids=[current.article.pk])
    return current


def _is_own_work(span: AnchoredSpan, user) -> bool:
    """Four eyes: whoever created, edited, re-attached the item, proposed its verdict or added
    or removed its evidence (any of them, not only the last) is one of its contributors."""
    return span_has_contributor(span=span, user=user)


@transaction.atomic
def annotation_review(
    *, span: AnchoredSpan, user, approve: bool, expected_version: int | None, note: str = ""
) -> AnchoredSpan:
    """Approve or reject a proposed annotation (four eyes: never one's own work)."""
    _refuse(rules.annotation_review_role_refusal(user=user))
    note = (note or "").strip()
    _no_nul("note", note)
    if not approve and not note:
        raise AnnotationError("Give a reason for rejecting.", field="note")
    current = _locked(span, expected_version)
    refusal = rules.annotation_review_refusal(
        user=user, span=current, approve=approve, is_own=_is_own_work(current, user)
    )
    _refuse(refusal, current=current)
    current.review_state = ReviewState.APPROVED if approve else ReviewState.REJECTED
    current.reviewed_by = user
    current.reviewed_at = timezone.now()
    current.review_note = note
    _touch(current, user, contributed=False)
    _bump(current, "approved" if approve else "rejected", user=user)
    return current


@transaction.atomic
def annotation_reattach(
    *,
    span: AnchoredSpan,
    user,
    expected_version: int | None,
    start: Any,
    end: Any,
    exact: str | None,
) -> AnchoredSpan:
    """A person puts an annotation on a new selection of the current text: an orphan whose
    words an edit removed, or one that re-anchoring put on the wrong words. Everything else it
    carries (verdict, evidence, links, history) stays; it is reviewed again."""
    _refuse(rules.annotation_reattach_refusal(user=user))
    # The article first, as annotation_create and body edits lock it: one lock order.
    article = Article.objects.select_for_update().get(pk=span.article_id)
    current = _locked(span, expected_version)
    text = span_check(body=article.body, start=start, end=end, exact=exact)
    current.start, current.end, current.exact = start, end, text
    current.prefix, current.suffix = span_context(article.body, start, end)
    current.anchor_state = AnchorState.ANCHORED
    names = _SUB_SPANS.get(type(current))
    if names is not None:
        # An attribution / title span that no longer reads the same keeps its words, not offsets.
        sub_start, sub_end, sub_text = names
        first, last = getattr(current, sub_start), getattr(current, sub_end)
        if first is not None and (
            last > len(article.body) or article.body[first:last] != getattr(current, sub_text)
        ):
            setattr(current, sub_start, None)
            setattr(current, sub_end, None)
    current.edited_by = user
    current.edited_at = timezone.now()
    if current.review_state in (ReviewState.REJECTED, ReviewState.APPROVED):
        current.review_note = (
            f"moved to new text after it was {current.review_state}; review it again"
        )
        current.review_state = ReviewState.PROPOSED
    _touch(current, user, contributed=True)
    _bump(current, "re-attached to a new selection", user=user)
    processing.checks_request(article_ids=[article.pk])
    return current


@transaction.atomic
def annotation_delete(*, span: AnchoredSpan, user, expected_version: int | None) -> None:
    """Only one's own manual, unreviewed annotations (or an editor) may be deleted."""
    current = _locked(span, expected_version)
    _refuse(rules.annotation_delete_refusal(user=user, span=current), current=current)
    article = current.article
    if isinstance(current, Claim):
        # Its evidence goes with it, each with a history row that annotation_restore finds.
        for evidence in current.evidence.all():
            evidence._change_reason = EVIDENCE_DELETED_WITH_CLAIM
            evidence._history_user = user
            evidence.delete()
    current._change_reason = "deleted"
    current._history_user = user
    current.delete()
    processing.checks_request(article_ids=[article.pk])


EVIDENCE_DELETED_WITH_CLAIM = "deleted with its claim"
RESTORED_REASON = "restored (a delete undone)"
# History rows whose author wrote part of the item (four eyes: a contributor); reviews, verifying
# and sending back are not contributions.
_CONTRIBUTING_REASONS = {"edited", "re-attached to a new selection", "verdict proposed"}


def deleted_span_get(*, kind: str, span_uuid: Any) -> Any:
    """The last history row of a deleted annotation (None when it exists or never did)."""
    model = _span_model(kind)
    last = (
        model.history.model.objects.filter(uuid=span_uuid)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if last is None or last.history_type != "-" or model.objects.filter(uuid=span_uuid).exists():
        return None
    return last


@transaction.atomic
def annotation_restore(*, kind: str, span_uuid: Any, user) -> AnchoredSpan:
    """Undo a delete: the annotation comes back with its identity (id, uuid), fields, review
    state, verdict, evidence and contributors; its history stays one history, with a row for the
    restore. Whoever deleted it, or an editor. If the article's text changed meanwhile so that
    its words are no longer where they were, it comes back orphaned (re-attach it)."""
    if not roles.can_annotate(user):
        raise NotAllowed("Only annotators and editors can restore annotations.")
    last = deleted_span_get(kind=kind, span_uuid=span_uuid)
    if last is None:
        model = _span_model(kind)
        if model.objects.filter(uuid=span_uuid).exists():
            raise AnnotationError(f"This {kind} is not deleted; there is nothing to undo.")
        raise AnnotationError(f"There is no deleted {kind} with this id.")
    if not (roles.can_edit(user) or last.history_user_id == user.pk):
        raise NotAllowed("Only the person who deleted it, or an editor, can restore it.")
    article = Article.objects.select_for_update().filter(pk=last.article_id).first()
    if article is None:
        raise AnnotationError("Its article has been deleted; it cannot be restored.")
    span = last.instance
    history = type(last).objects.filter(id=span.pk)
    if not (0 <= span.start < span.end <= len(article.body)) or (
        article.body[span.start : span.end] != span.exact
    ):
        span.anchor_state = AnchorState.ORPHANED
    elif span.anchor_state == AnchorState.ORPHANED:
        pass  # it was an orphan; it stays one until a person re-attaches it
    for name in _ENTITY_FIELDS:
        # A knowledge-base entity deleted meanwhile is unlinked, not a reason to lose the item.
        entity_id = getattr(span, f"{name}_id", None)
        field = type(span)._meta.get_field(name) if hasattr(span, f"{name}_id") else None
        if entity_id and not field.related_model.objects.filter(pk=entity_id).exists():
            setattr(span, f"{name}_id", None)
    span.version += 1
    span._change_reason = RESTORED_REASON
    span._history_user = user
    span.save(force_insert=True)
    contributors = {
        row.history_user_id
        for row in history.exclude(history_type="-")
        if row.history_user_id
        and (
            row.history_change_reason in _CONTRIBUTING_REASONS
            or (row.history_type == "+" and row.history_change_reason != RESTORED_REASON)
        )
    }
    if isinstance(span, Claim):
        evidence_rows = Evidence.history.model.objects.filter(claim_id=span.pk).order_by(
            "id", "-history_date", "-history_id"
        )
        seen: set[int] = set()
        for row in evidence_rows:
            if row.history_user_id and row.history_change_reason != RESTORED_REASON:
                contributors.add(row.history_user_id)
            if row.id in seen:
                continue
            seen.add(row.id)  # the newest row of each evidence item
            if row.history_type == "-" and row.history_change_reason == (
                EVIDENCE_DELETED_WITH_CLAIM
            ):
                evidence = row.instance
                evidence._change_reason = RESTORED_REASON
                evidence._history_user = user
                evidence.save(force_insert=True)
    through = type(span).contributors.through
    through.objects.bulk_create(
        [
            through(**{f"{type(span)._meta.model_name}_id": span.pk, "user_id": pk})
            for pk in contributors
        ],
        ignore_conflicts=True,
    )
    processing.checks_request(article_ids=[article.pk])
    return span


# --- Verdicts ---------------------------------------------------------------------------------

RATING_LABELS = {1: "False", 2: "Mostly false", 3: "Mixed", 4: "Mostly true", 5: "True"}
VERDICT_RATINGS = {
    Claim.Verdict.ACCURATE: 5,
    Claim.Verdict.MISLEADING: 2,
    Claim.Verdict.INACCURATE: 1,
}


@transaction.atomic
def claim_verdict_propose(
    *,
    claim: Claim,
    user,
    verdict: str,
    expected_version: int | None,
    rating: int | None = None,
    rating_label: str = "",
    summary: str = "",
) -> Claim:
    _refuse(rules.verdict_propose_role_refusal(user=user))
    if verdict not in Claim.Verdict.values or verdict == Claim.Verdict.NOT_RATED:
        raise AnnotationError(
            f"Unknown verdict {verdict!r}; use one of accurate, inaccurate, misleading, unverifiable.",
            field="verdict",
        )
    if rating is None:
        rating = VERDICT_RATINGS.get(verdict)
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5
    ):
        raise AnnotationError(
            "The rating is a whole number from 1 (false) to 5 (true).", field="rating"
        )
    rating_label = (rating_label or "").strip()
    summary = (summary or "").strip()
    _no_nul("rating_label", rating_label)
    _no_nul("summary", summary)
    if len(rating_label) > 100:
        raise AnnotationError(
            "The rating label is longer than 100 characters.", field="rating_label"
        )
    current = _locked(claim, expected_version)
    _refuse(rules.verdict_propose_refusal(user=user, claim=current), current=current)
    current.verdict = verdict
    current.rating = rating
    current.rating_label = rating_label or (RATING_LABELS.get(rating, "") if rating else "")
    current.summary = summary
    current.verdict_state = Claim.VerdictState.PROPOSED
    current.verdict_by = user
    current.verdict_at = timezone.now()
    current.verdict_note = ""
    _touch(current, user, contributed=True)
    _bump(current, "verdict proposed", user=user)
    return current


@transaction.atomic
def claim_verify(*, claim: Claim, user, expected_version: int | None) -> Claim:
    """A reviewer confirms the proposed verdict. Blocked by open error findings on the article."""
    _refuse(rules.claim_verify_role_refusal(user=user))
    current = _locked(claim, expected_version)
    # The whole rule is asked three times, with one more fact each time, so that each query is
    # made only when the cheaper refusals did not apply (as before the rules had one home): the
    # state, then four eyes (one query), then the findings (two queries).
    _refuse(rules.claim_verify_refusal(user=user, claim=current, is_own=False), current=current)
    _refuse(
        rules.claim_verify_refusal(user=user, claim=current, is_own=_is_own_work(current, user))
    )
    blocked_by = claim_blocked_by(claim=current)
    _refuse(
        rules.claim_verify_refusal(user=user, claim=current, is_own=False, blocked_by=blocked_by)
    )
    current.verdict_state = Claim.VerdictState.VERIFIED
    current.verified_by = user
    current.verified_at = timezone.now()
    # Not a contributor (refused above), so the verifier may approve the claim too.
    if current.review_state == ReviewState.PROPOSED:
        current.review_state = ReviewState.APPROVED
        current.reviewed_by = user
        current.reviewed_at = current.verified_at
    _touch(current, user, contributed=False)
    _bump(current, "verified", user=user)
    return current


@transaction.atomic
def claim_verdict_return(*, claim: Claim, user, expected_version: int | None, note: str) -> Claim:
    _refuse(rules.verdict_return_role_refusal(user=user))
    note = (note or "").strip()
    _no_nul("note", note)
    if not note:
        raise AnnotationError("Say why the verdict is sent back.", field="note")
    current = _locked(claim, expected_version)
    _refuse(rules.verdict_return_refusal(user=user, claim=current), current=current)
    current.verdict_state = Claim.VerdictState.RETURNED
    current.verdict_note = note
    current.verified_by = None
    current.verified_at = None
    _touch(current, user, contributed=False)
    _bump(current, "verdict sent back", user=user)
    return current


@transaction.atomic
def evidence_add(
    *, claim: Claim, user, url: str = "", title: str = "", quoted_passage: str = "", note: str = ""
) -> Evidence:
    _refuse(rules.evidence_add_refusal(user=user))
    for name, value in (
        ("url", url),
        ("title", title),
        ("quoted_passage", quoted_passage),
        ("note", note),
    ):
        _no_nul(name, value)
    evidence = Evidence(
        claim=claim,
        url=(url or "").strip(),
        title=(title or "").strip(),
        quoted_passage=(quoted_passage or "").strip(),
        note=(note or "").strip(),
        created_by=user,
    )
    if not (evidence.url or evidence.quoted_passage or evidence.note):
        raise AnnotationError("Evidence needs a URL, a quoted passage or a note.", field="url")
    try:
        evidence.full_clean(exclude=["claim", "created_by"])
    except ValidationError as exc:
        raise _validation_error(exc) from None
    evidence._history_user = user
    evidence.save()
    _evidence_touch(claim, user)
    return evidence


def _evidence_touch(claim: Claim, user) -> None:
    """Evidence added or removed: the claim is a person's, and its author one of the claim's
    contributors. No new version: evidence is listed apart and nobody's verdict form goes
    stale because of it."""
    now = timezone.now()
    touched: dict[str, Any] = {"updated_at": now}
    if user is not None and user.pk is not None:
        touched.update(touched_by=user, touched_at=now)
        _contributor_add(claim, user)
    Claim.objects.filter(pk=claim.pk).update(**touched)


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user) -> None:
    """Its author (an annotator, or the API key that added it), a reviewer or an editor."""
    _refuse(rules.evidence_remove_role_refusal(user=user, evidence=evidence))
    claim = Claim.objects.select_for_update().get(pk=evidence.claim_id)
    _refuse(rules.evidence_remove_refusal(user=user, evidence=evidence, claim=claim))
    evidence._change_reason = "removed"
    evidence._history_user = user
    evidence.delete()
    _evidence_touch(claim, user)


# --- Re-anchoring after a body edit -----------------------------------------------------------

_MOVED_FIELDS = ["start", "end", "prefix", "suffix", "updated_at"]


def _sub_span_reanchor(span: AnchoredSpan, anchorer: Reanchorer) -> tuple[list[str], bool]:
    """Move an attribution / title span along; if its text is gone, drop the offsets but keep the
    words as written. Returns the names of the fields it changed and whether it dropped them."""
    names = _SUB_SPANS.get(type(span))
    if names is None:
        return [], False
    start_name, end_name, text_name = names
    start, end = getattr(span, start_name), getattr(span, end_name)
    if start is None or end is None:
        return [], False
    old_text = anchorer.old[start:end] if end <= len(anchorer.old) else ""
    text = getattr(span, text_name) or old_text
    found = anchorer.locate(start=start, end=end, exact=text)
    changed: list[str] = []
    if found is None or found.method == "fuzzy":
        # An attribution that no longer reads the same is not moved to similar words.
        setattr(span, start_name, None)
        setattr(span, end_name, None)
        changed += [start_name, end_name]
        if not getattr(span, text_name):
            setattr(span, text_name, old_text)
            changed.append(text_name)
        return changed, True
    if (found.start, found.end) != (start, end):
        setattr(span, start_name, found.start)
        setattr(span, end_name, found.end)
        changed += [start_name, end_name]
    return changed, False


def spans_reanchor(*, article: Article, old_body: str, user=None) -> dict[str, int]:
    """Move every span of `article` from `old_body` to the article's current body (called by
    article_update_body inside its transaction, with the article row locked).

    See apps.annotations.anchoring for how a span is found again. What happens to it:
    - same text, same or shifted place ("kept" / "moved"): offsets and context updated in bulk;
      no new version, so nobody's open form goes stale because text was added elsewhere;
    - found, but its text changed ("changed"): new offsets and text, a new version and a history
      entry; an approved span goes back to proposed with a note (it must be reviewed again);
    - not found ("orphaned"): kept with its last offsets and text, anchor_state orphaned, a new
      version and a history entry; an approved one goes back to proposed with a note. Orphans are
      never deleted: they stay listed and reviewable, and the ANCHORS check reports them;
    - an orphan whose text is found again is anchored again ("reanchored")."""
    anchorer = Reanchorer(old_body, article.body)
    new_body = article.body
    now = timezone.now()
    counts = {"kept": 0, "moved": 0, "changed": 0, "orphaned": 0, "reanchored": 0}
    for model in SPAN_MODELS.values():
        shifted: dict[int, list[int]] = {}  # shift -> ids of spans that only moved by it
        moved: list[AnchoredSpan] = []  # spans whose context or sub-span changed too
        moved_fields = set(_MOVED_FIELDS)
        spans = list(model.objects.select_for_update().filter(article=article).order_by("id"))
        located = [
            anchorer.locate(
                start=span.start,
                end=span.end,
                exact=span.exact,
                prefix=span.prefix,
                suffix=span.suffix,
            )
            for span in spans
        ]
        # Two annotations of one type on the same words after an edit: the one that was searched
        # for landed on the other one's text (the same name in the next sentence, say); it is
        # orphaned rather than silently doubled.
        untouched = {(f.start, f.end) for f in located if f is not None and f.method == "position"}
        for span, found in zip(spans, located, strict=True):
            if (
                found is not None
                and found.method != "position"
                and (found.start, found.end) in untouched
            ):
                found = None
            was_orphan = span.anchor_state == AnchorState.ORPHANED
            if found is None:
                counts["orphaned"] += 1
                if was_orphan:
                    continue
                span.anchor_state = AnchorState.ORPHANED
                if span.review_state == ReviewState.APPROVED:
                    span.review_state = ReviewState.PROPOSED
                    span.review_note = (
                        "Back to proposed: its text was removed from the article by an edit "
                        f"(revision {article.revision}). Review it again."
                    )
                _sub_span_reanchor(span, anchorer)
                _bump(span, f"orphaned by the edit to revision {article.revision}", user=user)
                continue
            text = new_body[found.start : found.end]
            prefix, suffix = span_context(new_body, found.start, found.end)
            if text != span.exact or was_orphan:
                old_exact = span.exact
                span.start, span.end, span.exact = found.start, found.end, text
                span.prefix, span.suffix = prefix, suffix
                span.anchor_state = AnchorState.ANCHORED
                _sub_span_reanchor(span, anchorer)
                if text != old_exact:
                    counts["changed"] += 1
                    if span.review_state == ReviewState.APPROVED:
                        span.review_state = ReviewState.PROPOSED
                        span.review_note = (
                            f"Back to proposed: its text changed from {old_exact[:200]!r} to "
                            f"{text[:200]!r} in an edit (revision {article.revision}). "
                            "Review it again."
                        )
                    reason = f"text changed by the edit to revision {article.revision}"
                else:
                    counts["reanchored"] += 1
                    reason = f"found again after the edit to revision {article.revision}"
                _bump(span, reason, user=user)
                continue
            sub_changed, sub_dropped = _sub_span_reanchor(span, anchorer)
            if sub_dropped:
                span.start, span.end, span.prefix, span.suffix = (
                    found.start,
                    found.end,
                    prefix,
                    suffix,
                )
                counts["changed"] += 1
                _bump(
                    span,
                    f"its {sub_changed[0].split('_')[0]} text was removed by the edit to "
                    f"revision {article.revision}",
                    user=user,
                )
                continue
            if (found.start, found.end, prefix, suffix) == (
                span.start,
                span.end,
                span.prefix,
                span.suffix,
            ) and not sub_changed:
                counts["kept"] += 1
                continue
            counts["moved"] += 1
            if (prefix, suffix) == (span.prefix, span.suffix) and not sub_changed:
                shifted.setdefault(found.start - span.start, []).append(span.pk)
                continue
            span.start, span.end, span.prefix, span.suffix = found.start, found.end, prefix, suffix
            span.updated_at = now
            moved_fields.update(sub_changed)
            moved.append(span)
        # Same text, new place: no version bump, no history row (the edit itself is recorded on
        # the article and its revisions). Most spans only shift by the length of an edit before
        # them: one UPDATE per distinct shift; the few whose context changed are written apart.
        for shift, ids in shifted.items():
            for i in range(0, len(ids), 500):
                model.objects.filter(pk__in=ids[i : i + 500]).update(
                    start=models.F("start") + shift, end=models.F("end") + shift, updated_at=now
                )
        if moved:
            model.objects.bulk_update(moved, sorted(moved_fields), batch_size=100)
    return counts


# --- Bulk create ------------------------------------------------------------------------------

# Most spans one request may create: a long article's full annotation is a few hundred.
BULK_MAX_ITEMS = 500


class BulkAnnotationError(AnnotationError, errors.InvalidItems):
    """Some items of a bulk create are invalid, so nothing was created. `errors` lists each
    invalid item's first problem as {"index", "field", "message"} (index into the request)."""


class BulkTooLarge(AnnotationError, errors.TooLarge):
    pass


def _entities_by_ref(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The entities the items refer to (speaker, entity, office: UUIDs or ids), in one query;
    keyed by the reference as sent, as text. A reference missing here is unknown."""
    uuids: set[uuid.UUID] = set()
    pks: set[int] = set()
    for item in items:
        for name in _ENTITY_FIELDS:
            value = item.get(name) if isinstance(item, dict) else None
            if value is None or value == "" or isinstance(value, Entity):
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                pks.add(value)
                continue
            try:
                uuids.add(uuid.UUID(str(value)))
            except ValueError:
                continue
    if not uuids and not pks:
        return {}
    found: dict[str, Any] = {}
    for entity in Entity.objects.filter(models.Q(uuid__in=uuids) | models.Q(pk__in=pks)):
        found[str(entity.uuid)] = entity
        found[f"pk:{entity.pk}"] = entity
    return found


def _entity_from(found: dict[str, Any], name: str, value: Any) -> Any:
    if value is None or value == "" or isinstance(value, Entity):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        entity = found.get(f"pk:{value}")
    else:
        try:
            entity = found.get(str(uuid.UUID(str(value))))
        except ValueError:
            entity = None
    if entity is None:
        raise AnnotationError(f"Unknown entity {value!r} for {name}.", field=name)
    return entity


def _article_locked(pk: int) -> Article:
    """`Article.objects.select_for_update().get(pk=pk)`, its SQL compiled once per database
    connection (apps.compiled_queries: Django's compiler took as long as the read); in the
    caller's transaction."""
    connection = transaction.get_connection(Article.objects.db)
    query = compiled(
        connection,
        "article-locked",
        lambda c: CompiledValues(
            instance_values(Article.objects.select_for_update().filter(pk=0)), c
        ),
    )
    found = query.instances(connection, pk, Article)
    if not found:
        raise Article.DoesNotExist("Article matching query does not exist.")
    return found[0]


@transaction.atomic
def annotations_create_bulk(
    *, article: Article, user, items: list[dict[str, Any]]
) -> list[AnchoredSpan]:
    """A person (or a write key) creates many spans of any types on one article at once: each
    item is {"type": "claim" | "quote" | "mention" | "date", "start", "end", "exact", and the
    fields annotation_create takes for that type}. All or nothing: every item is checked as
    annotation_create checks it (span_check against the body, the type's fields), and if any is
    invalid nothing is written and BulkAnnotationError names each bad item by index and field.
    The rows, their history rows and the contributor marks are inserted per span type in bulk,
    in one transaction with the article locked; the article's checks are requested once."""
    _refuse(rules.annotation_create_refusal(user=user))
    if not items:
        raise AnnotationError("Send at least one annotation.")
    if len(items) > BULK_MAX_ITEMS:
        raise BulkTooLarge(
            f"{len(items)} annotations in one request; the limit is {BULK_MAX_ITEMS}. "
            "Split them over several requests."
        )
    # The same lock as annotation_create: a body edit either finished before (the offsets are
    # checked against its new body) or waits and re-anchors these spans too.
    article = _article_locked(article.pk)
    body = article.body
    entities = _entities_by_ref(items)
    spans: list[AnchoredSpan] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise AnnotationError("Each annotation is a JSON object.")
            fields = dict(item)
            kind = fields.pop("type", None)
            if not isinstance(kind, str):
                raise AnnotationError(
                    f"Give each annotation's type: one of {', '.join(SPAN_MODELS)}.", field="type"
                )
            model = _span_model(kind)
            start, end = fields.pop("start", None), fields.pop("end", None)
            text = span_check(body=body, start=start, end=end, exact=fields.pop("exact", None))
            for name in _ENTITY_FIELDS:
                if name in fields:
                    fields[name] = _entity_from(entities, name, fields[name])
            prefix, suffix = span_context(body, start, end)
            span = model(
                article=article,
                start=start,
                end=end,
                exact=text,
                prefix=prefix,
                suffix=suffix,
                origin=Origin.MANUAL,
                created_by=user,
            )
            _validate_fields(span, fields, body=body, db_checks=False)
        except AnnotationError as exc:
            field = exc.field
            if field is None and "Unknown annotation type" in exc.message:
                field = "type"
            errors.append({"index": index, "field": field, "message": exc.message})
            continue
        spans.append(span)
    if errors:
        first = errors[0]
        where = f"item {first['index']}" + (f", {first['field']}" if first["field"] else "")
        raise BulkAnnotationError(
            f"{len(errors)} of {len(items)} annotations are invalid; nothing was created. "
            f"First: {where}: {first['message']}",
            errors=errors,
        )
    now = timezone.now()
    by_model: dict[type[AnchoredSpan], list[AnchoredSpan]] = {}
    for span in spans:
        span.touched_by = user
        span.touched_at = now
        by_model.setdefault(type(span), []).append(span)
    for model, group in by_model.items():
        # The rows bulk_create_with_history writes, without Django's per-value SQL compiler (a
        # third of the request): the spans, their history rows as span.save() writes them
        # (history_user: who created it), the creator as contributor.
        objects_insert(model, group)
        history_insert(model, group, user_id=user.pk, date=now)
        through = model.contributors.through
        through_fields = insert_fields(through)
        rows_insert(
            through,
            through_fields,
            ([s.pk if f.attname != "user_id" else user.pk for f in through_fields] for s in group),
            ignore_conflicts=True,
        )
    _article_touch_status(article=article)
    processing.checks_request(article_ids=[article.pk])
    return spans
