"""Who may do what to a finding, and which findings keep a claim from being verified, written
once. apps.checks.services refuses through the `*_refusal` functions; the findings panel offers an
action only when its `may_*` predicate says yes (tests/test_action_walk.py checks that they agree).

Pure: a user (with their roles), findings as loaded and an article's text; no query here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse
from django.utils.text import Truncator

from apps.accounts import roles
from apps.annotations.rules import BROKEN_RULE, CONFLICT, NOT_ALLOWED, Refusal
from apps.checks.models import Finding
from apps.checks.snapshot import split_sentences

# Error findings in these states keep a claim from being verified: "acknowledged" means someone
# saw it, not that it is settled; only resolving, or dismissing with a reason, unblocks.
BLOCKING_STATES = (Finding.State.OPEN, Finding.State.ACKNOWLEDGED)

# The lifecycle a reviewer moves a finding through: from open to acknowledged (still blocking),
# resolved or dismissed; an acknowledged one on to resolved or dismissed; any of them back to
# open (reopen). A settled finding is reopened before it is settled another way, so that its
# history reads as decisions, not as edits of one.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Finding.State.OPEN: (
        Finding.State.ACKNOWLEDGED,
        Finding.State.RESOLVED,
        Finding.State.DISMISSED,
    ),
    Finding.State.ACKNOWLEDGED: (
        Finding.State.OPEN,
        Finding.State.RESOLVED,
        Finding.State.DISMISSED,
    ),
    Finding.State.RESOLVED: (Finding.State.OPEN,),
    Finding.State.DISMISSED: (Finding.State.OPEN,),
}


# --- Findings that block a claim's verification -----------------------------------------------


def _concerns(finding_spans: Any, claim_start: int, claim_end: int, sentence: tuple[int, int]):
    """Whether a finding's spans overlap the claim or lie in its sentence. A finding that points
    at no span (an article-wide problem) concerns every claim."""
    located = [
        (ref["start"], ref["end"])
        for ref in finding_spans or []
        if isinstance(ref, dict)
        and isinstance(ref.get("start"), int)
        and isinstance(ref.get("end"), int)
    ]
    if not located:
        return True
    first, last = min(claim_start, sentence[0]), max(claim_end, sentence[1])
    return any(
        (start < claim_end and claim_start < end) or (first <= start and end <= last)
        for start, end in located
    )


def claim_sentences(body: str, start: int, end: int) -> tuple[int, int]:
    """From the start of the sentence the claim starts in to the end of the one it ends in."""
    bounds = [(s, e) for s, e in split_sentences(body) if s < end and start < e]
    if not bounds:
        return start, end
    return bounds[0][0], bounds[-1][1]


def is_blocking(finding: Finding) -> bool:
    return finding.severity == Finding.Severity.ERROR and finding.state in BLOCKING_STATES


def findings_blocking_claim(
    *, findings: Iterable[Finding], body: str, start: int, end: int, limit: int = 10
) -> list[Finding]:
    """Of the article's findings (in the order given), the error findings, open or acknowledged,
    that concern the claim at start–end: their spans overlap it or lie in its sentence. Errors
    elsewhere in the article do not block it."""
    candidates = [f for f in findings if is_blocking(f)]
    if not candidates:
        return []  # no sentence split for the common case
    sentence = claim_sentences(body, start, end)
    return [f for f in candidates if _concerns(f.spans, start, end, sentence)][:limit]


def claim_blocked_message(*, findings: Sequence[Finding], article_uuid: Any) -> str:
    """Why a claim cannot be verified: each blocking finding in brief, with the address of the
    finding in the article's findings panel ("" when nothing blocks)."""
    if not findings:
        return ""
    where = reverse("articles:detail", args=[article_uuid])
    items = []
    for finding in findings[:5]:
        state = " (acknowledged)" if finding.state == Finding.State.ACKNOWLEDGED else ""
        items.append(
            f"{finding.code}{state}: {Truncator(finding.message).chars(160)} "
            f"[{where}#finding-{finding.uuid}]"
        )
    more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
    return (
        "This claim cannot be verified while the article has open error findings about it: "
        + "; ".join(items)
        + more
        + ". Resolve them, or dismiss them with a reason, first."
    )


# --- The finding's own actions ----------------------------------------------------------------

_VERBS = {
    Finding.State.OPEN: "reopen",
    Finding.State.ACKNOWLEDGED: "acknowledge",
    Finding.State.RESOLVED: "resolve",
    Finding.State.DISMISSED: "dismiss",
}


def finding_state_role_refusal(*, user) -> Refusal | None:
    if not roles.can_review(user):
        return Refusal(
            NOT_ALLOWED,
            "Only reviewers and editors can acknowledge, resolve or dismiss findings.",
        )
    return None


def finding_state_refusal(*, user, finding: Finding, state: str) -> Refusal | None:
    """A reviewer moves the finding along TRANSITIONS. (A note is asked for by the form: to
    dismiss, and to acknowledge an error.)"""
    refusal = finding_state_role_refusal(user=user)
    if refusal is not None:
        return refusal
    if finding.state == state:
        return Refusal(CONFLICT, f"This finding is already {state}.")
    if state not in TRANSITIONS.get(finding.state, ()):
        return Refusal(
            CONFLICT,
            f"This finding is {finding.state}; reopen it before you "
            f"{_VERBS.get(state, 'change')} it.",
        )
    return None


def may_set_finding_state(*, user, finding: Finding, state: str) -> bool:
    return finding_state_refusal(user=user, finding=finding, state=state) is None


def unknown_title_of(finding: Finding) -> tuple[str, list[tuple[int, str]]] | None:
    """(the wording, [(office id, office label)]) of a "cannot check" title finding, else None."""
    facts = [f for f in finding.kb_facts or [] if isinstance(f, dict)]
    title = next((f.get("title") for f in facts if f.get("type") == "unknown_title"), None)
    if not isinstance(title, str) or not title:
        return None
    offices = [
        (f["office_id"], str(f.get("office", "")))
        for f in facts
        if f.get("type") == "office_candidate" and isinstance(f.get("office_id"), int)
    ]
    return title, offices


def finding_title_alias_refusal(*, user, finding: Finding) -> Refusal | None:
    """An editor teaches the knowledge base the wording of a title the checks could not match,
    from a finding that is still open or acknowledged."""
    if not roles.can_edit(user):
        return Refusal(NOT_ALLOWED, "Only editors can change the knowledge base.")
    if unknown_title_of(finding) is None:
        return Refusal(
            BROKEN_RULE, "This finding is not about a title the knowledge base does not know."
        )
    if finding.state not in BLOCKING_STATES:
        return Refusal(
            CONFLICT,
            f"This finding is already {finding.state}; reopen it to settle its title here.",
        )
    return None


def may_add_title_alias(*, user, finding: Finding) -> bool:
    return finding_title_alias_refusal(user=user, finding=finding) is None
