from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.accounts.api_keys import api_key_create

ROLES = ("anonymous", "read_key", "write_key", "annotator", "reviewer", "editor")


@pytest.fixture(autouse=True)
def _api_defaults(settings):
    """Throttle counters start empty; list pages show changes at once (the sync test sets the
    settle delay itself)."""
    cache.clear()
    settings.API_SYNC_SETTLE_SECONDS = 0
    yield
    cache.clear()


@pytest.fixture
def read_key(db):
    return api_key_create(name="Data desk", scope="read", by=None)


@pytest.fixture
def write_key(db):
    return api_key_create(name="CMS", scope="write", by=None)


def key_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=secret)
    return client


def user_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def clients(db, read_key, write_key, annotator, reviewer, editor):
    """One API client per role, by name (see ROLES)."""
    return {
        "anonymous": APIClient(),
        "read_key": key_client(read_key.secret),
        "write_key": key_client(write_key.secret),
        "annotator": user_client(annotator),
        "reviewer": user_client(reviewer),
        "editor": user_client(editor),
    }


BODY = (
    "Officials met in Paris on Tuesday, January 6, 2024. "
    "“We will not retreat,” Keir Starmer explained. The talks ended late."
)


class World:
    """One article with one of everything, made through the services (as a user would)."""

    def __init__(self, *, annotator, reviewer2) -> None:
        from apps.annotations.services import (
            annotation_create,
            claim_verdict_propose,
            claim_verify,
            evidence_add,
        )
        from apps.articles.services import article_import
        from apps.checks.models import Finding
        from tests.factories import EntityFactory, TenureFactory

        self.annotator = annotator
        self.person = EntityFactory(label="Keir Starmer", wikidata_id="Q6279")
        self.office = EntityFactory(label="Prime Minister", kind="office")
        self.tenure = TenureFactory(person=self.person, office=self.office)
        self.article = article_import(
            title="Talks in Paris",
            body=BODY,
            source="Test Wire",
            byline="Jane Reporter",
            url="https://news.example.com/talks",
            published_on=dt.date(2026, 1, 7),
            created_by=annotator,
        )

        def span(span_type, text, **fields):
            start = BODY.index(text)
            return annotation_create(
                article=self.article,
                kind=span_type,
                start=start,
                end=start + len(text),
                exact=text,
                user=annotator,
                fields=fields,
            )

        self.claim = span("claim", "Officials met in Paris", kind="event_date")
        self.claim_proposed = span("claim", "The talks ended late.")
        self.claim_proposed = claim_verdict_propose(
            claim=self.claim_proposed,
            user=annotator,
            verdict="inaccurate",
            summary="They ended early.",
            expected_version=1,
        )
        self.claim_verified = span("claim", "on Tuesday, January 6, 2024", kind="event_date")
        self.claim_verified = claim_verdict_propose(
            claim=self.claim_verified,
            user=annotator,
            verdict="inaccurate",
            summary="6 January 2024 was a Saturday.",
            expected_version=1,
        )
        self.claim_verified = claim_verify(
            claim=self.claim_verified, user=reviewer2, expected_version=2
        )
        self.evidence = evidence_add(
            claim=self.claim, user=annotator, url="https://example.org/minutes", title="Minutes"
        )
        self.quote = span("quote", "“We will not retreat,”", speaker=self.person)
        self.mention = span("mention", "Keir Starmer", entity=self.person)
        self.date = span("date", "January 6, 2024", value=dt.date(2024, 1, 6))
        self.finding = Finding.objects.create(
            article=self.article,
            code="DATE_VS_PUBLICATION",
            check_version="1",
            severity=Finding.Severity.WARNING,
            message="The stated date is two years before publication.",
            fingerprint="date-1",
        )
        for name in ("claim", "claim_proposed", "claim_verified", "quote", "mention", "date"):
            getattr(self, name).refresh_from_db()

    def ids(self) -> dict[str, str]:
        return {
            "article": str(self.article.uuid),
            "claim": str(self.claim.uuid),
            "claim_proposed": str(self.claim_proposed.uuid),
            "claim_verified": str(self.claim_verified.uuid),
            "evidence": str(self.evidence.uuid),
            "quote": str(self.quote.uuid),
            "mention": str(self.mention.uuid),
            "date": str(self.date.uuid),
            "entity": str(self.person.uuid),
            "office": str(self.office.uuid),
            "finding": str(self.finding.uuid),
        }


@pytest.fixture
def world(db, annotator, reviewer2):
    return World(annotator=annotator, reviewer2=reviewer2)
