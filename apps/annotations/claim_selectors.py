"""Reads for the claims pages: claims across articles (filtered, paginated) and a verified claim as
its ClaimReview will be published (the page the ClaimReview's `url` points at).

The list costs a fixed number of queries whatever its length: the count and the page (each claim
with its article and people joined)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404

from apps.accounts import roles
from apps.annotations.models import Claim, ClaimKind, ClaimVerdict, ClaimVerdictState, Quote
from apps.knowledge.models import Entity

PAGE_SIZE = 50

# The rating filter: a value 1–5, or "none" for claims without one.
RATINGS: list[tuple[str, str]] = [
    *((str(n), str(n)) for n in range(1, 6)),
    ("none", "no rating"),
]


@dataclass
class ClaimFilters:
    q: str = ""  # the claim's text, its article's title or source
    verdict: str = ""
    rating: str = ""
    state: str = ""  # verdict state
    kind: str = ""
    article: str = ""  # article uuid, as text

    @classmethod
    def from_query(cls, data: Any) -> ClaimFilters:
        """Unknown values are dropped (shown as "any"), never an error: a stale link still works."""
        filters = cls(**{name: data.get(name, "").strip() for name in cls.__dataclass_fields__})
        if filters.verdict not in ClaimVerdict.values:
            filters.verdict = ""
        if filters.rating not in dict(RATINGS):
            filters.rating = ""
        if filters.state not in ClaimVerdictState.values:
            filters.state = ""
        if filters.kind not in ClaimKind.values:
            filters.kind = ""
        if filters.article and not _is_uuid(filters.article):
            filters.article = ""
        return filters

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def claim_list_for_user(*, user, filters: ClaimFilters) -> QuerySet:
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to read claims.")
    claims = Claim.objects.select_related("article", "verdict_by", "verified_by").defer(
        "article__body"
    )
    if filters.q:
        claims = claims.filter(
            Q(exact__icontains=filters.q)
            | Q(article__title__icontains=filters.q)
            | Q(article__source__icontains=filters.q)
        )
    if filters.verdict:
        claims = claims.filter(verdict=filters.verdict)
    if filters.rating == "none":
        claims = claims.filter(rating__isnull=True)
    elif filters.rating:
        claims = claims.filter(rating=int(filters.rating))
    if filters.state:
        claims = claims.filter(verdict_state=filters.state)
    if filters.kind:
        claims = claims.filter(kind=filters.kind)
    if filters.article:
        claims = claims.filter(article__uuid=filters.article)
    # Most recently changed first (claim_updated_idx), id as tie-breaker.
    return claims.order_by("-updated_at", "-id")


def claim_page(*, user, filters: ClaimFilters, page_number: str | None) -> Page:
    return Paginator(claim_list_for_user(user=user, filters=filters), PAGE_SIZE).get_page(
        page_number
    )


def claim_speaker(*, claim: Claim) -> Entity | None:
    """Who said the claim: the speaker of the quote it sits in (the innermost), if any."""
    quote = (
        Quote.objects.filter(
            article_id=claim.article_id,
            start__lte=claim.start,
            end__gte=claim.end,
            speaker__isnull=False,
        )
        .select_related("speaker")
        .order_by("end", "id")
        .first()
    )
    return quote.speaker if quote else None


class NotPublished(Exception):
    """The claim exists but is not verified: there is no ClaimReview of it (yet)."""

    def __init__(self, claim: Claim) -> None:
        super().__init__(f"The claim is {claim.get_verdict_state_display()}.")
        self.claim = claim


def claim_review_get_for_user(*, claim_uuid, user) -> Claim:
    """A verified claim with its article and evidence, for its ClaimReview preview; NotPublished
    for a claim that is not verified."""
    if not roles.can_read(user):
        raise PermissionDenied("You need a Factdesk role to read claims.")
    try:
        claim = Claim.objects.select_related("article", "verified_by", "verdict_by").get(
            uuid=claim_uuid
        )
    except Claim.DoesNotExist:
        raise Http404("No such claim.") from None
    if claim.verdict_state != ClaimVerdictState.VERIFIED:
        raise NotPublished(claim)
    return claim
