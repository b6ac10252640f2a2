"""Reads about findings."""

from __future__ import annotations

from apps.annotations.models import Claim
from apps.checks.models import Finding


def blocking_findings_for_claim(*, claim: Claim) -> list[Finding]:
    """Open error findings of the claim's article: while any is open the claim cannot be verified."""
    return list(
        Finding.objects.blocking()
        .filter(article_id=claim.article_id)
        .order_by("created_at", "id")[:10]
    )
