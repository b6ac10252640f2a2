"""Who may do what to an annotation, written once. The services refuse through the `*_refusal`
functions (their message and status are what the services raise); the workspace's detail panel
and the review queue offer an action only when its `may_*` predicate says yes.
tests/test_action_walk.py renders the panel and the queue for every role × annotation state ×
finding state and checks that what is offered is exactly what the services accept.

Pure: a user (with their roles), an annotation as loaded, and the facts that cost a query passed
in by the caller: whether the user wrote part of it (`is_own`, four eyes) and why its verdict is
blocked by findings (`blocked_by`, the refusal text; "" when nothing blocks). No query here.

A refusal's status: 403 the role or the person's relation to the item forbids it, 409 the item's
state does (someone may have changed it; the service attaches the item as it is now), 400 a rule
about the item's content (an orphan cannot be approved, a verified claim keeps its evidence).
Input a form asks for (a note, a verdict, offsets) is checked by the services, not here: a form
that is offered can always be filled in."""

from __future__ import annotations

from dataclasses import dataclass

from apps.accounts import roles
from apps.annotations.models import (
    SPAN_MODELS,
    AnchoredSpan,
    AnchorState,
    Claim,
    Evidence,
    ReviewState,
)

NOT_ALLOWED = 403
CONFLICT = 409
BROKEN_RULE = 400


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str


def kind_of(span: AnchoredSpan) -> str:
    for kind, model in SPAN_MODELS.items():
        if isinstance(span, model):
            return kind
    raise TypeError(f"Not an annotation: {type(span).__name__}")


# --- Creating, editing, moving ---------------------------------------------------------------


def annotation_create_refusal(*, user) -> Refusal | None:
    if not roles.can_annotate(user):
        return Refusal(NOT_ALLOWED, "Only annotators and editors can create annotations.")
    return None


def may_create(*, user) -> bool:
    return annotation_create_refusal(user=user) is None


def annotation_update_refusal(*, user) -> Refusal | None:
    """Any annotation, in any state (an approved one goes back to proposed when edited)."""
    if not roles.can_annotate(user):
        return Refusal(NOT_ALLOWED, "Only annotators and editors can edit annotations.")
    return None


def may_update(*, user, span: AnchoredSpan) -> bool:
    return annotation_update_refusal(user=user) is None


def annotation_reattach_refusal(*, user) -> Refusal | None:
    """An orphan, or an anchored span that re-anchoring put on the wrong words."""
    if not roles.can_annotate(user):
        return Refusal(NOT_ALLOWED, "Only annotators and editors can move annotations.")
    return None


def may_reattach(*, user, span: AnchoredSpan) -> bool:
    return annotation_reattach_refusal(user=user) is None


def annotation_delete_refusal(*, user, span: AnchoredSpan) -> Refusal | None:
    """Only one's own manual, unreviewed annotations (or an editor) may be deleted."""
    if roles.can_edit(user) or (
        roles.can_annotate(user)
        and span.created_by_id == user.pk
        and span.review_state == ReviewState.PROPOSED
    ):
        return None
    return Refusal(
        NOT_ALLOWED, "Only an editor, or the author of an unreviewed annotation, can delete it."
    )


def may_delete(*, user, span: AnchoredSpan) -> bool:
    return annotation_delete_refusal(user=user, span=span) is None


# --- Review (four eyes) -----------------------------------------------------------------------


def annotation_review_role_refusal(*, user) -> Refusal | None:
    if not roles.can_review(user):
        return Refusal(NOT_ALLOWED, "Only reviewers and editors can approve or reject annotations.")
    return None


def annotation_review_refusal(
    *, user, span: AnchoredSpan, approve: bool, is_own: bool
) -> Refusal | None:
    """Approve or reject: a reviewer, never on their own work; an orphan cannot be approved
    (its words are gone); approving an approved item or rejecting a rejected one is a conflict."""
    refusal = annotation_review_role_refusal(user=user)
    if refusal is not None:
        return refusal
    if is_own:
        return Refusal(NOT_ALLOWED, "You cannot review your own work; another reviewer has to.")
    if approve and span.anchor_state == AnchorState.ORPHANED:
        return Refusal(
            BROKEN_RULE,
            f"This {kind_of(span)}'s text is no longer in the article (an edit removed it), "
            "so it cannot be approved; reject it, or re-create it on the current text.",
        )
    target = ReviewState.APPROVED if approve else ReviewState.REJECTED
    if span.review_state == target:
        return Refusal(CONFLICT, f"This {kind_of(span)} is already {target}.")
    return None


def may_review(*, user, span: AnchoredSpan, approve: bool, is_own: bool) -> bool:
    return annotation_review_refusal(user=user, span=span, approve=approve, is_own=is_own) is None


# --- Verdicts ---------------------------------------------------------------------------------


def verdict_propose_role_refusal(*, user) -> Refusal | None:
    if not roles.can_annotate(user):
        return Refusal(NOT_ALLOWED, "Only annotators and editors can propose verdicts.")
    return None


def verdict_propose_refusal(*, user, claim: Claim) -> Refusal | None:
    refusal = verdict_propose_role_refusal(user=user)
    if refusal is not None:
        return refusal
    if claim.verdict_state == Claim.VerdictState.VERIFIED:
        return Refusal(
            CONFLICT,
            "This claim is already verified; a reviewer must send it back before it can change.",
        )
    return None


def may_propose_verdict(*, user, claim: Claim) -> bool:
    return verdict_propose_refusal(user=user, claim=claim) is None


def claim_verify_role_refusal(*, user) -> Refusal | None:
    if not roles.can_review(user):
        return Refusal(NOT_ALLOWED, "Only reviewers and editors can verify claims.")
    return None


def claim_verify_refusal(
    *, user, claim: Claim, is_own: bool, blocked_by: str = ""
) -> Refusal | None:
    """A reviewer confirms a proposed verdict: never their own work, and not while error
    findings about the claim are open or acknowledged (`blocked_by`: why, as
    apps.checks.finding_rules.claim_blocked_message says it)."""
    refusal = claim_verify_role_refusal(user=user)
    if refusal is not None:
        return refusal
    if claim.verdict_state != Claim.VerdictState.PROPOSED:
        return Refusal(
            CONFLICT,
            f"This claim has no proposed verdict to verify (it is {claim.verdict_state}).",
        )
    if is_own:
        return Refusal(
            NOT_ALLOWED,
            "You cannot verify a claim you wrote part of (created, edited, proposed its verdict "
            "or added or removed its evidence); another reviewer has to.",
        )
    if blocked_by:
        return Refusal(BROKEN_RULE, blocked_by)
    return None


def may_verify(*, user, claim: Claim, is_own: bool, blocked_by: str = "") -> bool:
    return (
        claim_verify_refusal(user=user, claim=claim, is_own=is_own, blocked_by=blocked_by) is None
    )


def verdict_return_role_refusal(*, user) -> Refusal | None:
    if not roles.can_review(user):
        return Refusal(NOT_ALLOWED, "Only reviewers and editors can send a verdict back.")
    return None


def verdict_return_refusal(*, user, claim: Claim) -> Refusal | None:
    """A reviewer sends a proposed or verified verdict back (their own too: it is not an
    approval)."""
    refusal = verdict_return_role_refusal(user=user)
    if refusal is not None:
        return refusal
    if claim.verdict_state not in (Claim.VerdictState.PROPOSED, Claim.VerdictState.VERIFIED):
        return Refusal(
            CONFLICT,
            f"This claim has no verdict to send back (it is {claim.verdict_state}).",
        )
    return None


def may_return_verdict(*, user, claim: Claim) -> bool:
    return verdict_return_refusal(user=user, claim=claim) is None


# --- Evidence ---------------------------------------------------------------------------------


def evidence_add_refusal(*, user) -> Refusal | None:
    if not roles.can_annotate(user):
        return Refusal(NOT_ALLOWED, "Only annotators and editors can add evidence.")
    return None


def may_add_evidence(*, user, claim: Claim) -> bool:
    return evidence_add_refusal(user=user) is None


def evidence_remove_role_refusal(*, user, evidence: Evidence) -> Refusal | None:
    own = roles.can_annotate(user) and user.pk is not None and evidence.created_by_id == user.pk
    if not (own or roles.can_review(user)):
        return Refusal(
            NOT_ALLOWED,
            "Only the person who added this evidence, a reviewer or an editor can remove it.",
        )
    return None


def evidence_remove_refusal(*, user, evidence: Evidence, claim: Claim) -> Refusal | None:
    """Its author (an annotator, or the API key that added it), a reviewer or an editor; never
    from a verified claim."""
    refusal = evidence_remove_role_refusal(user=user, evidence=evidence)
    if refusal is not None:
        return refusal
    if claim.verdict_state == Claim.VerdictState.VERIFIED:
        return Refusal(
            BROKEN_RULE,
            "The evidence of a verified claim cannot be removed; send the verdict back first.",
        )
    return None


def may_remove_evidence(*, user, evidence: Evidence, claim: Claim) -> bool:
    return evidence_remove_refusal(user=user, evidence=evidence, claim=claim) is None
