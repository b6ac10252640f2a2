"""The claims pages: claims across articles with verdict, rating, state and kind filters, and the
ClaimReview preview of a verified claim (the page its published JSON-LD's `url` points at).

Read-only pages for every newsroom member; the filters are a GET form that works without
JavaScript (with htmx only the results are swapped)."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.decorators import login_required_htmx
from apps.annotations import exports
from apps.annotations.claim_selectors import (
    RATINGS,
    ClaimFilters,
    NotPublished,
    claim_page,
    claim_review_get_for_user,
    claim_speaker,
)
from apps.annotations.models import ClaimKind, ClaimVerdict, ClaimVerdictState

LIST = "annotations/claims.html"
REVIEW = "annotations/claim_review.html"


@require_GET
@login_required_htmx
def claim_list(request: HttpRequest) -> HttpResponse:
    filters = ClaimFilters.from_query(request.GET)
    page = claim_page(user=request.user, filters=filters, page_number=request.GET.get("page"))
    query = QueryDict(mutable=True)
    query.update(filters.as_query())
    context = {
        "page": page,
        "filters": filters,
        "filter_query": query.urlencode(),
        "verdicts": ClaimVerdict.choices,
        "ratings": RATINGS,
        "states": ClaimVerdictState.choices,
        "kinds": ClaimKind.choices,
    }
    if request.htmx:
        return render(request, f"{LIST}#results", context)
    return render(request, LIST, context)


@require_GET
@login_required_htmx
def claim_review_preview(request: HttpRequest, claim_uuid) -> HttpResponse:
    try:
        claim = claim_review_get_for_user(claim_uuid=claim_uuid, user=request.user)
    except NotPublished as exc:
        # Nothing is published before a reviewer verifies the verdict: say so, with the way to it.
        return render(request, REVIEW, {"claim": exc.claim, "published": False}, status=404)
    article = claim.article
    speaker = claim_speaker(claim=claim)
    review = exports.claim_review(
        claim=claim, article=article, speaker=speaker, url=request.build_absolute_uri()
    )
    context = {
        "claim": claim,
        "published": True,
        "article": article,
        "review": review,
        "author": exports.claim_review_author(article=article, speaker=speaker),
        "org_name": settings.FACTDESK_ORG_NAME,
        "evidence": list(claim.evidence.order_by("created_at", "id")),
        "json_ld": json.dumps(review, indent=2, ensure_ascii=False),
    }
    return render(request, REVIEW, context)
