"""Which findings keep a claim from being verified: the rule apps.annotations.services.claim_verify
applies and the workspace offers "verify" by. It lives here, below the services, so that the
annotations (a lower layer than the checks) read it without importing the checks' services;
it imports only models and the sentence splitter."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator

from apps.annotations.models import Claim
from apps.articles.models import Article
from apps.checks.models import Finding
from apps.checks.snapshot import split_sentences

# Error findings in these states keep a claim from being verified: "acknowledged" means someone
# saw it, not that it is settled; only resolving, or dismissing with a reason, unblocks.
BLOCKING_STATES = (Finding.State.OPEN, Finding.State.ACKNOWLEDGED)


def _concerns(finding_spans: list, claim_start: int, claim_end: int, sentence: tuple[int, int]):
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


def _claim_sentences(body: str, start: int, end: int) -> tuple[int, int]:
    """From the start of the sentence the claim starts in to the end of the one it ends in."""
    bounds = [(s, e) for s, e in split_sentences(body) if s < end and start < e]
    if not bounds:
        return start, end
    return bounds[0][0], bounds[-1][1]


def blocking_findings_for_claim(*, claim: Claim, limit: int = 10) -> list[Finding]:
    """The error findings, open or acknowledged, that concern the claim (their spans overlap it or
    lie in its sentence): while any is left the claim cannot be verified. Errors elsewhere in the
    article do not block it."""
    body = Article.objects.filter(pk=claim.article_id).values_list("body", flat=True).first() or ""
    sentence = _claim_sentences(body, claim.start, claim.end)
    findings = (
        Finding.objects.filter(
            article_id=claim.article_id,
            severity=Finding.Severity.ERROR,
            state__in=BLOCKING_STATES,
        )
        .select_related("article")
        .order_by("created_at", "id")
    )
    blocking = [f for f in findings if _concerns(f.spans, claim.start, claim.end, sentence)]
    return blocking[:limit]


def claim_verify_refusal(*, findings: list[Finding]) -> str:
    """Why a claim cannot be verified: each blocking finding in brief, with the address of the
    finding in the article's findings panel."""
    items = []
    for finding in findings[:5]:
        url = reverse("articles:detail", args=[finding.article.uuid]) + f"#finding-{finding.uuid}"
        state = " (acknowledged)" if finding.state == Finding.State.ACKNOWLEDGED else ""
        items.append(f"{finding.code}{state}: {Truncator(finding.message).chars(160)} [{url}]")
    more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
    return (
        "This claim cannot be verified while the article has open error findings about it: "
        + "; ".join(items)
        + more
        + ". Resolve them, or dismiss them with a reason, first."
    )
