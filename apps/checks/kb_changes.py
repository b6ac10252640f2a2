"""A change to the knowledge base makes checks owed: which articles read the changed entities, and
the request for their checks, recorded in the KB writer's transaction.

Every KB writer (apps.knowledge, a lower layer than the checks) calls `kb_changed`; this module
imports only models, the checks' blocking rule and apps.articles.processing, never the checks'
services."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.annotations.models import EntityMention, Quote, ReviewState
from apps.articles import processing
from apps.articles.models import Article
from apps.checks.blocking import BLOCKING_STATES
from apps.checks.models import Finding
from apps.knowledge.models import Entity, EntityKind


def articles_with_unknown_titles(*, changed_entity_ids: list[int]) -> set[int]:
    """Articles with a title the checks could not match to an office (an open or acknowledged
    "cannot check" ROLE_AT_DATE finding), when the change is to an office or a place: a new
    office alias, jurisdiction, country name or demonym may settle them."""
    if not Entity.objects.filter(
        pk__in=changed_entity_ids, kind__in=[EntityKind.OFFICE, EntityKind.PLACE]
    ).exists():
        return set()
    return set(
        Finding.objects.filter(
            code="ROLE_AT_DATE",
            severity=Finding.Severity.INFO,
            state__in=BLOCKING_STATES,
        )
        .values_list("article_id", flat=True)
        .distinct()
    )


def kb_readers(entity_ids: list[int]) -> QuerySet:
    """The ids of the articles whose checks read these entities: live mentions of them as people
    or as offices, and live quotes they are the speaker of."""
    live = ~Q(review_state=ReviewState.REJECTED)
    mentions = EntityMention.objects.filter(live).filter(
        Q(entity_id__in=entity_ids) | Q(office_id__in=entity_ids)
    )
    quotes = Quote.objects.filter(live, speaker_id__in=entity_ids)
    return Article.objects.filter(
        Q(pk__in=mentions.values("article_id")) | Q(pk__in=quotes.values("article_id"))
    ).values("pk")


def kb_changed(*, entity_ids: list[int]) -> None:
    """Record, in the KB writer's transaction, that the articles reading these KB entities (as
    people, offices or speakers) need their checks again; the drain runs them after commit.
    Called by every KB writer. One UPDATE over an indexed subquery, so that the request is as
    durable as the KB change itself (a message could be lost with the broker)."""
    ids = sorted({int(i) for i in entity_ids})
    if ids:
        processing.checks_request(article_ids=kb_readers(ids))
        # A new alias or country name can settle a title no office matched before.
        unknown = articles_with_unknown_titles(changed_entity_ids=ids)
        if unknown:
            processing.checks_request(article_ids=sorted(unknown))
