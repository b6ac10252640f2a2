"""Writes for annotations. Every writer (UI, API, extraction, seeds) goes through span_check, so
`0 <= start < end <= len(body)` and `body[start:end] == exact` hold for every anchored span."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from apps.accounts import roles
from apps.annotations.models import (
    CONTEXT_CHARS,
    SPAN_MODELS,
    AnchoredSpan,
    AnchorState,
    Claim,
    Evidence,
    Origin,
    ReviewState,
)
from apps.articles.models import Article


class AnnotationError(Exception):
    """Invalid input or a broken rule; the message is for the user (HTTP 400/422)."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(AnnotationError):
    """The user's role or relation to the item forbids this (HTTP 403)."""

    status = 403


class Conflict(AnnotationError):
    """Someone else changed the item first (HTTP 409); `current` is the item as it is now."""

    status = 409

    def __init__(self, message: str, *, current: models.Model) -> None:
        super().__init__(message)
        self.current = current


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


def _validate_fields(span: AnchoredSpan, fields: dict[str, Any]) -> None:
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
        setattr(span, name, value)
    try:
        span.full_clean(
            exclude=[
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
        )
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        raise AnnotationError(f"{first_field}: {' '.join(messages)}", field=first_field) from None


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
    if origin == Origin.MANUAL and not roles.can_annotate(user):
        raise NotAllowed("Only annotators and editors can create annotations.")
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
    _validate_fields(span, fields or {})
    span.save()
    from apps.articles.services import article_touch_status
    from apps.checks.services import article_check_request

    if origin == Origin.MANUAL:
        article_touch_status(article=article)
    article_check_request(article=article)
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


def _bump(span: AnchoredSpan, reason: str) -> None:
    span.version += 1
    span._change_reason = reason
    span.save()


@transaction.atomic
def annotation_update(
    *, span: AnchoredSpan, user, expected_version: int | None, fields: dict[str, Any]
) -> AnchoredSpan:
    """A person edits an annotation's fields. An edited rejected item goes back to proposed."""
    if not roles.can_annotate(user):
        raise NotAllowed("Only annotators and editors can edit annotations.")
    current = _locked(span, expected_version)
    _validate_fields(current, fields)
    current.edited_by = user
    current.edited_at = timezone.now()
    if current.review_state == ReviewState.REJECTED:
        current.review_state = ReviewState.PROPOSED
        current.review_note = "edited after rejection"
    _bump(current, "edited")
    from apps.checks.services import article_check_request

    article_check_request(article=current.article)
    return current


def _is_own_work(span: AnchoredSpan, user) -> bool:
    return user.pk is not None and user.pk in {span.created_by_id, span.edited_by_id}


@transaction.atomic
def annotation_review(
    *, span: AnchoredSpan, user, approve: bool, expected_version: int | None, note: str = ""
) -> AnchoredSpan:
    """Approve or reject a proposed annotation (four eyes: never one's own work)."""
    if not roles.can_review(user):
        raise NotAllowed("Only reviewers and editors can approve or reject annotations.")
    note = (note or "").strip()
    if not approve and not note:
        raise AnnotationError("Give a reason for rejecting.", field="note")
    current = _locked(span, expected_version)
    if _is_own_work(current, user):
        raise NotAllowed("You cannot review your own work; another reviewer has to.")
    target = ReviewState.APPROVED if approve else ReviewState.REJECTED
    if current.review_state == target:
        raise Conflict(f"This {_kind_of(current)} is already {target}.", current=current)
    current.review_state = target
    current.reviewed_by = user
    current.reviewed_at = timezone.now()
    current.review_note = note
    _bump(current, "approved" if approve else "rejected")
    return current


@transaction.atomic
def annotation_delete(*, span: AnchoredSpan, user, expected_version: int | None) -> None:
    """Only one's own manual, unreviewed annotations (or an editor) may be deleted."""
    current = _locked(span, expected_version)
    if not (
        roles.can_edit(user)
        or (current.created_by_id == user.pk and current.review_state == ReviewState.PROPOSED)
    ):
        raise NotAllowed(
            "Only an editor, or the author of an unreviewed annotation, can delete it."
        )
    article = current.article
    current._change_reason = "deleted"
    current.delete()
    from apps.checks.services import article_check_request

    article_check_request(article=article)


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
    if not roles.can_annotate(user):
        raise NotAllowed("Only annotators and editors can propose verdicts.")
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
    current = _locked(claim, expected_version)
    if current.verdict_state == Claim.VerdictState.VERIFIED:
        raise Conflict(
            "This claim is already verified; a reviewer must send it back before it can change.",
            current=current,
        )
    current.verdict = verdict
    current.rating = rating
    current.rating_label = (rating_label or "").strip() or (
        RATING_LABELS.get(rating, "") if rating else ""
    )
    current.summary = (summary or "").strip()
    current.verdict_state = Claim.VerdictState.PROPOSED
    current.verdict_by = user
    current.verdict_at = timezone.now()
    current.verdict_note = ""
    _bump(current, "verdict proposed")
    return current


@transaction.atomic
def claim_verify(*, claim: Claim, user, expected_version: int | None) -> Claim:
    """A reviewer confirms the proposed verdict. Blocked by open error findings on the article."""
    if not roles.can_review(user):
        raise NotAllowed("Only reviewers and editors can verify claims.")
    current = _locked(claim, expected_version)
    if current.verdict_state != Claim.VerdictState.PROPOSED:
        raise Conflict(
            f"This claim has no proposed verdict to verify (it is {current.verdict_state}).",
            current=current,
        )
    if user.pk is not None and user.pk in {current.verdict_by_id, current.created_by_id}:
        raise NotAllowed(
            "You cannot verify a verdict you proposed or a claim you created; another reviewer has to."
        )
    from apps.checks.selectors import blocking_findings_for_claim

    blocking = blocking_findings_for_claim(claim=current)
    if blocking:
        raise AnnotationError(
            "This claim cannot be verified while the article has open error findings: "
            + "; ".join(f.message for f in blocking[:3])
            + ". Resolve or dismiss them (with a reason) first.",
        )
    current.verdict_state = Claim.VerdictState.VERIFIED
    current.verified_by = user
    current.verified_at = timezone.now()
    if current.review_state == ReviewState.PROPOSED and not _is_own_work(current, user):
        current.review_state = ReviewState.APPROVED
        current.reviewed_by = user
        current.reviewed_at = current.verified_at
    _bump(current, "verified")
    return current


@transaction.atomic
def claim_verdict_return(*, claim: Claim, user, expected_version: int | None, note: str) -> Claim:
    if not roles.can_review(user):
        raise NotAllowed("Only reviewers and editors can send a verdict back.")
    note = (note or "").strip()
    if not note:
        raise AnnotationError("Say why the verdict is sent back.", field="note")
    current = _locked(claim, expected_version)
    if current.verdict_state not in (Claim.VerdictState.PROPOSED, Claim.VerdictState.VERIFIED):
        raise Conflict(
            f"This claim has no verdict to send back (it is {current.verdict_state}).",
            current=current,
        )
    current.verdict_state = Claim.VerdictState.RETURNED
    current.verdict_note = note
    current.verified_by = None
    current.verified_at = None
    _bump(current, "verdict sent back")
    return current


@transaction.atomic
def evidence_add(
    *, claim: Claim, user, url: str = "", title: str = "", quoted_passage: str = "", note: str = ""
) -> Evidence:
    if not roles.can_annotate(user):
        raise NotAllowed("Only annotators and editors can add evidence.")
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
        first_field, messages = next(iter(exc.message_dict.items()))
        raise AnnotationError(f"{first_field}: {' '.join(messages)}", field=first_field) from None
    evidence.save()
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now())
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user) -> None:
    if not roles.can_annotate(user):
        raise NotAllowed("Only annotators and editors can remove evidence.")
    claim = Claim.objects.select_for_update().get(pk=evidence.claim_id)
    if claim.verdict_state == Claim.VerdictState.VERIFIED:
        raise AnnotationError(
            "The evidence of a verified claim cannot be removed; send the verdict back first."
        )
    evidence._change_reason = "removed"
    evidence.delete()
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now())


# --- Re-anchoring after a body edit -----------------------------------------------------------


def spans_reanchor(*, article: Article, old_body: str, user=None) -> dict[str, int]:
    """Move every span of `article` from `old_body` to the article's current body.
    See apps.annotations.anchoring for the strategy; spans that cannot be found become orphans."""
    from apps.annotations.anchoring import reanchor

    new_body = article.body
    counts = {"kept": 0, "moved": 0, "orphaned": 0}
    for model in SPAN_MODELS.values():
        spans: Iterable[AnchoredSpan] = (
            model.objects.select_for_update().filter(article=article).order_by("id")
        )
        for span in spans:
            result = reanchor(
                old_body=old_body,
                new_body=new_body,
                start=span.start,
                end=span.end,
                exact=span.exact,
                prefix=span.prefix,
                suffix=span.suffix,
            )
            if result is None:
                if span.anchor_state != AnchorState.ORPHANED:
                    span.anchor_state = AnchorState.ORPHANED
                    if span.review_state == ReviewState.APPROVED:
                        span.review_state = ReviewState.PROPOSED
                        span.review_note = "its text was removed by an edit; review again"
                    _bump(span, "orphaned by body edit")
                counts["orphaned"] += 1
                continue
            start, end = result
            text = new_body[start:end]
            changed_text = text != span.exact
            if (
                (start, end) == (span.start, span.end)
                and not changed_text
                and span.anchor_state == AnchorState.ANCHORED
            ):
                prefix, suffix = span_context(new_body, start, end)
                if (prefix, suffix) != (span.prefix, span.suffix):
                    type(span).objects.filter(pk=span.pk).update(prefix=prefix, suffix=suffix)
                counts["kept"] += 1
                continue
            span.start, span.end, span.exact = start, end, text
            span.prefix, span.suffix = span_context(new_body, start, end)
            span.anchor_state = AnchorState.ANCHORED
            if changed_text and span.review_state == ReviewState.APPROVED:
                span.review_state = ReviewState.PROPOSED
                span.review_note = "its text changed in an edit; review again"
            _bump(span, "re-anchored after body edit")
            counts["moved"] += 1
    return counts
