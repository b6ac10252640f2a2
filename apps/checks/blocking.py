"""Which findings keep a claim from being verified: the rule apps.annotations.services.claim_verify
applies and the workspace offers "verify" by. It lives here, below the services, so that the
annotations (a lower layer than the checks) read it without importing the checks' services;
it imports only models and the sentence splitter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse
from django.utils.text import Truncator

from apps.annotations.models import Claim
from apps.articles.models import Article
from apps.checks.models import Finding
from apps.checks.snapshot import split_sentences

# Error findings in these states keep a claim from being verified: "acknowledged" means someone
# saw it, not that it is settled; only resolving, or dismissing with a reason, unblocks.
BLOCKING_STATES = (Finding.State.OPEN, Finding.State.ACKNOWLEDGED)


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
    elsewhere in the article do not block it. Pure: the review queue applies it to a page of
    claims whose findings it read at once."""
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


def blocking_findings_for_claim(*, claim: Claim, limit: int = 10) -> list[Finding]:
    """The error findings, open or acknowledged, that concern the claim (their spans overlap it or
    lie in its sentence): while any is left the claim cannot be verified. Two queries."""
    body = Article.objects.filter(pk=claim.article_id).values_list("body", flat=True).first() or ""
    findings = (
        Finding.objects.filter(
            article_id=claim.article_id,
            severity=Finding.Severity.ERROR,
            state__in=BLOCKING_STATES,
        )
        .select_related("article")
        .order_by("created_at", "id")
    )
    return findings_blocking_claim(
        findings=findings, body=body, start=claim.start, end=claim.end, limit=limit
    )


def claim_verify_refusal(*, findings: list[Finding]) -> str:
    """Why a claim cannot be verified: each blocking finding in brief ("" when none)."""
    if not findings:
        return ""
    return claim_blocked_message(findings=findings, article_uuid=findings[0].article.uuid)


def claim_blocked_by(*, claim: Claim) -> str:
    """Why the claim's verdict cannot be verified because of findings, as claim_verify says it
    (apps.annotations.rules.claim_verify_refusal's `blocked_by`); "" when no finding blocks it."""
    return claim_verify_refusal(findings=blocking_findings_for_claim(claim=claim))
